package nncc.cpu;

/**
 * Dense row-major matrix products {@code C += A * B} (A is m x k, B is k x n) with offsets and leading
 * dimensions, for float, double and int32 data. The float loop is blocked over columns and computes two rows
 * at a time, four k steps per pass, as chains of fused multiply-adds: scalar code with enough independent work
 * per iteration to keep the FMA units busy (HotSpot does not auto-vectorize this shape; about 7.5 GMAC/s per
 * core measured). Each output element always accumulates its k terms in increasing order, so results do not
 * depend on how callers split rows or columns (for example the batch size).
 */
final class MatrixProduct {
    private MatrixProduct() {}

    /** Columns per block: four rows of B and two of C of this length stay in L1. */
    private static final int COLUMN_BLOCK = 512;

    /**
     * {@code C[i][j] += sum_k A[i][k] * B[k][j]} for float data. Every element is accumulated as a chain of fused
     * multiply-adds in increasing k, whichever block or row pair it falls in.
     */
    static void multiplyAdd(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc) {
        for (int j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
            int j1 = Math.min(n, j0 + COLUMN_BLOCK);
            int i = 0;
            for (; i + 1 < m; i += 2) twoRows(k, a, aOff + i * lda, lda, b, bOff, ldb, c, cOff + i * ldc, ldc, j0, j1);
            if (i < m) oneRow(k, a, aOff + i * lda, b, bOff, ldb, c, cOff + i * ldc, j0, j1);
        }
    }

    /** Rows ai and ai + lda of A times B into rows ci and ci + ldc of C, columns [j0, j1). */
    private static void twoRows(int k, float[] a, int ai, int lda, float[] b, int bOff, int ldb,
                                float[] c, int ci, int ldc, int j0, int j1) {
        int aj = ai + lda, cj = ci + ldc;
        int p = 0;
        for (; p + 3 < k; p += 4) {
            float a0 = a[ai + p], a1 = a[ai + p + 1], a2 = a[ai + p + 2], a3 = a[ai + p + 3];
            float e0 = a[aj + p], e1 = a[aj + p + 1], e2 = a[aj + p + 2], e3 = a[aj + p + 3];
            int b0 = bOff + p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            for (int j = j0; j < j1; j++) {
                float x0 = b[b0 + j], x1 = b[b1 + j], x2 = b[b2 + j], x3 = b[b3 + j];
                c[ci + j] = Math.fma(a3, x3, Math.fma(a2, x2, Math.fma(a1, x1, Math.fma(a0, x0, c[ci + j]))));
                c[cj + j] = Math.fma(e3, x3, Math.fma(e2, x2, Math.fma(e1, x1, Math.fma(e0, x0, c[cj + j]))));
            }
        }
        for (; p < k; p++) {
            float av = a[ai + p], ev = a[aj + p];
            int bp = bOff + p * ldb;
            for (int j = j0; j < j1; j++) {
                float x = b[bp + j];
                c[ci + j] = Math.fma(av, x, c[ci + j]);
                c[cj + j] = Math.fma(ev, x, c[cj + j]);
            }
        }
    }

    private static void oneRow(int k, float[] a, int ai, float[] b, int bOff, int ldb, float[] c, int ci, int j0, int j1) {
        for (int p = 0; p < k; p++) {
            float av = a[ai + p];
            int bp = bOff + p * ldb;
            for (int j = j0; j < j1; j++) c[ci + j] = Math.fma(av, b[bp + j], c[ci + j]);
        }
    }

    /** {@code C[i][j] += sum_k A[i][k] * B[k][j]} for double data (plain k-outer loop). */
    static void multiplyAdd(int m, int n, int k, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                            double[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * lda;
            int ci = cOff + i * ldc;
            for (int p = 0; p < k; p++) {
                double av = a[ai + p];
                int bp = bOff + p * ldb;
                for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
            }
        }
    }

    /** {@code C[i][j] += sum_k A[i][k] * B[k][j]} with int32 wrap-around arithmetic (integer conv and matmul). */
    static void multiplyAdd(int m, int n, int k, int[] a, int aOff, int lda, int[] b, int bOff, int ldb,
                            int[] c, int cOff, int ldc) {
        for (int j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
            int j1 = Math.min(n, j0 + COLUMN_BLOCK);
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * lda;
                int ci = cOff + i * ldc;
                int p = 0;
                for (; p + 3 < k; p += 4) {
                    int a0 = a[ai + p], a1 = a[ai + p + 1], a2 = a[ai + p + 2], a3 = a[ai + p + 3];
                    int b0 = bOff + p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
                    for (int j = j0; j < j1; j++)
                        c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
                }
                for (; p < k; p++) {
                    int av = a[ai + p];
                    int bp = bOff + p * ldb;
                    for (int j = j0; j < j1; j++) c[ci + j] += av * b[bp + j];
                }
            }
        }
    }

    /** The transpose of a rows x cols row-major float matrix. */
    static float[] transpose(float[] x, int off, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = x[off + r * cols + c];
        return t;
    }

    static double[] transpose(double[] x, int off, int rows, int cols) {
        double[] t = new double[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = x[off + r * cols + c];
        return t;
    }
}
