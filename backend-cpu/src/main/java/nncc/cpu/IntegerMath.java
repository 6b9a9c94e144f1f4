package nncc.cpu;

import nncc.ir.DType;

/** Integer helpers shared by the kernels: numpy-style wrap-around, saturation, and round-half-to-even. */
final class IntegerMath {
    private IntegerMath() {}

    /** {@code v} wrapped into integer type {@code t} as a two's-complement cast would (bool: nonzero is 1). */
    static long wrap(DType t, long v) {
        return switch (t) {
            case I64 -> v;
            case I32 -> (int) v;
            case I16 -> (short) v;
            case I8 -> (byte) v;
            case U8 -> v & 0xFF;
            case I4 -> (v << 60) >> 60;
            case BOOL -> v != 0 ? 1 : 0;
            default -> throw new IllegalArgumentException(t.text() + " is not an integer type");
        };
    }

    /** {@code v} clamped to the range of integer type {@code t}. */
    static long saturate(DType t, long v) { return Math.max(t.minValue(), Math.min(t.maxValue(), v)); }

    /**
     * {@code v} rounded to the nearest integer, ties to even (numpy {@code rint}), plus {@code zeroPoint}, then
     * clamped to the range of {@code t}. NaN maps to the zero point.
     */
    static long roundHalfEvenAndSaturate(double v, long zeroPoint, DType t) {
        double r = Math.rint(v);
        if (Double.isNaN(r)) r = 0;
        // clamp before converting so that huge values cannot overflow the addition of the zero point
        r = Math.max(-0x1p62, Math.min(0x1p62, r));
        return saturate(t, (long) r + zeroPoint);
    }

    /** Elements of an integer array as int32 values minus {@code zeroPoint}. */
    static int[] minusZeroPoint(long[] q, long zeroPoint) {
        int[] r = new int[q.length];
        for (int i = 0; i < r.length; i++) r[i] = (int) (q[i] - zeroPoint);
        return r;
    }

    /** The same for i16 elements held as shorts. */
    static int[] minusZeroPoint(short[] q, long zeroPoint) {
        int[] r = new int[q.length];
        int zp = (int) zeroPoint;
        for (int i = 0; i < r.length; i++) r[i] = q[i] - zp;
        return r;
    }
}
