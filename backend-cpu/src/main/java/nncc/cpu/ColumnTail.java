package nncc.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The last columns of a {@link VectorGemm} product (fewer than one vector's worth, such as the 49th column of a 7x7
 * map), vectorized over rows of A instead: A comes column-major ({@link VectorGemm#packColumns}); for one column of C,
 * four vectors of its rows are copied out, accumulate {@code fma(a_p, b_p, ...)} in increasing p as four independent
 * chains, and are copied back. The same fused multiply-adds per element in the same order as the other kernels. Only
 * loaded when {@code jdk.incubator.vector} is present.
 */
final class ColumnTail {
    private ColumnTail() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of C per block: four vectors. */
    static final int BLOCK = 4 * L;

    /**
     * {@code C[i][j] += sum_p A[i][p] * B[p][j]} for columns j in [j0, n) and rows i in [0, m), A's column p at
     * {@code columns[aOff + p * stride]} (readable for {@link #BLOCK} rows from every multiple of it below m), B [k, n]
     * with row stride ldb.
     */
    static void multiplyAdd(int m, int k, float[] columns, int aOff, int stride, float[] b, int bOff, int ldb, int j0, int n,
                            float[] c, int cOff, int ldc) {
        float[] t = new float[BLOCK];
        for (int j = j0; j < n; j++)
            for (int i = 0; i < m; i += BLOCK) {
                int rows = Math.min(BLOCK, m - i);
                for (int r = 0; r < rows; r++) t[r] = c[cOff + (i + r) * ldc + j];
                block(k, columns, aOff + i, stride, b, bOff + j, ldb, t);
                for (int r = 0; r < rows; r++) c[cOff + (i + r) * ldc + j] = t[r];
            }
    }

    /** Four vectors of rows of one column: {@code t[r] = fma(A[r][p], B[p], t[r])} for p in [0, k). */
    private static void block(int k, float[] a, int ai, int stride, float[] b, int bj, int ldb, float[] t) {
        FloatVector r0 = FloatVector.fromArray(S, t, 0), r1 = FloatVector.fromArray(S, t, L),
                r2 = FloatVector.fromArray(S, t, 2 * L), r3 = FloatVector.fromArray(S, t, 3 * L);
        for (int p = 0, ap = ai, bp = bj; p < k; p++, ap += stride, bp += ldb) {
            FloatVector x = FloatVector.broadcast(S, b[bp]);
            r0 = FloatVector.fromArray(S, a, ap).fma(x, r0);
            r1 = FloatVector.fromArray(S, a, ap + L).fma(x, r1);
            r2 = FloatVector.fromArray(S, a, ap + 2 * L).fma(x, r2);
            r3 = FloatVector.fromArray(S, a, ap + 3 * L).fma(x, r3);
        }
        r0.intoArray(t, 0); r1.intoArray(t, L); r2.intoArray(t, 2 * L); r3.intoArray(t, 3 * L);
    }
}
