package nncc.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The last columns of a {@link VectorGemm} product (fewer than one vector's worth, such as the 49th column of a 7x7
 * map), vectorized over rows of A instead: A comes column-major ({@link VectorGemm#packColumns}), a vector of C's
 * rows at one column is gathered from C, accumulates {@code fma(a_p, b_p, ...)} in increasing p, and is scattered back.
 * The same fused multiply-adds per element in the same order as the other kernels. Only loaded when
 * {@code jdk.incubator.vector} is present.
 */
final class ColumnTail {
    private ColumnTail() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /**
     * {@code C[i][j] += sum_p A[i][p] * B[p][j]} for columns j in [j0, n) and rows i in [0, m), A's column p at
     * {@code columns[aOff + p * stride]}, B [k, n] with row stride ldb.
     */
    static void multiplyAdd(int m, int k, float[] columns, int aOff, int stride, float[] b, int bOff, int ldb, int j0, int n,
                            float[] c, int cOff, int ldc) {
        int[] rowIndex = new int[L];
        for (int i = 0; i < m; i += L) {
            // gathers and scatters check every lane's index, masked or not: lanes past row m point at row 0
            for (int l = 0; l < L; l++) rowIndex[l] = i + l < m ? l * ldc : 0;
            VectorMask<Float> rows = S.indexInRange(i, m);
            int j = j0;
            for (; j + 4 <= n; j += 4) columns4(k, columns, aOff + i, stride, b, bOff + j, ldb, c, cOff + i * ldc + j, rowIndex, rows);
            for (; j < n; j++) column(k, columns, aOff + i, stride, b, bOff + j, ldb, c, cOff + i * ldc + j, rowIndex, rows);
        }
    }

    private static void column(int k, float[] a, int ai, int stride, float[] b, int bj, int ldb, float[] c, int cij, int[] rowIndex,
                               VectorMask<Float> rows) {
        FloatVector r = FloatVector.fromArray(S, c, cij, rowIndex, 0, rows);
        for (int p = 0, ap = ai, bp = bj; p < k; p++, ap += stride, bp += ldb)
            r = FloatVector.fromArray(S, a, ap).fma(FloatVector.broadcast(S, b[bp]), r);
        r.intoArray(c, cij, rowIndex, 0, rows);
    }

    private static void columns4(int k, float[] a, int ai, int stride, float[] b, int bj, int ldb, float[] c, int cij, int[] rowIndex,
                                 VectorMask<Float> rows) {
        FloatVector r0 = FloatVector.fromArray(S, c, cij, rowIndex, 0, rows), r1 = FloatVector.fromArray(S, c, cij + 1, rowIndex, 0, rows),
                r2 = FloatVector.fromArray(S, c, cij + 2, rowIndex, 0, rows), r3 = FloatVector.fromArray(S, c, cij + 3, rowIndex, 0, rows);
        for (int p = 0, ap = ai, bp = bj; p < k; p++, ap += stride, bp += ldb) {
            FloatVector w = FloatVector.fromArray(S, a, ap);
            r0 = w.fma(FloatVector.broadcast(S, b[bp]), r0);
            r1 = w.fma(FloatVector.broadcast(S, b[bp + 1]), r1);
            r2 = w.fma(FloatVector.broadcast(S, b[bp + 2]), r2);
            r3 = w.fma(FloatVector.broadcast(S, b[bp + 3]), r3);
        }
        r0.intoArray(c, cij, rowIndex, 0, rows); r1.intoArray(c, cij + 1, rowIndex, 0, rows);
        r2.intoArray(c, cij + 2, rowIndex, 0, rows); r3.intoArray(c, cij + 3, rowIndex, 0, rows);
    }
}
