package nncc.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2-D depthwise convolution on small output maps (a 7x7 map of 512 channels, say) vectorized across channels: a
 * block of {@link #L} channels is turned position-major once (one gather per input position; a zero row stands for
 * the padding), then every output position sums its taps as whole vectors, one channel per lane, and the block goes
 * back channel-major (one gather per channel and output vector). On such maps the per-channel {@link DepthwisePlanes}
 * spend more time copying planes than on the taps. Each output is {@code fma(w_t, x_t, ... fma(w_0, x_0, bias))}
 * over every tap in window order with 0 for padding taps: the same fused multiply-adds in the same order as the
 * scalar polyphase reference, the same floats. Only loaded when {@code jdk.incubator.vector} is present.
 */
final class DepthwiseLanes {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Channels per block: one per lane. */
    static final int L = S.length();
    /**
     * Largest output map this kernel takes (measured on MobileNetV2's maps: 7x7 1.7x faster than the planes, 14x14
     * from 28x28 by stride 2 1.6x, 14x14 at stride 1 even); larger maps keep the per-channel planes, whose copies
     * then matter less.
     */
    static final int MAX_POSITIONS = 100, MAX_STRIDED_POSITIONS = 256;

    /** The geometry this plan was made for. */
    final WindowGeometry geometry;
    private final int taps, inSize, outSize, outH, outW, strideH, strideW, paddedW;
    /** Per tap: where it reads relative to its window's corner in the padded position-major block. */
    private final int[] tapOffsets;
    /** Input positions read by some window, and their positions in the padded block (times L). */
    private final int[] inputPositions, paddedPositions;
    /** Positions of the padded block (times L) that no input lands on: zero. */
    private final int[] zeroPositions;
    /** Gather and scatter maps: lane l at {@code l * inSize} (input planes), {@code l * taps} (weights), {@code l * outSize} (output planes). */
    private final int[] inputMap, weightMap, outputMap;

    private DepthwiseLanes(WindowGeometry g) {
        geometry = g;
        taps = g.kernelSize;
        inSize = g.inSize;
        outSize = g.outSize;
        outH = g.out[0];
        outW = g.out[1];
        strideH = g.strides[0];
        strideW = g.strides[1];
        int inH = g.in[0], inW = g.in[1], kh = g.kernel[0], kw = g.kernel[1];
        int paddedH = (outH - 1) * strideH + (kh - 1) * g.dilations[0] + 1;
        paddedW = (outW - 1) * strideW + (kw - 1) * g.dilations[1] + 1;
        tapOffsets = new int[taps];
        for (int t = 0; t < taps; t++) tapOffsets[t] = (t / kw * g.dilations[0] * paddedW + t % kw * g.dilations[1]) * L;
        boolean[] covered = new boolean[paddedH * paddedW];
        int[] in = new int[inSize], padded = new int[inSize];
        int n = 0;
        for (int ih = 0; ih < inH; ih++)
            for (int iw = 0; iw < inW; iw++) {
                int ph = ih + g.padBegin[0], pw = iw + g.padBegin[1];
                if (ph >= paddedH || pw >= paddedW) continue; // read by no window
                covered[ph * paddedW + pw] = true;
                in[n] = ih * inW + iw;
                padded[n++] = (ph * paddedW + pw) * L;
            }
        inputPositions = java.util.Arrays.copyOf(in, n);
        paddedPositions = java.util.Arrays.copyOf(padded, n);
        int[] zeros = new int[covered.length];
        int z = 0;
        for (int i = 0; i < covered.length; i++) if (!covered[i]) zeros[z++] = i * L;
        zeroPositions = java.util.Arrays.copyOf(zeros, z);
        inputMap = new int[L];
        weightMap = new int[L];
        outputMap = new int[L];
        for (int l = 0; l < L; l++) { inputMap[l] = l * inSize; weightMap[l] = l * taps; outputMap[l] = l * outSize; }
        blockSize = paddedH * paddedW * L;
    }

    /** Floats of the padded position-major block. */
    private final int blockSize;

    /** The plan for a 2-D geometry with 1 to {@link #MAX_POSITIONS} outputs (strided: {@link #MAX_STRIDED_POSITIONS}), or null. */
    static DepthwiseLanes of(WindowGeometry g) {
        if (g.rank != 2 || g.outSize == 0 || g.padBegin[0] < 0 || g.padBegin[1] < 0) return null;
        boolean strided = g.strides[0] > 1 || g.strides[1] > 1;
        return g.outSize <= (strided ? MAX_STRIDED_POSITIONS : MAX_POSITIONS) ? new DepthwiseLanes(g) : null;
    }

