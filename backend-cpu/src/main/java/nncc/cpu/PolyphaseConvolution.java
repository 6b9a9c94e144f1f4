package nncc.cpu;

import java.util.Arrays;

/**
 * The column matrix of a 2-D convolution of one image cut from zero-padded polyphase copies of its input planes
 * ({@link DepthwisePlanes}): each row of the matrix (one input channel, one tap) is a single contiguous copy of
 * {@link DepthwisePlanes#runLength} floats, where im2col copies a short piece per output row and fills the padding
 * around it. Outputs come out at the planes' row pitch (a few unused columns per row) and are gathered into dense
 * planes. Every output element is the same chain of fused multiply-adds over the same column values as with im2col,
 * so the sums are the same floats (exact integers for the integer convolutions' exact-float product).
 */
final class PolyphaseConvolution {
    private PolyphaseConvolution() {}

    /**
     * {@code acc[m * runLength + j] += sum_p w[m][p] * col[p][j]} for the {@code cg} input planes of {@code x} starting at
     * {@code src}, {@code inSize} apart; {@code acc} holds {@code w.m()} runs (with one vector of slack after them).
     */
    static void multiplyAdd(DepthwisePlanes plan, float[] x, int src, int inSize, int cg, FloatGemm.Packed w, float[] acc, Parallel parallel) {
        int run = plan.runLength, taps = plan.taps(), planes = plan.planesSize();
        float[] buf = Scratch.floats(Scratch.Slot.PLANES, cg * planes + ConvKernels.GEMM_SLACK);
        Arrays.fill(buf, 0, cg * planes + ConvKernels.GEMM_SLACK, 0f);
        float[] col = Scratch.floats(Scratch.Slot.COLUMNS, cg * taps * run + ConvKernels.GEMM_SLACK);
        for (int c = 0; c < cg; c++) {
            plan.split(x, src + c * inSize, buf, c * planes, true);
            plan.columns(buf, c * planes, col, c * taps * run);
        }
        FloatGemm.multiplyAdd(w, col, 0, run, run, acc, 0, run, parallel);
    }
}
