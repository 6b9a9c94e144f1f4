package nncc.cpu;

/**
 * Public entry to the float matrix product the CPU kernels use ({@link FloatGemm}: the Vector API micro-kernel
 * where the module is present, the scalar loops otherwise), for code outside the backend that multiplies run-time
 * matrices, such as the training engine in {@code nncc.passes.train}.
 */
public final class FloatMatrices {
    private static final KernelSet KERNELS = KernelSet.best();

    private FloatMatrices() {}

    /**
     * {@code C[i][j] += sum_p A[i][p] * B[p][j]} for A [m, k] row-major and dense at {@code aOff}, B [k, n] at
     * {@code bOff} with row stride {@code ldb}, C [m, n] at {@code cOff} with row stride {@code ldc}.
     */
    public static void multiplyAdd(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, int ldb,
                                   float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0 || k == 0) return;
        FloatGemm.multiplyAdd(FloatGemm.pack(a, aOff, m, k, KERNELS), b, bOff, ldb, n, c, cOff, ldc);
    }
}
