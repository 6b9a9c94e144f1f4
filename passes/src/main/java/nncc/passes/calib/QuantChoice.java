package nncc.passes.calib;

import nncc.ir.DType;
import nncc.ir.QuantParams;

/**
 * Turns a real range into per-tensor quantization parameters for an integer type, the one place the
 * calibration and lowering passes make that choice.
 *
 * <ul>
 *   <li>Asymmetric (int8 and uint8 activations, TFLite's spec): the range is first widened to contain 0, then
 *       {@code scale = (max - min) / (qmax - qmin)} and {@code zp = round(qmin - min / scale)} clamped to
 *       [qmin, qmax], rounding half away from zero. The arithmetic is float32, as in the TFLite converter's
 *       {@code GetAsymmetricQuantizationParams}; rounding the zero point is TFLite's "nudging": the represented
 *       range becomes {@code [scale (qmin - zp), scale (qmax - zp)]}, on which 0 is exact.</li>
 *   <li>Symmetric (int16 activations, weights): {@code zp = 0}, {@code scale = max|x| / qmax}, e.g. 32767 for
 *       int16 or 127 for int8 weights (the grid is [-qmax, qmax]).</li>
 *   <li>Degenerate ranges (an all-zero value, or a range narrower than the float grid): the scale never goes
 *       below {@link #MIN_SCALE}, the float32 epsilon 2^-23 that PyTorch's observers also use as their floor, so
 *       every scale is positive and finite. An all-zero range thus gives scale 2^-23 and zp = qmin (asymmetric)
 *       or 0 (symmetric); zero stays exact either way.</li>
 * </ul>
 */
public final class QuantChoice {
    /** The smallest scale chosen: 2^-23 (about 1.19e-7), float32's machine epsilon, as PyTorch's observers. */
    public static final float MIN_SCALE = Math.ulp(1.0f);

    private QuantChoice() {}

    /**
     * The plan for a float activation quantized to {@code target}: asymmetric for I8 and U8, symmetric with zero
     * point 0 for I16 (TFLite's 16x8 scheme).
     */
    public static QuantParams forActivation(Range r, DType target) {
        return switch (target) {
            case I8, U8 -> asymmetric(r, target);
            case I16 -> symmetric(r, target);
            default -> throw new IllegalArgumentException("activations quantize to i8, u8 or i16, not " + target.text());
        };
    }

    /** Asymmetric parameters over the whole range of {@code target}. */
    public static QuantParams asymmetric(Range r, DType target) {
        return asymmetric(r.min(), r.max(), target.minValue(), target.maxValue());
    }

    /** Asymmetric parameters mapping {@code [min, max]} (widened to contain 0) onto {@code [qmin, qmax]}. */
    public static QuantParams asymmetric(double min, double max, long qmin, long qmax) {
        checkRange(min, max);
        if (qmin >= qmax) throw new IllegalArgumentException("empty integer range [" + qmin + ", " + qmax + "]");
        float lo = Math.min((float) min, 0f);
        float hi = Math.max((float) max, 0f);
        float qminF = qmin, qmaxF = qmax;
        float scale = Math.max((hi - lo) / (qmaxF - qminF), MIN_SCALE);
        float zeroPointFromMin = qminF - lo / scale;
        long zp;
        if (zeroPointFromMin < qminF) zp = qmin;
        else if (zeroPointFromMin > qmaxF) zp = qmax;
        else zp = roundHalfAwayFromZero(zeroPointFromMin);
        return QuantParams.perTensor(scale, zp);
    }

    /** Symmetric parameters (zero point 0) with {@code scale = max(|min|, |max|) / target.maxValue()}. */
    public static QuantParams symmetric(Range r, DType target) {
        return symmetric(r.absMax(), target.maxValue());
    }

    /** Symmetric parameters: zero point 0, {@code scale = absMax / qmax}, never below {@link #MIN_SCALE}. */
    public static QuantParams symmetric(double absMax, long qmax) {
        if (!(absMax >= 0) || Double.isInfinite(absMax))
            throw new IllegalArgumentException("symmetric quantization needs a finite max |x| >= 0, got " + absMax);
        if (qmax < 1) throw new IllegalArgumentException("qmax must be >= 1, got " + qmax);
        float scale = Math.max((float) absMax / (float) qmax, MIN_SCALE);
        return QuantParams.perTensor(scale, 0);
    }

    /** The largest value of a signed {@code bits}-bit symmetric grid: {@code 2^(bits-1) - 1} (127 for 8 bits). */
    public static long symmetricQmax(int bits) {
        if (bits < 2 || bits > 32) throw new IllegalArgumentException("bit width must be 2..32, got " + bits);
        return (1L << (bits - 1)) - 1;
    }

    /** The real interval {@code [scale (qmin - zp), scale (qmax - zp)]} that per-tensor {@code q} represents. */
    public static Range representable(QuantParams q, DType target) {
        if (q.isPerAxis()) throw new IllegalArgumentException("per-axis parameters have no single range: " + q);
        double s = q.scale(0);
        long zp = q.zeroPoint(0);
        return new Range(s * (target.minValue() - zp), s * (target.maxValue() - zp));
    }

    /** C's {@code std::round}: halves go away from zero (Java's Math.round sends -2.5 to -2, this to -3). */
    static long roundHalfAwayFromZero(double x) {
        double a = Math.abs(x);
        double r = Math.floor(a);
        if (a - r >= 0.5) r += 1;
        return (long) Math.copySign(r, x);
    }

    private static void checkRange(double min, double max) {
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max)
            throw new IllegalArgumentException("cannot quantize the range [" + min + ", " + max + "]");
    }
}
