package nncc.cpu;

/**
 * The inner loop of depthwise convolution (float, and integer sums held exactly in float): one output plane
 * accumulates, tap after tap, the tap's weight times the input window the tap reads, {@code acc = fma(w, x, acc)},
 * skipping windows in padding. The scalar loop is the reference; the Vector API one ({@link VectorRows}) does the
 * same fused multiply-adds lane by lane, so both give the same floats.
 */
final class DepthwiseRows {
    private DepthwiseRows() {}

    /**
     * {@code acc[dst + position] = fma(w[wOff + t], x[src + offset(t, position)], ...)} for every tap t in order and
     * every output position whose window reads the input through t.
     */
    static void accumulate(float[] x, int src, WindowGeometry.Rows plan, float[] w, int wOff, float[] acc, int dst, KernelSet kernels) {
        int len = plan.rowLength(), s = plan.stride(), rowsPerTap = plan.rowsPerTap();
        boolean vector = kernels == KernelSet.VECTOR;
        for (int t = 0; t < plan.lo().length; t++) {
            int lo = plan.lo()[t], hi = plan.hi()[t];
            if (hi <= lo) continue;
            float wt = w[wOff + t];
            for (int r = 0; r < rowsPerTap; r++) {
                int off = plan.inputOffsets()[t * rowsPerTap + r];
                if (off == WindowGeometry.NO_ROW) continue;
                int a = dst + r * len + lo, b = src + off + lo * s;
                if (vector) VectorRows.axpy(wt, x, b, s, acc, a, hi - lo);
                else axpy(wt, x, b, s, acc, a, hi - lo);
            }
        }
    }

    /** {@code acc[a + i] = fma(w, x[b + i * stride], acc[a + i])} for i in [0, count). */
    static void axpy(float w, float[] x, int b, int stride, float[] acc, int a, int count) {
        if (stride == 1) for (int i = 0; i < count; i++) acc[a + i] = Math.fma(w, x[b + i], acc[a + i]);
        else for (int i = 0; i < count; i++) acc[a + i] = Math.fma(w, x[b + i * stride], acc[a + i]);
    }
}
