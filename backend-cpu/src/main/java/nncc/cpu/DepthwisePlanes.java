package nncc.cpu;

import java.util.Arrays;

/**
 * 2-D depthwise convolution as long contiguous loops. The input plane is copied once, zero-padded, into
 * {@code strideH * strideW} polyphase planes (plane (a, b) holds padded rows {@code a, a + strideH, ...} and columns
 * {@code b, b + strideW, ...}), all with row pitch {@code pitch}. Then every tap reads one plane at a fixed offset for
 * every output position, so with outputs laid out at that pitch each tap is one {@code acc = fma(w, x, acc)} run over
 * the whole plane (the columns past the output width are scratch). Padding taps add {@code fma(w, 0, acc)} as the
 * im2col product does, and the taps go in the same order, so the sums are the same floats.
 */
final class DepthwisePlanes {
    private final int strideH, strideW, dilationH, dilationW, kernelH, kernelW, padTop, padLeft;
    private final int inH, inW, outH, outW, planeH, pitch;
    /** Output positions covered by one run: (outH - 1) * pitch + outW. */
    final int runLength;
    /** Floats of the polyphase input buffer and of the accumulator buffer, slack included. */
    final int inputBufferSize, accumulatorBufferSize;
    /** Where each tap (row-major over the window) starts reading in the polyphase buffer. */
    private final int[] tapOffsets;

    private DepthwisePlanes(WindowGeometry g) {
        strideH = g.strides[0]; strideW = g.strides[1];
        dilationH = g.dilations[0]; dilationW = g.dilations[1];
        kernelH = g.kernel[0]; kernelW = g.kernel[1];
        padTop = g.padBegin[0]; padLeft = g.padBegin[1];
        inH = g.in[0]; inW = g.in[1];
        outH = g.out[0]; outW = g.out[1];
        int paddedH = (outH - 1) * strideH + (kernelH - 1) * dilationH + 1, paddedW = (outW - 1) * strideW + (kernelW - 1) * dilationW + 1;
        planeH = (paddedH + strideH - 1) / strideH;
        pitch = (paddedW + strideW - 1) / strideW;
        runLength = (outH - 1) * pitch + outW;
        inputBufferSize = strideH * strideW * planeH * pitch + ConvKernels.GEMM_SLACK;
        accumulatorBufferSize = outH * pitch + ConvKernels.GEMM_SLACK;
        int planeSize = planeH * pitch;
        tapOffsets = new int[kernelH * kernelW];
        for (int kh = 0; kh < kernelH; kh++)
            for (int kw = 0; kw < kernelW; kw++) {
                int rr = kh * dilationH, cc = kw * dilationW;
                tapOffsets[kh * kernelW + kw] = ((rr % strideH) * strideW + cc % strideW) * planeSize + (rr / strideH) * pitch + cc / strideW;
            }
    }

    /** The plan for a 2-D geometry with at least one output, or null (other ranks take the generic row loops). */
    static DepthwisePlanes of(WindowGeometry g) {
        Object known = g.planesMemo;
        if (known != null) return known instanceof DepthwisePlanes p ? p : null;
        DepthwisePlanes p = g.rank == 2 && g.outSize > 0 ? new DepthwisePlanes(g) : null;
        g.planesMemo = p != null ? p : Boolean.FALSE;
        return p;
    }

    /**
     * Copies input plane {@code x[src...]} (inH x inW) into the polyphase planes of {@code planes}, which must hold zeros
     * at the padding positions: {@link #zeroedInputBuffer} does, and this only ever writes input positions.
     */
    void split(float[] x, int src, float[] planes) { split(x, src, planes, 0); }

    /** As {@link #split(float[], int, float[])} into the polyphase planes starting at {@code planes[base]}. */
    void split(float[] x, int src, float[] planes, int base) { split(x, src, planes, base, false); }

    /** As {@link #split(float[], int, float[], int)}, with the Vector API row copies when {@code vector}. */
    void split(float[] x, int src, float[] planes, int base, boolean vector) {
        int planeSize = planeH * pitch;
        int c0 = Math.max(0, -padLeft), c1 = Math.min(inW, pitch * strideW - padLeft); // input columns that land in a plane
        if (c1 <= c0) return;
        for (int r = 0; r < inH; r++) {
            int pr = r + padTop; // row in the padded input
            if (pr < 0 || pr >= planeH * strideH) continue;
            // row phase and index without an integer division per row for strides 1 and 2
            int phaseRow = strideH == 1 ? 0 : strideH == 2 ? pr & 1 : pr % strideH, rowIndex = strideH == 1 ? pr : strideH == 2 ? pr >> 1 : pr / strideH;
            int rowBase = base + phaseRow * strideW * planeSize + rowIndex * pitch, from = src + r * inW;
            if (strideW == 1) {
                if (vector) VectorRows.copy(x, from + c0, planes, rowBase + c0 + padLeft, c1 - c0);
                else System.arraycopy(x, from + c0, planes, rowBase + c0 + padLeft, c1 - c0);
                continue;
            }
            if (vector && strideW == 2) {
                VectorRows.splitStride2(x, from, c0, c1, padLeft, planes, rowBase, planeSize);
                continue;
            }
            for (int phase = 0; phase < strideW; phase++) {
                int c = c0 + Math.floorMod(phase - padLeft - c0, strideW); // first column with (c + padLeft) % strideW == phase
                for (int d = rowBase + phase * planeSize + (c + padLeft) / strideW; c < c1; c += strideW, d++) planes[d] = x[from + c];
            }
        }
    }

