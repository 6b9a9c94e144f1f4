package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Integer transposed convolution with requantization (TFLite TRANSPOSE_CONV arithmetic, 2-D, one group). Inputs: x
 * {@code [N, C, H, W]}, filter {@code [O, C, KH, KW]} (OIHW; OHWI with x and the output NHWC for {@code layout = nhwc},
 * TFLite's own), optional bias of the accumulator type. Every input element scatters into the output: for output channel
 * o, {@code acc[o, oy, ox] = bias[o] + sum((x[c, iy, ix] - inputZp) * w[o, c, ky, kx])} over all c, iy, ix, ky, kx with
 * {@code oy = iy * strides[0] + ky - pads[0]} and {@code ox = ix * strides[1] + kx - pads[1]}, then requantized and
 * clamped exactly as {@link QConv} does (i32, or i64 with {@code single_round_q15} for i16 input). The output is
 * {@code (H - 1) * strides[0] + KH - pads[0] - pads[2]} by {@code (W - 1) * strides[1] + KW - pads[1] - pads[3]}; the
 * end pads may be negative (an output larger than the scatter reaches holds the bias there).
 */
public record QConvTranspose(List<Integer> strides, List<Integer> pads, long inputZp, List<Integer> multiplier, List<Integer> shift,
                             long outputZp, float outputScale, DType outType, int actMin, int actMax, Rounding rounding,
                             DType accumulator, int weightBits, @Default("nchw") Layout layout) implements LoweredOp {
    public QConvTranspose {
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
        multiplier = List.copyOf(multiplier);
        shift = List.copyOf(shift);
        if (layout == null) throw Shapes.fail("layout must be given");
        if (strides.size() != 2 || strides.stream().anyMatch(s -> s < 1)) throw Shapes.fail("strides %s must be two values >= 1", strides);
        if (pads.size() != 4) throw Shapes.fail("pads %s must be [top, left, bottom, right]", pads);
        IntOps.requireClamp(actMin, actMax, outType);
        IntOps.requireAccumulator(accumulator, rounding);
        IntOps.requireWeightBits(weightBits);
    }

    /** The form with the accumulator TFLite uses for {@code outType} (i64 and Q15 rounding for i16), 8-bit weights, NCHW. */
    public QConvTranspose(List<Integer> strides, List<Integer> pads, long inputZp, List<Integer> multiplier, List<Integer> shift,
                          long outputZp, float outputScale, DType outType, int actMin, int actMax, Rounding rounding) {
        this(strides, pads, inputZp, multiplier, shift, outputZp, outputScale, outType, actMin, actMax,
                IntOps.compatRounding(outType, rounding), IntOps.compatAccumulator(outType), 8, Layout.NCHW);
    }

    /** This op on tensors in layout {@code l} (the filter OHWI for nhwc). */
    public QConvTranspose withLayout(Layout l) {
        return new QConvTranspose(strides, pads, inputZp, multiplier, shift, outputZp, outputScale, outType, actMin, actMax, rounding,
                accumulator, weightBits, l);
    }

    /** The output's spatial size along axis {@code i} (0: H, 1: W) for an input of {@code in} and a kernel of {@code k}. */
    public long outputSize(int i, long in, long k) { return (in - 1) * strides.get(i) + k - pads.get(i) - pads.get(i + 2); }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 3; }

    @Override public List<TensorType> inferTypes(List<TensorType> given) {
        List<TensorType> in = layout.toNchw(given, 1, true);
        TensorType x = in.get(0), w = in.get(1);
        IntOps.requireInt("input", x);
        IntOps.requireAccumulatorFor(accumulator, x);
        if (w.dtype() != DType.I8) throw Shapes.fail("weights %s must be i8", w);
        if (x.rank() != 4 || w.rank() != 4) throw Shapes.fail("input %s and filter %s must be rank 4", x, w);
        Shapes.requireStatic("filter", w.shape());
        Shape xs = x.shape();
        if (xs.isSymbolic(1) || xs.isSymbolic(2) || xs.isSymbolic(3)) throw Shapes.fail("input %s needs static channels and spatial dims", x);
        if (xs.dim(1) != w.shape().dim(1)) throw Shapes.fail("input channels %d != filter channels %d", xs.dim(1), w.shape().dim(1));
        long o = w.shape().dim(0), oh = outputSize(0, xs.dim(2), w.shape().dim(2)), ow = outputSize(1, xs.dim(3), w.shape().dim(3));
        if (oh < 1 || ow < 1) throw Shapes.fail("output %dx%d is empty (pads %s)", oh, ow, pads);
        IntOps.requireMultipliers(multiplier, shift, o, rounding);
        if (in.size() > 2) IntOps.requireBias(in.get(2), x, o);
        Shape out = Shape.withSymbols(new long[] {xs.dim(0), o, oh, ow}, new String[] {xs.symbol(0), null, null, null});
        return List.of(layout.fromNchw(IntOps.output(outType, out, outputScale, outputZp)));
    }
}
