package nncc.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import nncc.ir.Rounding;

/**
 * The {@link Requantizer} output stage a vector of accumulators at a time, bit for bit the same integers: each lane
 * is widened to 64 bits and goes through TFLite's MultiplyByQuantizedMultiplier written with shifts (division by
 * 2^31 toward zero as an arithmetic shift of {@code s + (s < 0 ? 2^31 - 1 : 0)}), with every int32 wrap-around of the
 * scalar code reproduced by sign-extending the low 32 bits. Channels whose multiplier is {@code Integer.MIN_VALUE}
 * (where SaturatingRoundingDoublingHighMul saturates), shifts outside the scalar code's range, and lanes past a
 * vector multiple take the scalar code. Only
 * loaded when {@code jdk.incubator.vector} is present.
 */
final class VectorRequantizer {
    private VectorRequantizer() {}

    static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    private static final int N = LS.length();
    private static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, VectorShape.forBitSize(LS.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, VectorShape.forBitSize(LS.vectorBitSize() / 2));
    private static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class, VectorShape.forBitSize(LS.vectorBitSize() / 8));
    /** The first n lanes of a byte result, for n in [0, N]. */
    @SuppressWarnings("unchecked")
    private static final VectorMask<Byte>[] BYTE_PREFIX = new VectorMask[N + 1];

    static {
        for (int n = 0; n <= N; n++) BYTE_PREFIX[n] = BS.indexInRange(0, n);
    }

    /** As {@link Requantizer#applyRun(int, float[], int, int, int, long[], int)}. */
    static void applyRun(Requantizer rq, int c, float[] acc, int from, int count, int bias, long[] y, int dst) {
        int i = 0;
        if (supported(rq, c))
            for (; i + N <= count; i += N) {
                LongVector v = (LongVector) FloatVector.fromArray(FS, acc, from + i).convertShape(VectorOperators.F2L, LS, 0);
                requantize(rq, c, v, bias, floatSumMayWrap(bias)).intoArray(y, dst + i);
            }
        for (; i < count; i++) y[dst + i] = rq.apply((int) acc[from + i] + bias, c);
    }

    /** As {@link Requantizer#applyRun(int, int[], int, int, int, long[], int)}. */
    static void applyRun(Requantizer rq, int c, int[] acc, int from, int count, int bias, long[] y, int dst) {
        int i = 0;
        if (supported(rq, c))
            for (; i + N <= count; i += N) {
                LongVector v = (LongVector) IntVector.fromArray(IS, acc, from + i).convertShape(VectorOperators.I2L, LS, 0);
                requantize(rq, c, v, bias).intoArray(y, dst + i);
            }
        for (; i < count; i++) y[dst + i] = rq.apply(acc[from + i] + bias, c);
    }

    /** As {@link Requantizer#applyRun(int, float[], int, int, int, byte[], int)}. */
    static void applyRun(Requantizer rq, int c, float[] acc, int from, int count, int bias, byte[] y, int dst) {
        int i = 0;
        if (supported(rq, c)) {
            for (; i + N <= count; i += N) {
                LongVector v = (LongVector) FloatVector.fromArray(FS, acc, from + i).convertShape(VectorOperators.F2L, LS, 0);
                ((ByteVector) requantize(rq, c, v, bias, floatSumMayWrap(bias)).convertShape(VectorOperators.L2B, BS, 0)).intoArray(y, dst + i);
            }
            if (i < count && from + i + N <= acc.length && dst + i + N <= y.length) { // the last lanes, the rest masked off
                LongVector v = (LongVector) FloatVector.fromArray(FS, acc, from + i).convertShape(VectorOperators.F2L, LS, 0);
                ((ByteVector) requantize(rq, c, v, bias, true).convertShape(VectorOperators.L2B, BS, 0)).intoArray(y, dst + i, BYTE_PREFIX[count - i]);
                return;
            }
        }
        for (; i < count; i++) y[dst + i] = (byte) rq.apply((int) acc[from + i] + bias, c);
    }

    /** As {@link Requantizer#applyRun(int, int[], int, int, int, byte[], int)}. */
    static void applyRun(Requantizer rq, int c, int[] acc, int from, int count, int bias, byte[] y, int dst) {
        int i = 0;
        if (supported(rq, c))
            for (; i + N <= count; i += N) {
                LongVector v = (LongVector) IntVector.fromArray(IS, acc, from + i).convertShape(VectorOperators.I2L, LS, 0);
                ((ByteVector) requantize(rq, c, v, bias).convertShape(VectorOperators.L2B, BS, 0)).intoArray(y, dst + i);
            }
        for (; i < count; i++) y[dst + i] = (byte) rq.apply(acc[from + i] + bias, c);
    }

    /** Whether an exact-float accumulator (|acc| < 2^24) plus {@code bias} may leave int32. */
    private static boolean floatSumMayWrap(int bias) { return Math.abs((long) bias) >= (1L << 31) - (1L << 24); }

    /**
     * Whether channel c's numbers are ones the vector form reproduces: not the saturating multiplier, and shifts the
     * scalar code accepts (it throws on others, which the scalar fallback then does too).
     */
    private static boolean supported(Requantizer rq, int c) { return supports(rq.multiplier(c), rq.shift(c), rq.rounding()); }

    /** Lanes holding int32 accumulators (before the bias) to clamped outputs. */
    private static LongVector requantize(Requantizer rq, int c, LongVector acc, int bias) { return requantize(rq, c, acc, bias, true); }

    /**
     * As {@link #requantize(Requantizer, int, LongVector, int)}; {@code mayWrap} false promises that accumulator plus
     * bias stays inside int32 (true of exact-float accumulators, below 2^24, with a bias below 2^31 - 2^24).
     */
    private static LongVector requantize(Requantizer rq, int c, LongVector acc, int bias, boolean mayWrap) {
        LongVector sum = acc.add(bias);
        LongVector r = multiplyByQuantizedMultiplier(mayWrap ? wrap32(sum) : sum, rq.multiplier(c), rq.shift(c), rq.rounding());
        return wrap32(r.add(rq.outputZp())).max(rq.lo()).min(rq.hi());
    }

    /**
     * Whether {@link #multiplyByQuantizedMultiplier} reproduces the scalar function for these numbers: not the
     * saturating multiplier, and shifts the scalar code accepts (it throws on others; callers then run it).
     */
    static boolean supports(int multiplier, int shift, Rounding rounding) {
        if (multiplier == Integer.MIN_VALUE) return false;
        if (rounding == Rounding.SINGLE_ROUND) return shift >= -31 && shift <= 30;
        return rounding == Rounding.DOUBLE_ROUND && shift >= -31; // other modes (int64, or added later) take the scalar code
    }

    /** {@link nncc.ir.FixedPoint#multiplyByQuantizedMultiplier(int, int, int, Rounding)} of lanes holding int32 values. */
    static LongVector multiplyByQuantizedMultiplier(LongVector x, long m, int shift, Rounding rounding) {
        if (rounding == Rounding.SINGLE_ROUND) {
            int total = 31 - shift;
            return wrap32(x.mul(m).add(1L << (total - 1)).lanewise(VectorOperators.ASHR, (long) total));
        }
        int left = Math.max(shift, 0), right = Math.max(-shift, 0);
        if (left > 0) x = wrap32(x.lanewise(VectorOperators.LSHL, (long) left));
        // SaturatingRoundingDoublingHighMul: (ab + nudge) / 2^31 toward zero with nudge 2^30, or 1 - 2^30 below 0, which
        // for every ab is floor((ab + 2^30) / 2^31), an arithmetic shift. With |x|, |m| <= 2^31 and m != -2^31 (see
        // supports) the quotient stays inside int32: no wrap needed.
        LongVector q = x.mul(m).add(1L << 30).lanewise(VectorOperators.ASHR, 31L);
        if (right == 0) return q;
        // RoundingDivideByPOT(q, right), ties away from zero: floor((q + 2^(right-1) - (q < 0 ? 1 : 0)) / 2^right)
        return q.add(q.lanewise(VectorOperators.ASHR, 63L)).add(1L << (right - 1)).lanewise(VectorOperators.ASHR, (long) right);
    }

    /** The low 32 bits of every lane, sign-extended: Java's {@code (int)} cast. */
    static LongVector wrap32(LongVector v) {
        return v.lanewise(VectorOperators.LSHL, 32L).lanewise(VectorOperators.ASHR, 32L);
    }
}
