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

    /** {@code onnxScales} are given exactly when the rounding is {@link Rounding#ONNX_FLOAT32}. */
    static List<Float> requireOnnxScales(Rounding r, List<Float> onnxScales) {
        if (onnxScales == null) throw fail("onnxScales must be given");
        onnxScales = List.copyOf(onnxScales);
        if ((r == Rounding.ONNX_FLOAT32) != !onnxScales.isEmpty())
            throw fail(r == Rounding.ONNX_FLOAT32 ? "rounding onnx_float32 needs the op's onnxScales"
                    : "onnxScales %s are only for rounding onnx_float32, not %s", onnxScales,
                    r == null ? null : r.name().toLowerCase(java.util.Locale.ROOT));
        for (float f : onnxScales) if (!Float.isFinite(f)) throw fail("onnx scale %s is not finite", f);
        return onnxScales;
    }

    /** The stored float32 scales are exactly what ONNX Runtime computes from the tensors' scales ({@code expected}). */
    static void requireOnnxValues(List<Float> stored, float[] expected, String what) {
        if (stored.size() != expected.length)
            throw fail("%d onnxScales, but ONNX Runtime computes %d (%s)", stored.size(), expected.length, what);
        for (int i = 0; i < expected.length; i++)
            if (Float.floatToIntBits(stored.get(i)) != Float.floatToIntBits(expected[i]))
                throw fail("onnxScales[%d] = %s, but ONNX Runtime computes %s (%s) from the tensors' scales", i, stored.get(i),
                        expected[i], what);
    }

    /** ONNX Runtime's per-channel scales of a QConv/QGemm with input {@code x}, weights {@code w}, output scale sy. */
    static void requireLinearOnnxScales(List<Float> stored, TensorType x, TensorType w, float sy) {
        if (stored.isEmpty()) return;
        if (x.quant() == null || x.quant().isPerAxis() || w.quant() == null)
            throw fail("onnx_float32 needs per-tensor input and quantized weight parameters, got %s and %s", x, w);
        float sx = x.quant().scale(0);
        float[] e = new float[w.quant().count()];
        for (int c = 0; c < e.length; c++) e[c] = nncc.ir.OnnxArithmetic.linearScale(sx, w.quant().scale(c), sy);
        requireOnnxValues(stored, e, "fl(fl(sx * sw) / sy) per weight scale");
    }

    /** The storage shift of ONNX Runtime's arithmetic: 0, or 128 for i8 values stored as u8. */
    static void requireOnnxOffset(int offset, List<Float> onnxScales, DType t) {
        if (offset != 0 && (onnxScales.isEmpty() || offset != 128 || t != DType.I8))
            throw fail("onnxOffset %d: only 0, or 128 for i8 values that ONNX Runtime stores as u8 (with onnxScales)", offset);
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
