package nncc.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API forms of the row loops of {@link DepthwiseRows}: the same fused multiply-adds per element, a vector of
 * elements at a time (strided input read by a gather). Only loaded when {@code jdk.incubator.vector} is present.
 */
final class VectorRows {
    private VectorRows() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Gather index maps {0, s, 2s, ...} for strides 2 to 4. */
    private static final int[][] STRIDE_MAPS = new int[5][];
    /**
     * Lane i < L/2 takes lane 2i (or 2i + 1) of a vector ({@code _LO}); lane i >= L/2 lane 2i - L (2i + 1 - L) ({@code _HI}):
     * the even (odd) lanes of two vectors are {@code v0.rearrange(EVEN_LO).blend(v1.rearrange(EVEN_HI), UPPER)}
     * (single-vector shuffles, which the JIT compiles to one permute each).
     */
    static final VectorShuffle<Float> EVEN_LO, EVEN_HI, ODD_LO, ODD_HI;
    /** The upper half of the lanes. */
    static final VectorMask<Float> UPPER;
    /** The first n lanes, for n in [0, L]. */
    @SuppressWarnings("unchecked")
    static final VectorMask<Float>[] PREFIX = new VectorMask[L + 1];

    static {
        for (int s = 2; s < STRIDE_MAPS.length; s++) {
            STRIDE_MAPS[s] = new int[L];
            for (int i = 0; i < L; i++) STRIDE_MAPS[s][i] = i * s;
        }
        int[] evenLo = new int[L], evenHi = new int[L], oddLo = new int[L], oddHi = new int[L];
        boolean[] upper = new boolean[L];
        for (int i = 0; i < L; i++) {
            boolean lo = i < L / 2;
            evenLo[i] = lo ? 2 * i : 0;
            oddLo[i] = lo ? 2 * i + 1 : 0;
            evenHi[i] = lo ? 0 : 2 * i - L;
            oddHi[i] = lo ? 0 : 2 * i + 1 - L;
            upper[i] = !lo;
        }
        EVEN_LO = VectorShuffle.fromValues(S, evenLo);
        EVEN_HI = VectorShuffle.fromValues(S, evenHi);
        ODD_LO = VectorShuffle.fromValues(S, oddLo);
        ODD_HI = VectorShuffle.fromValues(S, oddHi);
        UPPER = VectorMask.fromArray(S, upper, 0);
        for (int n = 0; n <= L; n++) PREFIX[n] = S.indexInRange(0, n);
    }

    /** The even lanes of v0 then of v1. */
    static FloatVector evenLanes(FloatVector v0, FloatVector v1) { return v0.rearrange(EVEN_LO).blend(v1.rearrange(EVEN_HI), UPPER); }

    /** The odd lanes of v0 then of v1. */
    static FloatVector oddLanes(FloatVector v0, FloatVector v1) { return v0.rearrange(ODD_LO).blend(v1.rearrange(ODD_HI), UPPER); }

    /** {@code System.arraycopy(x, from, y, to, count)} for short rows: vectors, the last one masked where both arrays have room. */
    static void copy(float[] x, int from, float[] y, int to, int count) {
        int i = 0;
        for (; i + L <= count; i += L) FloatVector.fromArray(S, x, from + i).intoArray(y, to + i);
        if (i == count) return;
        if (from + i + L <= x.length && to + i + L <= y.length)
            FloatVector.fromArray(S, x, from + i).intoArray(y, to + i, PREFIX[count - i]);
        else System.arraycopy(x, from + i, y, to + i, count - i);
    }

    /**
     * {@code count} elements from {@code x[from]} to {@code y[to]} in whole vectors: up to one vector less one element past
     * the end is also written (callers overwrite it later); a masked copy where an array has no room for that.
     */
    static void copyWhole(float[] x, int from, float[] y, int to, int count) {
        int whole = (count + L - 1) / L * L;
        if (from + whole > x.length || to + whole > y.length) { copy(x, from, y, to, count); return; }
        for (int i = 0; i < whole; i += L) FloatVector.fromArray(S, x, from + i).intoArray(y, to + i);
    }

