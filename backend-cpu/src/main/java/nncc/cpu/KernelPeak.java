package nncc.cpu;

/**
 * The measured compute peak of this JVM's float GEMM micro-kernel: multiply-accumulates per second on one thread for a
 * product small enough to stay in L1 cache, the yardstick {@code nncc bench} compares a model's achieved rate with.
 */
public final class KernelPeak {
    private KernelPeak() {}

    /** Which kernel set runs here: {@code "vector"} (jdk.incubator.vector present) or {@code "scalar"}. */
    public static String kernels() { return KernelSet.best() == KernelSet.VECTOR ? "vector" : "scalar"; }

    /** Runs a 64 x 64 x 64 float product repeatedly for about {@code millis} (after as long a warmup); GMAC/s of the best tenth. */
    public static double measureGmacPerSecond(long millis) {
        int m = 64, k = 64, n = 64;
        float[] a = new float[m * k], b = new float[k * n + ConvKernels.GEMM_SLACK], c = new float[m * n + ConvKernels.GEMM_SLACK];
        for (int i = 0; i < a.length; i++) a[i] = (i % 7) * 0.01f;
        for (int i = 0; i < b.length; i++) b[i] = (i % 5) * 0.01f;
        FloatGemm.Packed packed = FloatGemm.pack(a, 0, m, k, KernelSet.best());
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) FloatGemm.multiplyAdd(packed, b, 0, n, n, c, 0, n);
        double best = 0;
        for (int slice = 0; slice < 10; slice++) {
            long sliceEnd = System.nanoTime() + millis * 100_000L, runs = 0, start = System.nanoTime();
            do {
                FloatGemm.multiplyAdd(packed, b, 0, n, n, c, 0, n);
                runs++;
            } while (System.nanoTime() < sliceEnd);
            best = Math.max(best, runs * (double) m * n * k / (System.nanoTime() - start));
        }
        if (Float.isNaN(c[0])) throw new IllegalStateException("unreachable"); // keeps the products observable
        return best;
    }
}
