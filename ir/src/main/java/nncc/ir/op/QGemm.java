package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Integer fully connected layer with requantization (TFLite FULLY_CONNECTED arithmetic). Inputs: x [N,K] (i8, u8
 * or i16), w [M,K] (i8 storage of {@code weightBits}-bit symmetric values), optional bias [M] (the accumulator type).
 * For output m: {@code acc = bias[m] + sum_k((x[n,k] - inputZp) * w[m,k])} in the {@code accumulator} type (i32;
 * i64 for i16 input), then {@code y = clamp(requantize(acc, multiplier[m], shift[m], rounding) + outputZp, actMin,
 * actMax)}; the clamp is exactly the fused {@code activation}'s and {@code accumulatorBits} (0: not analysed) the
 * proven accumulator width (see {@link QConv}, which shares these rules).
 */
public record QGemm(long inputZp, List<Integer> multiplier, List<Integer> shift, long outputZp, float outputScale,
                    DType outType, int actMin, int actMax, Rounding rounding, DType accumulator, int weightBits,
                    @Default("none") Activation activation, @Default("[]") List<Float> onnxScales,
                    @Default("0") int accumulatorBits) implements LoweredOp {
    public QGemm {
        onnxScales = IntOps.requireOnnxScales(rounding, onnxScales);
        multiplier = List.copyOf(multiplier);
        shift = List.copyOf(shift);
        IntOps.requireClamp(actMin, actMax, outType);
        IntOps.requireAccumulator(accumulator, rounding);
        IntOps.requireWeightBits(weightBits);
        IntOps.requireActivation(activation, actMin, actMax, outputScale, outputZp, outType);
        IntOps.requireAccumulatorBits(accumulatorBits, accumulator);
    }

    /** This op with {@code accumulatorBits} set (0: not analysed). */
    public QGemm withAccumulatorBits(int bits) {
        return new QGemm(inputZp, multiplier, shift, outputZp, outputScale, outType, actMin, actMax, rounding, accumulator,
                weightBits, activation, onnxScales, bits);
    }

    /** The form without ONNX Runtime's float scales (every rounding but {@code onnx_float32}) and accumulator bits (0). */
    public QGemm(long inputZp, List<Integer> multiplier, List<Integer> shift, long outputZp, float outputScale,
                 DType outType, int actMin, int actMax, Rounding rounding, DType accumulator, int weightBits,
                 Activation activation) {
        this(inputZp, multiplier, shift, outputZp, outputScale, outType, actMin, actMax, rounding, accumulator, weightBits,
                activation, List.of(), 0);
    }

    /** This op in ONNX Runtime's float requantization ({@link Rounding#ONNX_FLOAT32}) with the given scales. */
    public QGemm withOnnxScales(List<Float> scales) {
        return new QGemm(inputZp, multiplier, shift, outputZp, outputScale, outType, actMin, actMax, Rounding.ONNX_FLOAT32,
                accumulator, weightBits, activation, scales, accumulatorBits);
    }

    /** The form with ONNX Runtime's scales and no accumulator bits (0). */
    public QGemm(long inputZp, List<Integer> multiplier, List<Integer> shift, long outputZp, float outputScale,
                 DType outType, int actMin, int actMax, Rounding rounding, DType accumulator, int weightBits,
                 Activation activation, List<Float> onnxScales) {
        this(inputZp, multiplier, shift, outputZp, outputScale, outType, actMin, actMax, rounding, accumulator, weightBits,
                activation, onnxScales, 0);
    }

    /** The form with accumulator bits and no ONNX Runtime scales. */
    public QGemm(long inputZp, List<Integer> multiplier, List<Integer> shift, long outputZp, float outputScale,
                 DType outType, int actMin, int actMax, Rounding rounding, DType accumulator, int weightBits,
                 Activation activation, int accumulatorBits) {
        this(inputZp, multiplier, shift, outputZp, outputScale, outType, actMin, actMax, rounding, accumulator, weightBits,
                activation, List.of(), accumulatorBits);
    }

    /** The form before accumulator, weight bits and activation were attributes (see {@link QConv}'s). */
    public QGemm(long inputZp, List<Integer> multiplier, List<Integer> shift, long outputZp, float outputScale,
                 DType outType, int actMin, int actMax, Rounding rounding) {
        this(inputZp, multiplier, shift, outputZp, outputScale, outType, actMin, actMax,
                IntOps.compatRounding(outType, rounding), IntOps.compatAccumulator(outType), 8,
                IntOps.compatActivation(actMin, actMax, outputScale, outputZp, outType));
    }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 3; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        TensorType x = in.get(0), w = in.get(1);
        IntOps.requireInt("input", x);
        IntOps.requireAccumulatorFor(accumulator, x);
        if (w.dtype() != DType.I8) throw fail("weights %s must be i8", w);
        if (x.rank() != 2 || w.rank() != 2) throw fail("QGemm needs 2-D x and w, got %s and %s", x, w);
        if (!x.shape().isSymbolic(1) && x.shape().dim(1) != w.shape().dim(1))
            throw fail("x %s and w %s differ in K", x, w);
        long m = w.shape().dim(0);
        IntOps.requireMultipliers(multiplier, shift, m, rounding);
        if (in.size() > 2) IntOps.requireBias(in.get(2), x, m);
        IntOps.requireLinearOnnxScales(onnxScales, x, w, outputScale);
        Shape out = Shape.withSymbols(new long[] {x.shape().dim(0), m}, new String[] {x.shape().symbol(0), null});
        return List.of(IntOps.output(outType, out, outputScale, outputZp));
    }
}