    /**
     * Input columns [c0, c1) of one row ({@code x[from + c]}) to the two column phases of stride 2: column c goes to
     * phase {@code (c + padLeft) % 2} at index {@code (c + padLeft) / 2} of its plane row; phase q's row starts at
     * {@code planes[rowBase + q * planeSize]}.
     */
    static void splitStride2(float[] x, int from, int c0, int c1, int padLeft, float[] planes, int rowBase, int planeSize) {
        int c = c0;
        for (; c < c1; c += 2 * L) {
            int count = Math.min(2 * L, c1 - c);
            if (from + c + 2 * L > x.length || rowBase + planeSize + (c + 1 + padLeft) / 2 + L > planes.length) break;
            FloatVector v0 = FloatVector.fromArray(S, x, from + c), v1 = FloatVector.fromArray(S, x, from + c + L);
            int evenCount = (count + 1) / 2, oddCount = count / 2, pe = c + padLeft, po = pe + 1;
            FloatVector even = evenLanes(v0, v1), odd = oddLanes(v0, v1);
            int de = rowBase + (pe & 1) * planeSize + (pe >> 1), dodd = rowBase + (po & 1) * planeSize + (po >> 1);
            if (evenCount == L) even.intoArray(planes, de); else even.intoArray(planes, de, PREFIX[evenCount]);
            if (oddCount == L) odd.intoArray(planes, dodd); else odd.intoArray(planes, dodd, PREFIX[oddCount]);
        }
        for (; c < c1; c++) {
            int pc = c + padLeft;
            planes[rowBase + (pc & 1) * planeSize + (pc >> 1)] = x[from + c];
        }
    }

    /** {@code acc[a + i] = fma(w, x[b + i * stride], acc[a + i])} for i in [0, count). */
    static void axpy(float w, float[] x, int b, int stride, float[] acc, int a, int count) {
        FloatVector wv = FloatVector.broadcast(S, w);
        int i = 0;
        if (stride == 1) {
            for (; i + L <= count; i += L)
                wv.fma(FloatVector.fromArray(S, x, b + i), FloatVector.fromArray(S, acc, a + i)).intoArray(acc, a + i);
            if (i < count && b + i + L <= x.length && a + i + L <= acc.length) { // masked accesses past an array's end are slow
                VectorMask<Float> m = S.indexInRange(i, count);
                wv.fma(FloatVector.fromArray(S, x, b + i, m), FloatVector.fromArray(S, acc, a + i, m)).intoArray(acc, a + i, m);
                return;
            }
        }
        else if (stride < STRIDE_MAPS.length) {
            int[] map = STRIDE_MAPS[stride];
            for (; i + L <= count; i += L)
                wv.fma(FloatVector.fromArray(S, x, b + i * stride, map, 0), FloatVector.fromArray(S, acc, a + i)).intoArray(acc, a + i);
        }
        for (; i < count; i++) acc[a + i] = Math.fma(w, x[b + i * stride], acc[a + i]);
    }

    /**
     * {@code acc[i] = fma(w[wOff + t], x[from[t] + i], ... fma(w[wOff], x[from[0] + i], init))} for i in [0, count): every
     * tap of a depthwise window in order, the sum kept in a register instead of going through {@code acc} once per tap;
     * the same fused multiply-adds per element as {@link #axpy} tap after tap starting from {@code init}.
     */
    static void taps(float init, float[] x, int[] from, float[] w, int wOff, float[] acc, int count) {
        if (from.length == 9) { taps9(init, x, from, w, wOff, acc, count); return; }
        int taps = from.length, i = 0;
        FloatVector start = FloatVector.broadcast(S, init);
        for (; i + L <= count; i += L) {
            FloatVector v = start;
            for (int t = 0; t < taps; t++) v = FloatVector.broadcast(S, w[wOff + t]).fma(FloatVector.fromArray(S, x, from[t] + i), v);
            v.intoArray(acc, i);
        }
        for (; i < count; i++) {
            float v = init;
            for (int t = 0; t < taps; t++) v = Math.fma(w[wOff + t], x[from[t] + i], v);
            acc[i] = v;
        }
    }

