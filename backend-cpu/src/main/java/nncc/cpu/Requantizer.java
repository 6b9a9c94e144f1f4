package nncc.cpu;

import java.util.List;
import nncc.ir.FixedPoint;
import nncc.ir.Rounding;

/**
 * The output stage of the integer linear ops (QConv, QGemm): an accumulator per output channel goes through
 * {@link FixedPoint#multiplyByQuantizedMultiplier} with that channel's (multiplier, shift), gets the output zero
 * point added and is clamped to [actMin, actMax]. All numbers are the op's attributes; nothing is computed here.
 */
final class Requantizer {
    private final int[] multipliers;
    private final int[] shifts;
    private final Rounding rounding;
    private final int outputZp;
    private final int lo;
    private final int hi;
    /** ONNX Runtime's float scale per channel for {@link Rounding#ONNX_FLOAT32}, else null. */
    private float[] onnxScales;

    private Requantizer(int[] multipliers, int[] shifts, Rounding rounding, int outputZp, int lo, int hi) {
        this.multipliers = multipliers;
        this.shifts = shifts;
        this.rounding = rounding;
        this.outputZp = outputZp;
        this.lo = lo;
        this.hi = hi;
    }

    /** One (multiplier, shift) per channel, or a single pair shared by all {@code channels}. */
    static Requantizer of(List<Integer> multiplier, List<Integer> shift, Rounding rounding, long outputZp,
                          int actMin, int actMax, int channels) {
        int[] m = new int[channels], s = new int[channels];
        for (int c = 0; c < channels; c++) {
            int i = multiplier.size() == 1 ? 0 : c;
            m[c] = multiplier.get(i);
            s[c] = shift.get(i);
        }
        return new Requantizer(m, s, rounding, Math.toIntExact(outputZp), actMin, actMax);
    }

    /** As {@link #of}, for {@link Rounding#ONNX_FLOAT32} with the op's float scales (one, or one per channel). */
    static Requantizer onnx(List<Float> onnxScales, List<Integer> multiplier, List<Integer> shift, long outputZp,
                            int actMin, int actMax, int channels) {
        Requantizer r = of(multiplier, shift, Rounding.ONNX_FLOAT32, outputZp, actMin, actMax, channels);
        r.onnxScales = new float[channels];
        for (int c = 0; c < channels; c++) r.onnxScales[c] = onnxScales.get(onnxScales.size() == 1 ? 0 : c);
        return r;
    }

    int multiplier(int c) { return multipliers[c]; }

    int shift(int c) { return shifts[c]; }

    Rounding rounding() { return rounding; }

    int outputZp() { return outputZp; }

    int lo() { return lo; }

    int hi() { return hi; }

    /** The output value of an int32 accumulator of channel {@code c}. */
    int apply(int acc, int c) {
        if (onnxScales != null) return nncc.ir.OnnxArithmetic.requantize(acc, onnxScales[c], outputZp, lo, hi);
        int v = FixedPoint.multiplyByQuantizedMultiplier(acc, multipliers[c], shifts[c], rounding) + outputZp;
        return v < lo ? lo : Math.min(v, hi);
    }

    /** The output value of an int64 accumulator (16-bit activations), in the op's (int64) rounding. */
    int apply(long acc, int c) {
        int v = FixedPoint.requantize(acc, multipliers[c], shifts[c], rounding) + outputZp;
        return v < lo ? lo : Math.min(v, hi);
    }

    /** Writes the outputs of {@code count} int32 accumulators of channel {@code c}, each plus {@code bias}, to {@code y[dst...]}. */
    void applyRun(int c, int[] acc, int from, int count, int bias, long[] y, int dst) {
        for (int i = 0; i < count; i++) y[dst + i] = apply(acc[from + i] + bias, c);
    }

    /** As {@link #applyRun(int, int[], int, int, int, long[], int)} for accumulators held exactly in floats. */
    void applyRun(int c, float[] acc, int from, int count, int bias, long[] y, int dst) {
        for (int i = 0; i < count; i++) y[dst + i] = apply((int) acc[from + i] + bias, c);
    }

    /** As {@link #applyRun(int, int[], int, int, int, long[], int)} into an i8/u8 output held as bytes. */
    void applyRun(int c, int[] acc, int from, int count, int bias, byte[] y, int dst) {
        for (int i = 0; i < count; i++) y[dst + i] = (byte) apply(acc[from + i] + bias, c);
    }

    /** As {@link #applyRun(int, float[], int, int, int, long[], int)} into an i8/u8 output held as bytes. */
    void applyRun(int c, float[] acc, int from, int count, int bias, byte[] y, int dst) {
        for (int i = 0; i < count; i++) y[dst + i] = (byte) apply((int) acc[from + i] + bias, c);
    }

    /**
     * Writes the outputs of {@code count} accumulators held exactly in floats, element i of channel i (a row of an
     * [N, M] product), each plus {@code bias[i]} (none when null), to {@code y[dst...]}.
     */
    void applyRow(float[] acc, int from, int count, int[] bias, long[] y, int dst) {
        for (int i = 0; i < count; i++) y[dst + i] = apply((int) acc[from + i] + (bias == null ? 0 : bias[i]), i);
    }

    /** Requantizes int64 accumulators laid out [outer, channels, inner] (NCHW planes, or [N, M] with inner 1). */
    long[] applyPlanes(long[] acc, int channels, int inner) {
        long[] y = new long[acc.length];
        for (int base = 0, c = 0; base < acc.length; base += inner, c = c + 1 == channels ? 0 : c + 1)
            for (int i = base; i < base + inner; i++) y[i] = apply(acc[i], c);
        return y;
    }

    /** {@link #applyPlanes} into an i16 output held as shorts (the clamp keeps every value in range). */
    short[] applyPlanesToShorts(long[] acc, int channels, int inner) {
        short[] y = new short[acc.length];
        for (int base = 0, c = 0; base < acc.length; base += inner, c = c + 1 == channels ? 0 : c + 1)
            for (int i = base; i < base + inner; i++) y[i] = (short) apply(acc[i], c);
        return y;
    }
}
