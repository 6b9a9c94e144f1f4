package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/** Checks shared by the integer (lowered) ops. */
final class IntOps {
    private IntOps() {}

    static TensorType output(DType outType, Shape shape, float scale, long zp) {
        if (!outType.isInteger()) throw fail("output type %s is not an integer type", outType.text());
        if (zp < outType.minValue() || zp > outType.maxValue()) throw fail("output zero point %d outside %s", zp, outType.text());
        return new TensorType(outType, shape, QuantParams.perTensor(scale, zp));
    }

    static void requireInt(String what, TensorType t) {
        if (!t.dtype().isInteger()) throw fail("%s must be an integer tensor, got %s", what, t);
    }

    static void requireClamp(int actMin, int actMax, DType outType) {
        if (actMin > actMax || actMin < outType.minValue() || actMax > outType.maxValue())
            throw fail("clamp [%d, %d] is not inside %s", actMin, actMax, outType.text());
    }

    /** The accumulator type is i32 or i64, and the rounding is the form for it ({@link Rounding#wide()} for i64). */
    static void requireAccumulator(DType accumulator, Rounding rounding) {
        requireRounding(rounding);
        if (accumulator != DType.I32 && accumulator != DType.I64)
            throw fail("accumulator must be i32 or i64, got %s", accumulator == null ? null : accumulator.text());
        if (rounding.wide() != (accumulator == DType.I64))
            throw fail("rounding %s is not a requantization of %s accumulators (i32: double_round or single_round;"
                    + " i64: single_round_q15)", rounding.name().toLowerCase(java.util.Locale.ROOT), accumulator.text());
    }

    /** TFLite's accumulator rule: the declared accumulator is i64 for 16-bit activations, else i32. */
    static void requireAccumulatorFor(DType accumulator, TensorType x) {
        DType want = accumulator(x);
        if (accumulator != want)
            throw fail("accumulator %s does not match input %s (TFLite accumulates %s inputs in %s)", accumulator.text(), x,
                    x.dtype().text(), want.text());
    }

    /**
     * A proven accumulator width: 0 (not analysed) or 2..the accumulator type's width. That it is at least the
     * width the weights need is the {@code accumulator-bits} pass's proof, not checked here (it would read the constants).
     */
    static void requireAccumulatorBits(int bits, DType accumulator) {
        int max = accumulator == DType.I64 ? 64 : 32;
        if (bits != 0 && (bits < 2 || bits > max))
            throw fail("accumulatorBits %d outside [2, %d] for %s accumulators (0: not analysed)", bits, max, accumulator.text());
    }

    static void requireWeightBits(int weightBits) {
        if (weightBits < 2 || weightBits > 8) throw fail("weight bits %d outside [2, 8]", weightBits);
    }

    /**
     * A named fused activation's clamp [actMin, actMax] is exactly what it gives on the output grid (scale, zp) of
     * {@code t} ({@link Activation#clampBounds}). {@link Activation#NONE} names no activation: the clamp stands on
     * its own (the type's range, or the bounds of an imported clip that no named activation gives).
     */
    static void requireActivation(Activation activation, int actMin, int actMax, float scale, long zp, DType t) {
        if (activation == null) throw fail("activation must be given");
        if (activation == Activation.NONE) return;
        int[] b = activation.clampBounds(scale, zp, t);
        if (b[0] != actMin || b[1] != actMax)
            throw fail("clamp [%d, %d] is not what activation %s gives on scale %s, zero point %d: [%d, %d]", actMin, actMax,
                    activation.name().toLowerCase(java.util.Locale.ROOT), scale, zp, b[0], b[1]);
    }

    /** For the pre-contract constructors: i64 (with TFLite's Q15 rounding) when the output is i16, else i32. */
    static DType compatAccumulator(DType outType) { return outType == DType.I16 ? DType.I64 : DType.I32; }

    static Rounding compatRounding(DType outType, Rounding r) { return outType == DType.I16 ? Rounding.SINGLE_ROUND_Q15 : r; }

    /** For the pre-contract constructors: the activation that gives this clamp, or NONE (a clamp of its own). */
    static Activation compatActivation(int actMin, int actMax, float scale, long zp, DType t) {
        Activation a = Activation.ofClamp(actMin, actMax, scale, zp, t);
        return a == null ? Activation.NONE : a;
    }

    static void requireMultipliers(List<Integer> multiplier, List<Integer> shift, long channels, Rounding rounding) {
        requireMultipliers(multiplier, shift, channels);
        int max = nncc.ir.FixedPoint.maxShift(rounding);
        for (int s : shift) if (s > max) throw fail("shift %d outside [-31, %d] for %s", s, max,
                rounding.name().toLowerCase(java.util.Locale.ROOT));
    }

    static void requireMultipliers(List<Integer> multiplier, List<Integer> shift, long channels) {
        if (multiplier.isEmpty() || multiplier.size() != shift.size())
            throw fail("%d multipliers but %d shifts", multiplier.size(), shift.size());
        if (multiplier.size() != 1 && multiplier.size() != channels)
            throw fail("%d multipliers for %d output channels", multiplier.size(), channels);
        for (int m : multiplier) if (m < 0) throw fail("negative multiplier %d", m);
        for (int s : shift) if (s < -31 || s > 30) throw fail("shift %d outside [-31, 30]", s);
    }

    static void requireRounding(Rounding r) {
        if (r == null) throw fail("rounding must be given");
    }

    /** Accumulator type of an integer product: int64 for 16-bit activations, else int32. */
    static DType accumulator(TensorType x) { return x.dtype() == DType.I16 ? DType.I64 : DType.I32; }

    static void requireBias(TensorType bias, TensorType x, long channels) {
        DType want = accumulator(x);
        if (bias.dtype() != want) throw fail("bias %s must be %s for %s input", bias, want.text(), x.dtype().text());
        if (bias.rank() != 1 || bias.shape().dim(0) != channels) throw fail("bias %s must be [%d]", bias, channels);
    }
}
