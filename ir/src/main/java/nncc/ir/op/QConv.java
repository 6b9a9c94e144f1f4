package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Integer convolution with requantization (TFLite CONV_2D / DEPTHWISE_CONV_2D arithmetic; NCHW, or NHWC with an OHWI
 * or depthwise 1HWC filter for {@code layout = nhwc}, see {@link Layout}). Inputs: x
 * (i8, u8 or i16), w (i8 storage holding {@code weightBits}-bit symmetric values: zero point 0, each in
 * [-2^(weightBits-1), 2^(weightBits-1) - 1]), optional bias (of the accumulator type). For output channel c:
 * {@code acc = bias[c] + sum((x - inputZp) * w)} in the {@code accumulator} type (i32; i64 for i16 input, TFLite's
 * rule), then {@code y = clamp(requantize(acc, multiplier[c], shift[c], rounding) + outputZp, actMin, actMax)} where
 * requantize is {@link nncc.ir.FixedPoint#requantize} ({@code double_round} or {@code single_round} for i32
 * accumulators, {@code single_round_q15} for i64), or with {@code onnx_float32} ONNX Runtime's
 * {@code rint(float(acc) * onnxScales[c])} ({@link nncc.ir.OnnxArithmetic}; the multipliers then only describe). One multiplier/shift means per-tensor. {@code actMin}/{@code
 * actMax} are exactly the clamp of the fused {@code activation} on the output grid ({@link Activation#clampBounds})
 * when one is named; with {@code none} the clamp stands on its own (e.g. an imported clip). {@code accumulatorBits},
 * when not 0, is the width a range analysis (the {@code accumulator-bits} pass) proved every partial sum fits in as a
 * signed integer, from the actual weights, bias and the input type's range; it is at most the accumulator type's width,
 * so hardware may accumulate in that many bits and compute exactly what the reference does. 0 means not analysed.
 */
public record QConv(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group, long inputZp,
                    List<Integer> multiplier, List<Integer> shift, long outputZp, float outputScale, DType outType,
                    int actMin, int actMax, Rounding rounding, DType accumulator, int weightBits,
                    @Default("none") Activation activation, @Default("[]") List<Float> onnxScales,
                    @Default("0") int accumulatorBits, @Default("nchw") Layout layout) implements LoweredOp {
    public QConv {
        if (layout == null) throw Shapes.fail("layout must be given");
        onnxScales = IntOps.requireOnnxScales(rounding, onnxScales);
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
        dilations = List.copyOf(dilations);
        multiplier = List.copyOf(multiplier);
        shift = List.copyOf(shift);
        if (group < 1) throw Shapes.fail("group must be >= 1, got %d", group);
        IntOps.requireClamp(actMin, actMax, outType);
        IntOps.requireAccumulator(accumulator, rounding);
        IntOps.requireWeightBits(weightBits);
        IntOps.requireActivation(activation, actMin, actMax, outputScale, outputZp, outType);
        IntOps.requireAccumulatorBits(accumulatorBits, accumulator);
    }

    /** The form before the layout was an attribute: NCHW. */
    public QConv(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group, long inputZp,
                 List<Integer> multiplier, List<Integer> shift, long outputZp, float outputScale, DType outType,
                 int actMin, int actMax, Rounding rounding, DType accumulator, int weightBits, Activation activation,
                 List<Float> onnxScales, int accumulatorBits) {
        this(strides, pads, dilations, group, inputZp, multiplier, shift, outputZp, outputScale, outType, actMin, actMax,
                rounding, accumulator, weightBits, activation, onnxScales, accumulatorBits, Layout.NCHW);
    }

    /** This op with {@code accumulatorBits} set (0: not analysed). */
    public QConv withAccumulatorBits(int bits) {
        return new QConv(strides, pads, dilations, group, inputZp, multiplier, shift, outputZp, outputScale, outType, actMin,
                actMax, rounding, accumulator, weightBits, activation, onnxScales, bits, layout);
    }

    /** This op computing on tensors in {@code l} (activations NHWC and filter OHWI or depthwise 1HWC for nhwc). */
    public QConv withLayout(Layout l) {
        return new QConv(strides, pads, dilations, group, inputZp, multiplier, shift, outputZp, outputScale, outType, actMin,
                actMax, rounding, accumulator, weightBits, activation, onnxScales, accumulatorBits, l);
    }

    /** The form without ONNX Runtime's float scales (every rounding but {@code onnx_float32}) and accumulator bits (0). */
    public QConv(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group, long inputZp,
                 List<Integer> multiplier, List<Integer> shift, long outputZp, float outputScale, DType outType,
                 int actMin, int actMax, Rounding rounding, DType accumulator, int weightBits, Activation activation) {
        this(strides, pads, dilations, group, inputZp, multiplier, shift, outputZp, outputScale, outType, actMin, actMax,
                rounding, accumulator, weightBits, activation, List.of(), 0);
    }

    /** This op in ONNX Runtime's float requantization ({@link Rounding#ONNX_FLOAT32}) with the given scales. */
    public QConv withOnnxScales(List<Float> scales) {
        return new QConv(strides, pads, dilations, group, inputZp, multiplier, shift, outputZp, outputScale, outType, actMin,
                actMax, Rounding.ONNX_FLOAT32, accumulator, weightBits, activation, scales, accumulatorBits, layout);
    }

    /** The form with ONNX Runtime's scales and no accumulator bits (0). */
    public QConv(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group, long inputZp,
                 List<Integer> multiplier, List<Integer> shift, long outputZp, float outputScale, DType outType,
                 int actMin, int actMax, Rounding rounding, DType accumulator, int weightBits, Activation activation,
                 List<Float> onnxScales) {
        this(strides, pads, dilations, group, inputZp, multiplier, shift, outputZp, outputScale, outType, actMin, actMax,
                rounding, accumulator, weightBits, activation, onnxScales, 0);
    }

    /** The form with accumulator bits and no ONNX Runtime scales. */
    public QConv(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group, long inputZp,
                 List<Integer> multiplier, List<Integer> shift, long outputZp, float outputScale, DType outType,
                 int actMin, int actMax, Rounding rounding, DType accumulator, int weightBits, Activation activation,
                 int accumulatorBits) {
        this(strides, pads, dilations, group, inputZp, multiplier, shift, outputZp, outputScale, outType, actMin, actMax,
                rounding, accumulator, weightBits, activation, List.of(), accumulatorBits);
    }

    /**
     * The form before accumulator, weight bits and activation were attributes: i64 accumulation with Q15 rounding
     * for an i16 output (int16x8), else i32 in {@code rounding}; 8-bit weights; the activation the clamp stands for.
     */
    public QConv(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group, long inputZp,
                 List<Integer> multiplier, List<Integer> shift, long outputZp, float outputScale, DType outType,
                 int actMin, int actMax, Rounding rounding) {
        this(strides, pads, dilations, group, inputZp, multiplier, shift, outputZp, outputScale, outType, actMin, actMax,
                IntOps.compatRounding(outType, rounding), IntOps.compatAccumulator(outType), 8,
                IntOps.compatActivation(actMin, actMax, outputScale, outputZp, outType));
    }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 3; }

    @Override public List<TensorType> inferTypes(List<TensorType> given) {
        List<TensorType> in = layout.toNchw(given, group, true);
        IntOps.requireInt("input", in.get(0));
        IntOps.requireAccumulatorFor(accumulator, in.get(0));
        if (in.get(1).dtype() != DType.I8) throw Shapes.fail("weights %s must be i8", in.get(1));
        Shape out = Conv.convShape(in, strides, pads, dilations, group);
        IntOps.requireMultipliers(multiplier, shift, out.dim(1), rounding);
        if (in.size() > 2) IntOps.requireBias(in.get(2), in.get(0), out.dim(1));
        IntOps.requireLinearOnnxScales(onnxScales, in.get(0), in.get(1), outputScale);
        return List.of(layout.fromNchw(IntOps.output(outType, out, outputScale, outputZp)));
    }
}
