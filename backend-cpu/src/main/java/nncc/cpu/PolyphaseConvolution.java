package nncc.cpu;

import java.util.Arrays;

/**
 * A 2-D convolution of one image as a matrix product over zero-padded polyphase copies of its input planes
 * ({@link DepthwisePlanes}): row (channel c, tap t) of the column matrix is the run of {@link DepthwisePlanes#runLength}
 * floats starting at tap t's offset in channel c's planes, so {@link PlaneGemm} reads it where it lies instead of
 * copying it out (im2col copies a short piece per output row and fills the padding around it). Outputs come out at
 * the planes' row pitch (a few unused columns per row) and are gathered into dense planes. Every output element is
 * the same chain of fused multiply-adds over the same column values, from the bias, as with im2col, so the sums are
 * the same floats (exact integers for the integer convolutions' exact-float product). Vector API kernel sets only.
 */
final class PolyphaseConvolution {
    private PolyphaseConvolution() {}

    /** The row stride of the accumulators {@link #multiply} writes: the run rounded up to whole vectors. */
    static int accumulatorStride(DepthwisePlanes plan) { return (plan.runLength + PlaneGemm.L - 1) / PlaneGemm.L * PlaneGemm.L; }

    /**
     * {@code acc[m * stride + j] = bias[biasOff + m] + sum_p w[m][p] * col[p][j]} for the {@code cg} input planes of
     * {@code x} starting at {@code src}, {@code inSize} apart, and j below the {@link #accumulatorStride stride} (columns
     * past the run hold values no output uses); {@code bias} may be null (then 0). {@code acc} holds {@code w.m()} rows.
     */
    static void multiply(DepthwisePlanes plan, float[] x, int src, int inSize, int cg, FloatGemm.Packed w, float[] bias, int biasOff,
                         float[] acc, Parallel parallel) {
        int taps = plan.taps(), planes = plan.planesSize(), stride = accumulatorStride(plan), k = cg * taps;
        int size = cg * planes + Math.max(PlaneGemm.L, ConvKernels.GEMM_SLACK); // the last row's whole vectors read past its run
        float[] buf = Scratch.floats(Scratch.Slot.PLANES, size);
        Arrays.fill(buf, 0, size, 0f);
        int[] rowOffsets = Scratch.ints(Scratch.Slot.COLUMNS, k);
        for (int c = 0; c < cg; c++) {
            plan.split(x, src + c * inSize, buf, c * planes, true);
            for (int t = 0; t < taps; t++) rowOffsets[c * taps + t] = c * planes + plan.tapOffset(t);
        }
        float[] panels = w.panels();
        int m = w.m(), vectors = stride / PlaneGemm.L;
        parallel.forEach(m, VectorGemm.ROWS, (long) m * k * plan.runLength,
                (i0, i1) -> PlaneGemm.multiply(m, k, panels, rowOffsets, buf, vectors, bias, biasOff, acc, i0, i1));
    }
}
