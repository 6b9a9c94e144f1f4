package nncc.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API matrix product of {@link PolyphaseConvolution}: {@code C = bias + A * B} where row p of B is not
 * copied out but read where it lies, {@code buf[rowOffsets[p] + j]} (one tap's window over a channel's zero-padded
 * polyphase plane), so the column matrix is never written. A is packed in {@link VectorGemm#pack panels} of 4 rows;
 * blocks of 4 rows by 4, 2 or 1 vectors of C stay in registers over all of k. Each element of C is
 * {@code fma(a_p, b_p, ...)} in increasing p starting from its row's bias, as an accumulator filled with the bias and
 * passed through {@link VectorGemm#multiplyAdd}: the same floats. Whole vectors only: C's rows are {@code vectors}
 * vectors long (the caller's row stride), and rows of B must have that many floats readable from their offsets.
 */
final class PlaneGemm {
    private PlaneGemm() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector: C's row stride is a multiple of it. */
    static final int L = S.length();
    private static final int ROWS = VectorGemm.ROWS;

    /**
     * Rows {@code [i0, i1)} of {@code C[i][j] = bias[biasOff + i] + sum_p A[i][p] * buf[rowOffsets[p] + j]} for j in
     * {@code [0, vectors * L)}, A [m, k] as panels, C from {@code c[0]} with row stride {@code vectors * L}; bias may
     * be null (then 0). {@code i0} is a multiple of 4.
     */
    static void multiply(int m, int k, float[] panels, int[] rowOffsets, float[] buf, int vectors, float[] bias, int biasOff,
                         float[] c, int i0, int i1) {
        multiply(m, k, panels, rowOffsets, buf, vectors, bias, biasOff, c, i0, i1, 0);
    }

    /** As {@link #multiply(int, int, float[], int[], float[], int, float[], int, float[], int, int)} with row i of C at row {@code i - cRow0} of {@code c}. */
    static void multiply(int m, int k, float[] panels, int[] rowOffsets, float[] buf, int vectors, float[] bias, int biasOff,
                         float[] c, int i0, int i1, int cRow0) {
        int ldc = vectors * L, full = Math.min(i1, m - m % ROWS);
        for (int i = i0; i < full; i += ROWS) {
            int aOff = i * k, ci = (i - cRow0) * ldc;
            float b0 = biasOf(bias, biasOff + i), b1 = biasOf(bias, biasOff + i + 1), b2 = biasOf(bias, biasOff + i + 2), b3 = biasOf(bias, biasOff + i + 3);
            int v = 0;
            for (; v + 4 <= vectors; v += 4) block4(k, panels, aOff, rowOffsets, buf, v * L, b0, b1, b2, b3, c, ci + v * L, ldc);
            for (; v + 2 <= vectors; v += 2) block2(k, panels, aOff, rowOffsets, buf, v * L, b0, b1, b2, b3, c, ci + v * L, ldc);
            if (v < vectors) block1(k, panels, aOff, rowOffsets, buf, v * L, b0, b1, b2, b3, c, ci + v * L, ldc);
        }
        for (int i = Math.max(i0, full); i < i1; i++) { // rows past the last whole panel
            int aOff = (i - i % ROWS) * k + i % ROWS;
            float b = biasOf(bias, biasOff + i);
            for (int v = 0; v < vectors; v++) row(k, panels, aOff, rowOffsets, buf, v * L, b, c, (i - cRow0) * ldc + v * L);
        }
    }

    private static float biasOf(float[] bias, int i) { return bias == null ? 0f : bias[i]; }

    private static void block4(int k, float[] a, int aOff, int[] off, float[] b, int j, float b0, float b1, float b2, float b3,
                               float[] c, int c0, int ldc) {
        FloatVector s0 = FloatVector.broadcast(S, b0), s1 = FloatVector.broadcast(S, b1), s2 = FloatVector.broadcast(S, b2), s3 = FloatVector.broadcast(S, b3);
        FloatVector r00 = s0, r01 = s0, r02 = s0, r03 = s0, r10 = s1, r11 = s1, r12 = s1, r13 = s1;
        FloatVector r20 = s2, r21 = s2, r22 = s2, r23 = s2, r30 = s3, r31 = s3, r32 = s3, r33 = s3;
        for (int p = 0, ap = aOff; p < k; p++, ap += ROWS) {
            int bp = off[p] + j;
            FloatVector x0 = FloatVector.fromArray(S, b, bp), x1 = FloatVector.fromArray(S, b, bp + L),
                    x2 = FloatVector.fromArray(S, b, bp + 2 * L), x3 = FloatVector.fromArray(S, b, bp + 3 * L);
            FloatVector w = FloatVector.broadcast(S, a[ap]);
            r00 = w.fma(x0, r00); r01 = w.fma(x1, r01); r02 = w.fma(x2, r02); r03 = w.fma(x3, r03);
            w = FloatVector.broadcast(S, a[ap + 1]);
            r10 = w.fma(x0, r10); r11 = w.fma(x1, r11); r12 = w.fma(x2, r12); r13 = w.fma(x3, r13);
            w = FloatVector.broadcast(S, a[ap + 2]);
            r20 = w.fma(x0, r20); r21 = w.fma(x1, r21); r22 = w.fma(x2, r22); r23 = w.fma(x3, r23);
            w = FloatVector.broadcast(S, a[ap + 3]);
            r30 = w.fma(x0, r30); r31 = w.fma(x1, r31); r32 = w.fma(x2, r32); r33 = w.fma(x3, r33);
        }
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        r00.intoArray(c, c0); r01.intoArray(c, c0 + L); r02.intoArray(c, c0 + 2 * L); r03.intoArray(c, c0 + 3 * L);
        r10.intoArray(c, c1); r11.intoArray(c, c1 + L); r12.intoArray(c, c1 + 2 * L); r13.intoArray(c, c1 + 3 * L);
        r20.intoArray(c, c2); r21.intoArray(c, c2 + L); r22.intoArray(c, c2 + 2 * L); r23.intoArray(c, c2 + 3 * L);
        r30.intoArray(c, c3); r31.intoArray(c, c3 + L); r32.intoArray(c, c3 + 2 * L); r33.intoArray(c, c3 + 3 * L);
    }

    private static void block2(int k, float[] a, int aOff, int[] off, float[] b, int j, float b0, float b1, float b2, float b3,
                               float[] c, int c0, int ldc) {
        FloatVector r00 = FloatVector.broadcast(S, b0), r01 = r00, r10 = FloatVector.broadcast(S, b1), r11 = r10;
        FloatVector r20 = FloatVector.broadcast(S, b2), r21 = r20, r30 = FloatVector.broadcast(S, b3), r31 = r30;
        for (int p = 0, ap = aOff; p < k; p++, ap += ROWS) {
            int bp = off[p] + j;
            FloatVector x0 = FloatVector.fromArray(S, b, bp), x1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector w = FloatVector.broadcast(S, a[ap]);
            r00 = w.fma(x0, r00); r01 = w.fma(x1, r01);
            w = FloatVector.broadcast(S, a[ap + 1]);
            r10 = w.fma(x0, r10); r11 = w.fma(x1, r11);
            w = FloatVector.broadcast(S, a[ap + 2]);
            r20 = w.fma(x0, r20); r21 = w.fma(x1, r21);
            w = FloatVector.broadcast(S, a[ap + 3]);
            r30 = w.fma(x0, r30); r31 = w.fma(x1, r31);
        }
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        r00.intoArray(c, c0); r01.intoArray(c, c0 + L);
        r10.intoArray(c, c1); r11.intoArray(c, c1 + L);
        r20.intoArray(c, c2); r21.intoArray(c, c2 + L);
        r30.intoArray(c, c3); r31.intoArray(c, c3 + L);
    }

    private static void block1(int k, float[] a, int aOff, int[] off, float[] b, int j, float b0, float b1, float b2, float b3,
                               float[] c, int c0, int ldc) {
        FloatVector r0 = FloatVector.broadcast(S, b0), r1 = FloatVector.broadcast(S, b1), r2 = FloatVector.broadcast(S, b2), r3 = FloatVector.broadcast(S, b3);
        for (int p = 0, ap = aOff; p < k; p++, ap += ROWS) {
            FloatVector x = FloatVector.fromArray(S, b, off[p] + j);
            r0 = FloatVector.broadcast(S, a[ap]).fma(x, r0);
            r1 = FloatVector.broadcast(S, a[ap + 1]).fma(x, r1);
            r2 = FloatVector.broadcast(S, a[ap + 2]).fma(x, r2);
            r3 = FloatVector.broadcast(S, a[ap + 3]).fma(x, r3);
        }
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        r0.intoArray(c, c0); r1.intoArray(c, c1); r2.intoArray(c, c2); r3.intoArray(c, c3);
    }

    /** One row of C (its panel elements at {@code aOff + p * 4}) x 1 vector. */
    private static void row(int k, float[] a, int aOff, int[] off, float[] b, int j, float bias, float[] c, int ci) {
        FloatVector r = FloatVector.broadcast(S, bias);
        for (int p = 0, ap = aOff; p < k; p++, ap += ROWS) r = FloatVector.broadcast(S, a[ap]).fma(FloatVector.fromArray(S, b, off[p] + j), r);
        r.intoArray(c, ci);
    }
}