    /**
     * {@link #L} channels: output planes {@code y[dst + c * outSize...]} = bias {@code bias[biasOff + c]} (0 without bias)
     * plus the taps {@code w[(wc + c) * taps...]} over the input planes {@code x[src + c * inSize...]}, c in [0, L).
     */
    void block(float[] x, int src, float[] w, int wc, float[] bias, int biasOff, float[] y, int dst) {
        block(x, src, w, wc, bias, biasOff, y, dst, null);
    }

    /** As {@link #block(float[], int, float[], int, float[], int, float[], int)}, each sum clamped to {@code [clamp[0], clamp[1]]} before its store when clamp is not null. */
    void block(float[] x, int src, float[] w, int wc, float[] bias, int biasOff, float[] y, int dst, float[] clamp) {
        float[] in = Scratch.floats(Scratch.Slot.PLANES, blockSize);
        FloatVector zero = FloatVector.zero(S);
        for (int z : zeroPositions) zero.intoArray(in, z);
        for (int i = 0; i < inputPositions.length; i++) FloatVector.fromArray(S, x, src + inputPositions[i], inputMap, 0).intoArray(in, paddedPositions[i]);
        FloatVector b = bias == null ? zero : FloatVector.fromArray(S, bias, biasOff);
        boolean clamped = clamp != null;
        FloatVector lo = FloatVector.broadcast(S, clamped ? clamp[0] : 0f), hi = FloatVector.broadcast(S, clamped ? clamp[1] : 0f);
        if (taps == 9) nine(in, w, wc * taps, b, y, dst, clamped, lo, hi);
        else any(in, w, wc * taps, b, y, dst, clamped, lo, hi);
    }

    /** 3x3 windows: the block's nine weight vectors and the tap offsets in registers. */
    private void nine(float[] in, float[] w, int wOff, FloatVector b, float[] y, int dst, boolean clamped, FloatVector lo, FloatVector hi) {
        FloatVector w0 = FloatVector.fromArray(S, w, wOff, weightMap, 0), w1 = FloatVector.fromArray(S, w, wOff + 1, weightMap, 0),
                w2 = FloatVector.fromArray(S, w, wOff + 2, weightMap, 0), w3 = FloatVector.fromArray(S, w, wOff + 3, weightMap, 0),
                w4 = FloatVector.fromArray(S, w, wOff + 4, weightMap, 0), w5 = FloatVector.fromArray(S, w, wOff + 5, weightMap, 0),
                w6 = FloatVector.fromArray(S, w, wOff + 6, weightMap, 0), w7 = FloatVector.fromArray(S, w, wOff + 7, weightMap, 0),
                w8 = FloatVector.fromArray(S, w, wOff + 8, weightMap, 0);
        int o1 = tapOffsets[1], o2 = tapOffsets[2], o3 = tapOffsets[3], o4 = tapOffsets[4], o5 = tapOffsets[5], o6 = tapOffsets[6],
                o7 = tapOffsets[7], o8 = tapOffsets[8];
        int step = strideW * L;
        for (int oh = 0; oh < outH; oh++) {
            int q = dst + oh * outW;
            for (int ow = 0, at = oh * strideH * paddedW * L; ow < outW; ow++, at += step, q++) {
                FloatVector acc = w0.fma(FloatVector.fromArray(S, in, at), b);
                acc = w1.fma(FloatVector.fromArray(S, in, at + o1), acc);
                acc = w2.fma(FloatVector.fromArray(S, in, at + o2), acc);
                acc = w3.fma(FloatVector.fromArray(S, in, at + o3), acc);
                acc = w4.fma(FloatVector.fromArray(S, in, at + o4), acc);
                acc = w5.fma(FloatVector.fromArray(S, in, at + o5), acc);
                acc = w6.fma(FloatVector.fromArray(S, in, at + o6), acc);
                acc = w7.fma(FloatVector.fromArray(S, in, at + o7), acc);
                acc = w8.fma(FloatVector.fromArray(S, in, at + o8), acc);
                if (clamped) acc = acc.max(lo).min(hi);
                acc.intoArray(y, q, outputMap, 0);
            }
        }
    }

    /** Any window: the weight vectors gathered per tap. */
    private void any(float[] in, float[] w, int wOff, FloatVector b, float[] y, int dst, boolean clamped, FloatVector lo, FloatVector hi) {
        for (int oh = 0; oh < outH; oh++)
            for (int ow = 0; ow < outW; ow++) {
                int at = (oh * strideH * paddedW + ow * strideW) * L;
                FloatVector acc = b;
                for (int t = 0; t < taps; t++) acc = FloatVector.fromArray(S, w, wOff + t, weightMap, 0).fma(FloatVector.fromArray(S, in, at + tapOffsets[t]), acc);
                if (clamped) acc = acc.max(lo).min(hi);
                acc.intoArray(y, dst + oh * outW + ow, outputMap, 0);
            }
    }
}
