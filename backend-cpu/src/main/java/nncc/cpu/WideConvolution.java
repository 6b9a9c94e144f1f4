package nncc.cpu;

import java.util.Arrays;

/**
 * The vector kernel set's 16x8 convolution (QConv with i16 input held as shorts, 8-bit weights, int64 accumulator),
 * image by image and group by group, on the thread's {@link Scratch} buffers: the column matrix of {@code x - zp} as ints (a 1x1,
 * stride-1, unpadded convolution copies its input planes, anything else goes through the window plan as im2col does),
 * the products in {@link VectorWideGemm}, and each int64 sum requantized straight into the short output. Depthwise
 * convolutions (one input and output channel per group) sum their taps in int32 directly when no sum of that many
 * products can overflow int32 (else they take the product path). Every sum is the exact integer the scalar
 * {@link IntegerConvolution#accumulate64} computes, so outputs are bit-identical to the reference.
 */
final class WideConvolution {
    private WideConvolution() {}

    /**
     * y = requantize(bias + conv(x - zp, w)) for x [N, C, in...] as shorts, w [M, C/group, k...] as ints (largest
     * magnitude {@code maxAbsW}), bias per output channel (may be null), y [N, M, out...] as shorts.
     */
    static void convolve(short[] x, int zp, int[] xShape, int[] w, long maxAbsW, long[] bias, int[] yShape, int group, WindowGeometry g,
                         Requantizer rq, short[] y) {
        int batch = xShape[0], channels = xShape[1], outChannels = yShape[1];
        int cg = channels / group, mg = outChannels / group, taps = g.kernelSize, positions = g.outSize, inSize = g.inSize;
        int rows = cg * taps;
        long maxAbsX = Math.max(Math.abs(-32768L - zp), Math.abs(32767L - zp));
        if (cg == 1 && mg == 1 && (long) taps * maxAbsW * maxAbsX <= Integer.MAX_VALUE) {
            depthwise(x, zp, w, bias, batch, channels, positions, inSize, taps, g.rows(), rq, y);
            return;
        }
        boolean pointwise = ConvKernels.isPointwise(g);
        int[] col = Scratch.ints(Scratch.Slot.COLUMNS, rows * positions);
        long[] acc = Scratch.longs(Scratch.Slot.ACCUMULATORS, mg * positions);
        WindowGeometry.Rows plan = g.rows();
        for (int n = 0; n < batch; n++)
            for (int grp = 0; grp < group; grp++) {
                for (int c = 0; c < cg; c++) {
                    int src = (n * channels + grp * cg + c) * inSize;
                    if (pointwise) for (int i = 0; i < positions; i++) col[c * positions + i] = x[src + i] - zp;
                    else columns(x, zp, src, plan, col, c * taps * positions, positions);
                }
                for (int m = 0; m < mg; m++) Arrays.fill(acc, m * positions, (m + 1) * positions, bias == null ? 0 : bias[grp * mg + m]);
                VectorWideGemm.multiplyAdd(mg, positions, rows, w, grp * mg * rows, rows, maxAbsW, col, positions, acc);
                for (int m = 0; m < mg; m++) {
                    int c = grp * mg + m, dst = (n * outChannels + c) * positions;
                    for (int i = 0; i < positions; i++) y[dst + i] = (short) rq.apply(acc[m * positions + i], c);
                }
            }
    }

    /** One channel per group: tap by tap in int32 (the caller checked no sum overflows), then bias and requantization. */
    private static void depthwise(short[] x, int zp, int[] w, long[] bias, int batch, int channels, int positions, int inSize, int taps,
                                  WindowGeometry.Rows plan, Requantizer rq, short[] y) {
        int[] acc = Scratch.ints(Scratch.Slot.ACCUMULATORS, positions);
        int len = plan.rowLength(), s = plan.stride(), rowsPerTap = plan.rowsPerTap();
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++) {
                int src = (n * channels + c) * inSize, dst = (n * channels + c) * positions;
                Arrays.fill(acc, 0, positions, 0);
                for (int t = 0; t < taps; t++) {
                    int lo = plan.lo()[t], hi = plan.hi()[t], wt = w[c * taps + t];
                    if (hi <= lo || wt == 0) continue;
                    for (int r = 0; r < rowsPerTap; r++) {
                        int off = plan.inputOffsets()[t * rowsPerTap + r];
                        if (off == WindowGeometry.NO_ROW) continue;
                        int a = r * len, b = src + off;
                        if (s == 1) for (int ow = lo; ow < hi; ow++) acc[a + ow] += wt * (x[b + ow] - zp);
                        else for (int ow = lo; ow < hi; ow++) acc[a + ow] += wt * (x[b + ow * s] - zp);
                    }
                }
                long b0 = bias == null ? 0 : bias[c];
                for (int i = 0; i < positions; i++) y[dst + i] = (short) rq.apply(acc[i] + b0, c);
            }
    }

    /** The column rows of one input plane (one row of {@code cols} per tap, {@code x - zp}, 0 in padding). */
    private static void columns(short[] x, int zp, int src, WindowGeometry.Rows plan, int[] col, int dst, int cols) {
        int len = plan.rowLength(), s = plan.stride(), rowsPerTap = plan.rowsPerTap();
        for (int t = 0; t < plan.lo().length; t++) {
            int lo = plan.lo()[t], hi = plan.hi()[t];
            for (int r = 0; r < rowsPerTap; r++) {
                int d = dst + t * cols + r * len, off = plan.inputOffsets()[t * rowsPerTap + r];
                if (off == WindowGeometry.NO_ROW) { Arrays.fill(col, d, d + len, 0); continue; }
                Arrays.fill(col, d, d + Math.max(lo, 0), 0);
                for (int ow = lo; ow < hi; ow++) col[d + ow] = x[src + off + ow * s] - zp;
                Arrays.fill(col, d + Math.max(hi, lo), d + len, 0);
            }
        }
    }
}