    /**
     * {@link #taps} for a 3x3 window, its weights and offsets held in registers; the last partial vector runs whole when
     * both arrays have room past the run (the planes and accumulators of {@link DepthwisePlanes} do).
     */
    private static void taps9(float init, float[] x, int[] from, float[] w, int wOff, float[] acc, int count) {
        FloatVector w0 = FloatVector.broadcast(S, w[wOff]), w1 = FloatVector.broadcast(S, w[wOff + 1]), w2 = FloatVector.broadcast(S, w[wOff + 2]),
                w3 = FloatVector.broadcast(S, w[wOff + 3]), w4 = FloatVector.broadcast(S, w[wOff + 4]), w5 = FloatVector.broadcast(S, w[wOff + 5]),
                w6 = FloatVector.broadcast(S, w[wOff + 6]), w7 = FloatVector.broadcast(S, w[wOff + 7]), w8 = FloatVector.broadcast(S, w[wOff + 8]);
        int f0 = from[0], f1 = from[1], f2 = from[2], f3 = from[3], f4 = from[4], f5 = from[5], f6 = from[6], f7 = from[7], f8 = from[8];
        int last = Math.max(Math.max(Math.max(f0, f1), Math.max(f2, f3)), Math.max(Math.max(f4, f5), Math.max(Math.max(f6, f7), f8)));
        FloatVector start = FloatVector.broadcast(S, init);
        int full = count - count % L, end = full; // whole vectors, and the partial one too where both arrays have room past it
        if (full < count && last + full + L <= x.length && full + L <= acc.length) end = full + L;
        int i = 0;
        for (; i < end; i += L) {
            FloatVector v = w0.fma(FloatVector.fromArray(S, x, f0 + i), start);
            v = w1.fma(FloatVector.fromArray(S, x, f1 + i), v);
            v = w2.fma(FloatVector.fromArray(S, x, f2 + i), v);
            v = w3.fma(FloatVector.fromArray(S, x, f3 + i), v);
            v = w4.fma(FloatVector.fromArray(S, x, f4 + i), v);
            v = w5.fma(FloatVector.fromArray(S, x, f5 + i), v);
            v = w6.fma(FloatVector.fromArray(S, x, f6 + i), v);
            v = w7.fma(FloatVector.fromArray(S, x, f7 + i), v);
            v = w8.fma(FloatVector.fromArray(S, x, f8 + i), v);
            v.intoArray(acc, i);
        }
        for (; i < count; i++) {
            float v = init;
            for (int t = 0; t < 9; t++) v = Math.fma(w[wOff + t], x[from[t] + i], v);
            acc[i] = v;
        }
    }

    /**
     * As {@link #taps(float, float[], int[], float[], int, float[], int)}, each sum clamped to {@code [clamp[0], clamp[1]]}
     * ({@code min(max(v, lo), hi)}, as the fused activation's clamp pass) before its store when clamp is not null.
     */
    static void tapsClamped(float init, float[] x, int[] from, float[] w, int wOff, float[] acc, int count, float[] clamp) {
        if (from.length == 9) { taps9Clamped(init, x, from, w, wOff, acc, count, clamp); return; }
        int taps = from.length, i = 0;
        FloatVector start = FloatVector.broadcast(S, init);
        for (; i + L <= count; i += L) {
            FloatVector v = start;
            for (int t = 0; t < taps; t++) v = FloatVector.broadcast(S, w[wOff + t]).fma(FloatVector.fromArray(S, x, from[t] + i), v);
            if (clamp != null) v = v.max(clamp[0]).min(clamp[1]);
            v.intoArray(acc, i);
        }
        for (; i < count; i++) {
            float v = init;
            for (int t = 0; t < taps; t++) v = Math.fma(w[wOff + t], x[from[t] + i], v);
            acc[i] = clamp == null ? v : Math.min(Math.max(v, clamp[0]), clamp[1]);
        }
    }