    /** Adds every tap of weights {@code w[wOff...]} over the planes into {@code acc[0, runLength)} (output pitch {@link #pitch}). */
    void accumulate(float[] planes, float[] w, int wOff, float[] acc, KernelSet kernels) {
        int planeSize = planeH * pitch;
        boolean vector = kernels == KernelSet.VECTOR;
        for (int kh = 0; kh < kernelH; kh++)
            for (int kw = 0; kw < kernelW; kw++) {
                int rr = kh * dilationH, cc = kw * dilationW;
                int from = ((rr % strideH) * strideW + cc % strideW) * planeSize + (rr / strideH) * pitch + cc / strideW;
                float wt = w[wOff + kh * kernelW + kw];
                if (vector) VectorRows.axpy(wt, planes, from, 1, acc, 0, runLength);
                else DepthwiseRows.axpy(wt, planes, from, 1, acc, 0, runLength);
            }
    }

    /** Copies the output rows out of {@code acc} (pitch {@link #pitch}) to {@code y[dst...]} (outH x outW, dense). */
    void gather(float[] acc, float[] y, int dst) { gather(acc, 0, y, dst); }

    /** As {@link #gather(float[], float[], int)} for a run starting at {@code acc[from]}. */
    void gather(float[] acc, int from, float[] y, int dst) { gather(acc, from, y, dst, false); }

    /** As {@link #gather(float[], int, float[], int)}, with the Vector API row copies when {@code vector}. */
    void gather(float[] acc, int from, float[] y, int dst, boolean vector) {
        if (vector) { // whole vectors: past a row's end they land in the next row, copied after it
            for (int r = 0; r < outH - 1; r++) VectorRows.copyWhole(acc, from + r * pitch, y, dst + r * outW, outW);
            VectorRows.copy(acc, from + (outH - 1) * pitch, y, dst + (outH - 1) * outW, outW);
        }
        else for (int r = 0; r < outH; r++) System.arraycopy(acc, from + r * pitch, y, dst + r * outW, outW);
    }

    /** Floats of one input plane's polyphase copy (all {@code strideH * strideW} phases). */
    int planesSize() { return strideH * strideW * planeH * pitch; }

    /** Taps of the window. */
    int taps() { return tapOffsets.length; }

    /** The row pitch of the planes and of the accumulator runs. */
    int pitch() { return pitch; }

    /** Where tap t (row-major over the window) starts reading in an input plane's polyphase copy. */
    int tapOffset(int t) { return tapOffsets[t]; }

    /**
     * Writes the column-matrix rows of one input channel, whose polyphase copy starts at {@code planes[base]}: row t
     * (from {@code col[dst + t * runLength]}) holds, at output position {@code oh * pitch + ow}, the input element that
     * output reads through tap t (0 in padding); the columns past the output width hold values no output uses.
     */
    void columns(float[] planes, int base, float[] col, int dst) {
        for (int t = 0; t < tapOffsets.length; t++) System.arraycopy(planes, base + tapOffsets[t], col, dst + t * runLength, runLength);
    }

    /** This thread's {@link Scratch} buffer for {@link #split}, with every element zero. */
    float[] zeroedInputBuffer() {
        float[] b = Scratch.floats(Scratch.Slot.PLANES, inputBufferSize);
        Arrays.fill(b, 0, inputBufferSize, 0f);
        return b;
    }

    /**
     * {@link #reset} to {@code init} then {@link #accumulate}, the same floats; the Vector API kernels keep each vector of
     * sums in a register across all taps instead of passing over {@code acc} once per tap.
     */
    void accumulateFrom(float init, float[] planes, float[] w, int wOff, float[] acc, KernelSet kernels) {
        if (kernels != KernelSet.VECTOR) {
            reset(acc, init);
            accumulate(planes, w, wOff, acc, kernels);
            return;
        }
        VectorRows.taps(init, planes, tapOffsets, w, wOff, acc, runLength);
    }

    /** As {@link #accumulateFrom} with the Vector API kernels, each sum clamped to {@code [clamp[0], clamp[1]]} when clamp is not null. */
    void accumulateClamped(float init, float[] planes, float[] w, int wOff, float[] acc, float[] clamp) {
        VectorRows.tapsClamped(init, planes, tapOffsets, w, wOff, acc, runLength, clamp);
    }

    /** Fills the first {@link #runLength} accumulators with {@code v}. */
    void reset(float[] acc, float v) { Arrays.fill(acc, 0, runLength, v); }
}
