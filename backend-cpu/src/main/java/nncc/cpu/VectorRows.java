package nncc.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API forms of the row loops of {@link DepthwiseRows}: the same fused multiply-adds per element, a vector of
 * elements at a time (strided input read by a gather). Only loaded when {@code jdk.incubator.vector} is present.
 */
final class VectorRows {
    private VectorRows() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Gather index maps {0, s, 2s, ...} for strides 2 to 4. */
    private static final int[][] STRIDE_MAPS = new int[5][];

    static {
        for (int s = 2; s < STRIDE_MAPS.length; s++) {
            STRIDE_MAPS[s] = new int[L];
            for (int i = 0; i < L; i++) STRIDE_MAPS[s][i] = i * s;
        }
    }

    /** {@code acc[a + i] = fma(w, x[b + i * stride], acc[a + i])} for i in [0, count). */
    static void axpy(float w, float[] x, int b, int stride, float[] acc, int a, int count) {
        FloatVector wv = FloatVector.broadcast(S, w);
        int i = 0;
        if (stride == 1) {
            for (; i + L <= count; i += L)
                wv.fma(FloatVector.fromArray(S, x, b + i), FloatVector.fromArray(S, acc, a + i)).intoArray(acc, a + i);
            if (i < count && b + i + L <= x.length && a + i + L <= acc.length) { // masked accesses past an array's end are slow
                VectorMask<Float> m = S.indexInRange(i, count);
                wv.fma(FloatVector.fromArray(S, x, b + i, m), FloatVector.fromArray(S, acc, a + i, m)).intoArray(acc, a + i, m);
                return;
            }
        }
        else if (stride < STRIDE_MAPS.length) {
            int[] map = STRIDE_MAPS[stride];
            for (; i + L <= count; i += L)
                wv.fma(FloatVector.fromArray(S, x, b + i * stride, map, 0), FloatVector.fromArray(S, acc, a + i)).intoArray(acc, a + i);
        }
        for (; i < count; i++) acc[a + i] = Math.fma(w, x[b + i * stride], acc[a + i]);
    }

    /**
     * {@code acc[i] = fma(w[wOff + t], x[from[t] + i], ... fma(w[wOff], x[from[0] + i], init))} for i in [0, count): every
     * tap of a depthwise window in order, the sum kept in a register instead of going through {@code acc} once per tap;
     * the same fused multiply-adds per element as {@link #axpy} tap after tap starting from {@code init}.
     */
    static void taps(float init, float[] x, int[] from, float[] w, int wOff, float[] acc, int count) {
        int taps = from.length, i = 0;
        FloatVector start = FloatVector.broadcast(S, init);
        for (; i + L <= count; i += L) {
            FloatVector v = start;
            for (int t = 0; t < taps; t++) v = FloatVector.broadcast(S, w[wOff + t]).fma(FloatVector.fromArray(S, x, from[t] + i), v);
            v.intoArray(acc, i);
        }
        for (; i < count; i++) {
            float v = init;
            for (int t = 0; t < taps; t++) v = Math.fma(w[wOff + t], x[from[t] + i], v);
            acc[i] = v;
        }
    }
}
