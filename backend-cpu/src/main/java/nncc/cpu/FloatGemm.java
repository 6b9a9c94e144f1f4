package nncc.cpu;

/**
 * Float matrix products {@code C += A * B} whose left operand A [m, k] is prepared once ({@link #pack}) for the
 * kernel set that runs them: kept row-major for the scalar {@link MatrixProduct}, or packed into panels of
 * {@link VectorGemm#ROWS} interleaved rows for the Vector API micro-kernel. Constant weights are packed when the model
 * is loaded; a run-time operand is packed per call (a copy of m * k elements). Both paths accumulate each element of C
 * as a chain of fused multiply-adds in increasing k, so they give the same floats.
 */
final class FloatGemm {
    private FloatGemm() {}

    /**
     * A prepared left operand: {@code rows} row-major [m, k] for the scalar path, or {@code panels} for the vector one,
     * with {@code columns} (column-major, see {@link #packForReuse}) or null.
     */
    record Packed(int m, int k, float[] rows, float[] panels, float[] columns) {
        Packed(int m, int k, float[] rows, float[] panels) { this(m, k, rows, panels, null); }

        boolean vector() { return panels != null; }

        /** Element (i, p) of A. */
        float element(int i, int p) {
            return rows != null ? rows[i * k + p] : panels[i / VectorGemm.ROWS * VectorGemm.ROWS * k + p * VectorGemm.ROWS + i % VectorGemm.ROWS];
        }
    }

    /**
     * As {@link #pack}, and for the vector kernels also packed column-major for their last columns ({@link ColumnTail}):
     * for operands packed once and used many times (constant weights).
     */
    static Packed packForReuse(float[] a, int off, int m, int k, KernelSet kernels) {
        Packed p = pack(a, off, m, k, kernels);
        if (!p.vector() || m == 0 || k == 0) return p;
        return new Packed(m, k, null, p.panels(), VectorGemm.packColumns(a, off, m, k));
    }

    /** Prepares rows {@code [off, off + m * k)} of {@code a} (row-major [m, k]) for {@code kernels}. */
    static Packed pack(float[] a, int off, int m, int k, KernelSet kernels) {
        if (kernels.supported() == KernelSet.VECTOR) return new Packed(m, k, null, VectorGemm.pack(a, off, m, k));
        float[] rows = new float[m * k];
        System.arraycopy(a, off, rows, 0, rows.length);
        return new Packed(m, k, rows, null);
    }

    /**
     * As {@link #multiplyAdd} for rows {@code [i0, i1)} of A and C only ({@code i0} a multiple of {@link VectorGemm#ROWS});
     * each element is the same float as in the whole product.
     */
    static void multiplyAddRows(Packed a, int i0, int i1, float[] b, int bOff, int ldb, int n, float[] c, int cOff, int ldc) {
        if (i1 <= i0) return;
        if (a.vector()) VectorGemm.multiplyAdd(i1 - i0, a.k(), a.panels(), i0 * a.k(), a.columns(), i0, b, bOff, ldb, n, c, cOff + i0 * ldc, ldc);
        else MatrixProduct.multiplyAdd(i1 - i0, n, a.k(), a.rows(), i0 * a.k(), a.k(), b, bOff, ldb, c, cOff + i0 * ldc, ldc);
    }

    /**
     * As {@link #multiplyAdd} with the rows of A and C split over {@code parallel}'s threads (at multiples of
     * {@link VectorGemm#ROWS}, so each element is the same float).
     */
    static void multiplyAdd(Packed a, float[] b, int bOff, int ldb, int n, float[] c, int cOff, int ldc, Parallel parallel) {
        parallel.forEach(a.m(), VectorGemm.ROWS, (long) a.m() * a.k() * n,
                (i0, i1) -> multiplyAddRows(a, i0, i1, b, bOff, ldb, n, c, cOff, ldc));
    }

    /**
     * {@code C += A * B} for a run-time A, row-major [m, k] at {@code aOff}: a single row goes to the vector kernels in
     * place, more rows are packed first.
     */
    static void multiplyAddRowMajor(float[] a, int aOff, int m, int k, float[] b, int bOff, int ldb, int n, float[] c, int cOff, int ldc,
                                    KernelSet kernels) {
        if (m == 1 && kernels.supported() == KernelSet.VECTOR) VectorGemm.multiplyAddRow(k, a, aOff, b, bOff, ldb, n, c, cOff);
        else multiplyAdd(pack(a, aOff, m, k, kernels), b, bOff, ldb, n, c, cOff, ldc);
    }

    /** {@code C[i][j] += sum_p A[i][p] * B[p][j]} for B [k, n] at {@code bOff} with row stride {@code ldb}. */
    static void multiplyAdd(Packed a, float[] b, int bOff, int ldb, int n, float[] c, int cOff, int ldc) {
        if (a.vector()) VectorGemm.multiplyAdd(a.m(), a.k(), a.panels(), 0, a.columns(), 0, b, bOff, ldb, n, c, cOff, ldc);
        else MatrixProduct.multiplyAdd(a.m(), n, a.k(), a.rows(), 0, a.k(), b, bOff, ldb, c, cOff, ldc);
    }
}