    /**
     * {@link #tapsClamped} for a 3x3 window (kept apart from {@link #taps} so its compiled code stays as it was), its weights and offsets held in registers; the last partial vector runs whole when
     * both arrays have room past the run (the planes and accumulators of {@link DepthwisePlanes} do).
     */
    private static void taps9Clamped(float init, float[] x, int[] from, float[] w, int wOff, float[] acc, int count, float[] clamp) {
        boolean clamped = clamp != null;
        FloatVector lo = FloatVector.broadcast(S, clamped ? clamp[0] : 0f), hi = FloatVector.broadcast(S, clamped ? clamp[1] : 0f);
        FloatVector w0 = FloatVector.broadcast(S, w[wOff]), w1 = FloatVector.broadcast(S, w[wOff + 1]), w2 = FloatVector.broadcast(S, w[wOff + 2]),
                w3 = FloatVector.broadcast(S, w[wOff + 3]), w4 = FloatVector.broadcast(S, w[wOff + 4]), w5 = FloatVector.broadcast(S, w[wOff + 5]),
                w6 = FloatVector.broadcast(S, w[wOff + 6]), w7 = FloatVector.broadcast(S, w[wOff + 7]), w8 = FloatVector.broadcast(S, w[wOff + 8]);
        int f0 = from[0], f1 = from[1], f2 = from[2], f3 = from[3], f4 = from[4], f5 = from[5], f6 = from[6], f7 = from[7], f8 = from[8];
        int last = Math.max(Math.max(Math.max(f0, f1), Math.max(f2, f3)), Math.max(Math.max(f4, f5), Math.max(Math.max(f6, f7), f8)));
        FloatVector start = FloatVector.broadcast(S, init);
        int full = count - count % L, end = full; // whole vectors, and the partial one too where both arrays have room past it
        if (full < count && last + full + L <= x.length && full + L <= acc.length) end = full + L;
        int i = 0;
        for (; i < end; i += L) {
            FloatVector v = w0.fma(FloatVector.fromArray(S, x, f0 + i), start);
            v = w1.fma(FloatVector.fromArray(S, x, f1 + i), v);
            v = w2.fma(FloatVector.fromArray(S, x, f2 + i), v);
            v = w3.fma(FloatVector.fromArray(S, x, f3 + i), v);
            v = w4.fma(FloatVector.fromArray(S, x, f4 + i), v);
            v = w5.fma(FloatVector.fromArray(S, x, f5 + i), v);
            v = w6.fma(FloatVector.fromArray(S, x, f6 + i), v);
            v = w7.fma(FloatVector.fromArray(S, x, f7 + i), v);
            v = w8.fma(FloatVector.fromArray(S, x, f8 + i), v);
            if (clamped) v = v.max(lo).min(hi);
            v.intoArray(acc, i);
        }
        for (; i < count; i++) {
            float v = init;
            for (int t = 0; t < 9; t++) v = Math.fma(w[wOff + t], x[from[t] + i], v);
            acc[i] = clamped ? Math.min(Math.max(v, clamp[0]), clamp[1]) : v;
        }
    }

    /** {@code Arrays.fill(y, from, from + count, v)}: vectors, the last one masked where the array has room. */
    static void fill(float[] y, int from, int count, float v) {
        FloatVector b = FloatVector.broadcast(S, v);
        int i = 0;
        for (; i + L <= count; i += L) b.intoArray(y, from + i);
        if (i == count) return;
        if (from + i + L <= y.length) b.intoArray(y, from + i, PREFIX[count - i]);
        else java.util.Arrays.fill(y, from + i, from + count, v);
    }

    /** {@link ActivationKernels#clampInPlace(nncc.ir.op.Activation, float[])} a vector at a time: the same {@code Math.min(Math.max(y, lo), hi)}. */
    static void clampInPlace(nncc.ir.op.Activation a, float[] y) {
        if (a == nncc.ir.op.Activation.NONE) return;
        FloatVector lo = FloatVector.broadcast(S, a.min()), hi = FloatVector.broadcast(S, a.max());
        int i = 0;
        for (; i + L <= y.length; i += L) FloatVector.fromArray(S, y, i).max(lo).min(hi).intoArray(y, i);
        for (; i < y.length; i++) y[i] = Math.min(Math.max(y[i], a.min()), a.max());
    }

    /**
     * Relu of a float tensor into another array: {@code y[i] = Math.max(x[i], 0f)} for i in [0, n), lanewise max with 0
     * (NaN stays NaN, -0 becomes +0, as the scalar kernel's own expression).
     */
    static void relu(float[] x, float[] y, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= n; i += L) FloatVector.fromArray(S, x, i).max(zero).intoArray(y, i);
        for (; i < n; i++) y[i] = Math.max(x[i], 0f);
    }
}
