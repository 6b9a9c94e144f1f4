package nncc.ir;

/**
 * The integer arithmetic of quantized inference, as TFLite's reference kernels and gemmlowp define it. Passes
 * call {@link #quantizeMultiplier} once to turn a real scale ratio into (multiplier, shift); kernels only call
 * {@link #multiplyByQuantizedMultiplier}. Every method is exact Java integer code with C++'s semantics
 * (truncating division, arithmetic shifts, int32 wrap where TFLite relies on it not happening).
 */
public final class FixedPoint {
    private FixedPoint() {}

    /** A real multiplier as a Q31 fixed-point {@code multiplier} in [2^30, 2^31) (or 0) and a power-of-two {@code shift}. */
    public record Multiplier(int multiplier, int shift) {
        /** The real value this stands for: multiplier * 2^(shift - 31). */
        public double value() { return multiplier * Math.pow(2, shift - 31); }
    }

    /**
     * TFLite's QuantizeMultiplier: {@code real = q * 2^shift} with q in [0.5, 1) rounded to Q31 (half away from
     * zero). Multipliers so small that shift < -31 become (0, 0); with {@code SINGLE_ROUND} shifts above 30
     * saturate to (2^31 - 1, 30), as TFLite does under TFLITE_SINGLE_ROUNDING.
     */
    public static Multiplier quantizeMultiplier(double real, Rounding rounding) {
        if (real == 0.0) return new Multiplier(0, 0);
        if (Double.isNaN(real) || Double.isInfinite(real)) throw new IllegalArgumentException("multiplier " + real + " is not finite");
        int shift = Math.getExponent(real) + 1; // frexp: real = q * 2^shift, |q| in [0.5, 1)
        double q = real / Math.pow(2, shift);
        if (Math.abs(q) < 0.5) { q *= 2; shift--; } // subnormals
        long qFixed = roundHalfAway(q * (1L << 31));
        if (qFixed == (1L << 31)) { qFixed /= 2; shift++; }
        if (shift < -31) return new Multiplier(0, 0);
        if (rounding == Rounding.SINGLE_ROUND && shift > 30) return new Multiplier(Integer.MAX_VALUE, 30);
        return new Multiplier((int) qFixed, shift);
    }

    /**
     * C's {@code round}: to the nearest integer, ties away from zero, exact for every double (the fraction
     * {@code |v| - floor(|v|)} is computed exactly, so 0.49999999999999994 gives 0 and odd integers in
     * [2^52, 2^53) stay themselves, where {@code floor(v + 0.5)} would be off by one). Saturates to the long range;
     * NaN gives 0 (callers that must not see NaN check for it first, naming the value).
     */
    public static long roundHalfAway(double v) {
        if (Double.isNaN(v)) return 0;
        double a = Math.abs(v), whole = Math.floor(a);
        long r = (long) whole + (a - whole >= 0.5 ? 1 : 0);
        return v < 0 ? -r : r;
    }

    /**
     * gemmlowp SaturatingRoundingDoublingHighMul: the high 32 bits of 2ab, ties rounded toward +infinity (the
     * nudge is 2^30 for ab >= 0 and 1 - 2^30 below, then a truncating division); MIN*MIN saturates.
     */
    public static int saturatingRoundingDoublingHighMul(int a, int b) {
        if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) return Integer.MAX_VALUE;
        long ab = (long) a * (long) b;
        long nudge = ab >= 0 ? (1L << 30) : (1 - (1L << 30));
        return (int) ((ab + nudge) / (1L << 31)); // Java division truncates toward zero, as C++
    }

    /** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from zero, exponent in [0, 31]. */
    public static int roundingDivideByPOT(int x, int exponent) {
        if (exponent < 0 || exponent > 31) throw new IllegalArgumentException("exponent " + exponent + " outside [0, 31]");
        int mask = (int) ((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /** The largest shift a multiplier may have in {@code rounding}: 7 for the int64 (Q15) form, else 30; the least is -31. */
    public static int maxShift(Rounding rounding) { return rounding.wide() ? 7 : 30; }

    /**
     * The requantization of an accumulator in {@code rounding}: the int32 forms for {@code DOUBLE_ROUND} and
     * {@code SINGLE_ROUND} (x must fit in int32), TFLite's int64 form for {@code SINGLE_ROUND_Q15}.
     */
    public static int requantize(long x, int multiplier, int shift, Rounding rounding) {
        if (rounding.wide()) return multiplyByQuantizedMultiplier(x, multiplier, shift);
        if (x != (int) x) throw new IllegalArgumentException("accumulator " + x + " does not fit int32 for " + rounding);
        return multiplyByQuantizedMultiplier((int) x, multiplier, shift, rounding);
    }

    /** TFLite MultiplyByQuantizedMultiplier for an int32 accumulator, in the given (int32) rounding mode. */
    public static int multiplyByQuantizedMultiplier(int x, int multiplier, int shift, Rounding rounding) {
        if (rounding.wide()) return multiplyByQuantizedMultiplier((long) x, multiplier, shift);
        if (rounding == Rounding.ONNX_FLOAT32)
            throw new IllegalArgumentException("onnx_float32 requantizes with the op's float scales (OnnxArithmetic), not a multiplier");
        if (rounding == Rounding.SINGLE_ROUND) {
            if (shift < -31 || shift > 30) throw new IllegalArgumentException("single-round shift " + shift + " outside [-31, 30]");
            long totalShift = 31 - shift;
            long round = 1L << (totalShift - 1);
            long result = ((long) x * multiplier + round) >> totalShift;
            return (int) result;
        }
        int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
        return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x * (1 << left), multiplier), right);
    }

    public static int multiplyByQuantizedMultiplier(int x, Multiplier m, Rounding rounding) {
        return multiplyByQuantizedMultiplier(x, m.multiplier(), m.shift(), rounding);
    }

    /**
     * TFLite's 64-bit-accumulator variant (int16x8 kernels; {@link Rounding#SINGLE_ROUND_Q15}): the multiplier
     * reduced to Q15, one rounding (ties toward +infinity);
     * x must lie in [-2^47, 2^47) and shift in [-31, 7].
     */
    public static int multiplyByQuantizedMultiplier(long x, int multiplier, int shift) {
        if (shift < -31 || shift > 7) throw new IllegalArgumentException("shift " + shift + " outside [-31, 7]");
        int reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
        int totalShift = 15 - shift;
        long r = x * reduced + (1L << (totalShift - 1));
        return (int) (r >> totalShift);
    }

    /**
     * The integer code of an already scaled real value {@code q = x / scale} (the caller divides in the precision
     * its op defines: float32 for TFLite's QUANTIZE): {@code saturate(roundHalfAway(q) + zeroPoint)} into {@code t};
     * NaN gives the zero point, infinities saturate.
     */
    public static long quantizeScaled(double q, long zeroPoint, DType t) {
        if (Double.isNaN(q)) return zeroPoint;
        double bounded = Math.max(-0x1p62, Math.min(0x1p62, q));
        long code = roundHalfAway(bounded) + zeroPoint;
        return Math.max(t.minValue(), Math.min(t.maxValue(), code));
    }

    /** Clamps to [lo, hi]. */
    public static int clamp(int v, int lo, int hi) { return v < lo ? lo : Math.min(v, hi); }
}
