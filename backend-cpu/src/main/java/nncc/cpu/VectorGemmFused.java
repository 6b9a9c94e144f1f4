package nncc.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorGemm}'s products with the bias and the activation fused ({@link #multiplyBiasClamp}): pointwise
 * convolutions start their sums from the bias in registers and clamp them before their one store. Kernels of their own
 * beside the plain ones, so that the plain kernels' compiled code stays as it was (sharing one method with a flag
 * slowed the int8 path's products). The same fused multiply-adds in the same order as the plain product, so the same
 * floats. Only loaded when {@code jdk.incubator.vector} is present (see {@link KernelSet}).
 */
final class VectorGemmFused {
    private VectorGemmFused() {}

    private static final int ROWS = VectorGemm.ROWS;
    private static final VectorSpecies<Float> S = VectorGemm.S;
    private static final int L = VectorGemm.L;
    private static final VectorSpecies<Float> ROW_LANES = VectorGemm.ROW_LANES;
    private static final int DEPTH_BLOCK = VectorGemm.DEPTH_BLOCK;

    /**
     * Whether {@link #multiplyBiasClamp} takes these shapes: whole 4-row blocks and columns in whole vectors, or 3 vectors
     * and one column (784 and 49 columns on 16 lanes), at least one step of k.
     */
    static boolean fusesBiasAndClamp(int m, int k, int n) {
        return m % ROWS == 0 && k > 0 && n > 0 && (n % L == 0 || n == 3 * L + 1 && ROW_LANES.length() == ROWS);
    }

    /**
     * {@code C[i][j] = clamp(init[i] + sum_p A[i][p] * B[p][j])} ({@link #fusesBiasAndClamp} shapes only): the sums start
     * from {@code init[initOff + i]} in registers (0 when init is null) instead of being loaded from C, and the clamp to
     * {@code [clamp[0], clamp[1]]} (none when clamp is null) is applied before the last store, so C is written once per
     * k block and never filled or clamped in extra passes. The same fused multiply-adds in the same order as a fill with
     * the bias, {@link VectorGemm#multiplyAdd} and a clamp ({@code min(max(v, lo), hi)}), so the same floats.
     */
    static void multiplyBiasClamp(int m, int k, float[] panels, int panelOff, float[] init, int initOff, float[] clamp, float[] b, int bOff, int ldb,
                                  int n, float[] c, int cOff, int ldc) {
        float[] start = init != null ? init : new float[m + ROWS];
        int startOff = init != null ? initOff : 0;
        for (int p0 = 0; p0 < k; p0 += DEPTH_BLOCK) {
            int depth = Math.min(k, p0 + DEPTH_BLOCK) - p0, shift = panelOff + p0 * ROWS, bp = bOff + p0 * ldb;
            if (p0 > 0) { // later k blocks add to C as the plain product does
                VectorGemm.multiplyAddRange(m, depth, k, shift, panels, b, bp, ldb, n, c, cOff, ldc, false);
                continue;
            }
            float[] limits = depth == k ? clamp : null; // one k block: clamp before its store
            if (n % L != 0) {
                for (int i = 0; i < m; i += ROWS) block3ColumnFrom(depth, panels, i * k + shift, b, bp, ldb, c, cOff + i * ldc, ldc, start, startOff + i, limits);
                continue;
            }
            int j = 0;
            for (; j + 4 * L <= n; j += 4 * L)
                for (int i = 0; i < m; i += ROWS) block4From(depth, panels, i * k + shift, b, bp + j, ldb, c, cOff + i * ldc + j, ldc, start, startOff + i, limits);
            for (; j < n; j += L)
                for (int i = 0; i < m; i += ROWS) block1From(depth, panels, i * k + shift, b, bp + j, ldb, c, cOff + i * ldc + j, ldc, start, startOff + i, limits);
        }
        if (clamp != null && k > DEPTH_BLOCK) { // several k blocks: clamp the finished rows (a scalar Math.min/max loop cost 70 us on 512 x 49)
            FloatVector lo = FloatVector.broadcast(S, clamp[0]), hi = FloatVector.broadcast(S, clamp[1]);
            for (int i = 0; i < m; i++) {
                int row = cOff + i * ldc, j = 0;
                for (; j + L <= n; j += L) FloatVector.fromArray(S, c, row + j).max(lo).min(hi).intoArray(c, row + j);
                for (; j < n; j++) c[row + j] = Math.min(Math.max(c[row + j], clamp[0]), clamp[1]);
            }
        }
    }

    /**
     * As {@link VectorGemm}'s kernel of the same name without {@code From}, starting from {@code init[bi...]} (one value per row) in
     * registers instead of loading C, and clamped to {@code [clamp[0], clamp[1]]} before the store when clamp is not
     * null: the first and only k block of {@link #multiplyBiasClamp}. Kept apart from the plain kernels so their compiled
     * code stays as it was.
     */
    private static void block3ColumnFrom(int k, float[] a, int aOff, float[] b, int bj, int ldb, float[] c, int cij, int ldc, float[] init, int bi, float[] clamp) {
        int c0 = cij, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc, last = 3 * L;
        FloatVector r00, r01, r02, r10, r11, r12, r20, r21, r22, r30, r31, r32, col;
        r00 = r01 = r02 = FloatVector.broadcast(S, init[bi]);
        r10 = r11 = r12 = FloatVector.broadcast(S, init[bi + 1]);
        r20 = r21 = r22 = FloatVector.broadcast(S, init[bi + 2]);
        r30 = r31 = r32 = FloatVector.broadcast(S, init[bi + 3]);
        col = FloatVector.fromArray(ROW_LANES, init, bi);
        for (int p = 0, ap = aOff, bp = bj; p < k; p++, ap += ROWS, bp += ldb) {
            FloatVector x0 = FloatVector.fromArray(S, b, bp), x1 = FloatVector.fromArray(S, b, bp + L), x2 = FloatVector.fromArray(S, b, bp + 2 * L);
            col = FloatVector.fromArray(ROW_LANES, a, ap).fma(FloatVector.broadcast(ROW_LANES, b[bp + last]), col);
            FloatVector w = FloatVector.broadcast(S, a[ap]);
            r00 = w.fma(x0, r00); r01 = w.fma(x1, r01); r02 = w.fma(x2, r02);
            w = FloatVector.broadcast(S, a[ap + 1]);
            r10 = w.fma(x0, r10); r11 = w.fma(x1, r11); r12 = w.fma(x2, r12);
            w = FloatVector.broadcast(S, a[ap + 2]);
            r20 = w.fma(x0, r20); r21 = w.fma(x1, r21); r22 = w.fma(x2, r22);
            w = FloatVector.broadcast(S, a[ap + 3]);
            r30 = w.fma(x0, r30); r31 = w.fma(x1, r31); r32 = w.fma(x2, r32);
        }
        if (clamp != null) {
            FloatVector lo = FloatVector.broadcast(S, clamp[0]), hi = FloatVector.broadcast(S, clamp[1]);
            r00 = r00.max(lo).min(hi); r01 = r01.max(lo).min(hi); r02 = r02.max(lo).min(hi);
            r10 = r10.max(lo).min(hi); r11 = r11.max(lo).min(hi); r12 = r12.max(lo).min(hi);
            r20 = r20.max(lo).min(hi); r21 = r21.max(lo).min(hi); r22 = r22.max(lo).min(hi);
            r30 = r30.max(lo).min(hi); r31 = r31.max(lo).min(hi); r32 = r32.max(lo).min(hi);
            col = col.max(FloatVector.broadcast(ROW_LANES, clamp[0])).min(FloatVector.broadcast(ROW_LANES, clamp[1]));
        }
        r00.intoArray(c, c0); r01.intoArray(c, c0 + L); r02.intoArray(c, c0 + 2 * L);
        r10.intoArray(c, c1); r11.intoArray(c, c1 + L); r12.intoArray(c, c1 + 2 * L);
        r20.intoArray(c, c2); r21.intoArray(c, c2 + L); r22.intoArray(c, c2 + 2 * L);
        r30.intoArray(c, c3); r31.intoArray(c, c3 + L); r32.intoArray(c, c3 + 2 * L);
        c[c0 + last] = col.lane(0); c[c1 + last] = col.lane(1); c[c2 + last] = col.lane(2); c[c3 + last] = col.lane(3);
    }

    /**
     * As {@link VectorGemm}'s kernel of the same name without {@code From}, starting from {@code init[bi...]} (one value per row) in
     * registers instead of loading C, and clamped to {@code [clamp[0], clamp[1]]} before the store when clamp is not
     * null: the first and only k block of {@link #multiplyBiasClamp}. Kept apart from the plain kernels so their compiled
     * code stays as it was.
     */
    private static void block4From(int k, float[] a, int aOff, float[] b, int bj, int ldb, float[] c, int cij, int ldc, float[] init, int bi, float[] clamp) {
        int c0 = cij, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector r00, r01, r02, r03, r10, r11, r12, r13, r20, r21, r22, r23, r30, r31, r32, r33;
        r00 = r01 = r02 = r03 = FloatVector.broadcast(S, init[bi]);
        r10 = r11 = r12 = r13 = FloatVector.broadcast(S, init[bi + 1]);
        r20 = r21 = r22 = r23 = FloatVector.broadcast(S, init[bi + 2]);
        r30 = r31 = r32 = r33 = FloatVector.broadcast(S, init[bi + 3]);
        for (int p = 0, ap = aOff, bp = bj; p < k; p++, ap += ROWS, bp += ldb) {
            FloatVector x0 = FloatVector.fromArray(S, b, bp), x1 = FloatVector.fromArray(S, b, bp + L),
                    x2 = FloatVector.fromArray(S, b, bp + 2 * L), x3 = FloatVector.fromArray(S, b, bp + 3 * L);
            FloatVector w = FloatVector.broadcast(S, a[ap]);
            r00 = w.fma(x0, r00); r01 = w.fma(x1, r01); r02 = w.fma(x2, r02); r03 = w.fma(x3, r03);
            w = FloatVector.broadcast(S, a[ap + 1]);
            r10 = w.fma(x0, r10); r11 = w.fma(x1, r11); r12 = w.fma(x2, r12); r13 = w.fma(x3, r13);
            w = FloatVector.broadcast(S, a[ap + 2]);
            r20 = w.fma(x0, r20); r21 = w.fma(x1, r21); r22 = w.fma(x2, r22); r23 = w.fma(x3, r23);
            w = FloatVector.broadcast(S, a[ap + 3]);
            r30 = w.fma(x0, r30); r31 = w.fma(x1, r31); r32 = w.fma(x2, r32); r33 = w.fma(x3, r33);
        }
        if (clamp != null) {
            FloatVector lo = FloatVector.broadcast(S, clamp[0]), hi = FloatVector.broadcast(S, clamp[1]);
            r00 = r00.max(lo).min(hi); r01 = r01.max(lo).min(hi); r02 = r02.max(lo).min(hi); r03 = r03.max(lo).min(hi);
            r10 = r10.max(lo).min(hi); r11 = r11.max(lo).min(hi); r12 = r12.max(lo).min(hi); r13 = r13.max(lo).min(hi);
            r20 = r20.max(lo).min(hi); r21 = r21.max(lo).min(hi); r22 = r22.max(lo).min(hi); r23 = r23.max(lo).min(hi);
            r30 = r30.max(lo).min(hi); r31 = r31.max(lo).min(hi); r32 = r32.max(lo).min(hi); r33 = r33.max(lo).min(hi);
        }
        r00.intoArray(c, c0); r01.intoArray(c, c0 + L); r02.intoArray(c, c0 + 2 * L); r03.intoArray(c, c0 + 3 * L);
        r10.intoArray(c, c1); r11.intoArray(c, c1 + L); r12.intoArray(c, c1 + 2 * L); r13.intoArray(c, c1 + 3 * L);
        r20.intoArray(c, c2); r21.intoArray(c, c2 + L); r22.intoArray(c, c2 + 2 * L); r23.intoArray(c, c2 + 3 * L);
        r30.intoArray(c, c3); r31.intoArray(c, c3 + L); r32.intoArray(c, c3 + 2 * L); r33.intoArray(c, c3 + 3 * L);
    }

    /**
     * As {@link VectorGemm}'s kernel of the same name without {@code From}, starting from {@code init[bi...]} (one value per row) in
     * registers instead of loading C, and clamped to {@code [clamp[0], clamp[1]]} before the store when clamp is not
     * null: the first and only k block of {@link #multiplyBiasClamp}. Kept apart from the plain kernels so their compiled
     * code stays as it was.
     */
    private static void block1From(int k, float[] a, int aOff, float[] b, int bj, int ldb, float[] c, int cij, int ldc, float[] init, int bi, float[] clamp) {
        int c0 = cij, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector r0, r1, r2, r3;
        r0 = FloatVector.broadcast(S, init[bi]); r1 = FloatVector.broadcast(S, init[bi + 1]);
        r2 = FloatVector.broadcast(S, init[bi + 2]); r3 = FloatVector.broadcast(S, init[bi + 3]);
        for (int p = 0, ap = aOff, bp = bj; p < k; p++, ap += ROWS, bp += ldb) {
            FloatVector x = FloatVector.fromArray(S, b, bp);
            r0 = FloatVector.broadcast(S, a[ap]).fma(x, r0);
            r1 = FloatVector.broadcast(S, a[ap + 1]).fma(x, r1);
            r2 = FloatVector.broadcast(S, a[ap + 2]).fma(x, r2);
            r3 = FloatVector.broadcast(S, a[ap + 3]).fma(x, r3);
        }
        if (clamp != null) {
            FloatVector lo = FloatVector.broadcast(S, clamp[0]), hi = FloatVector.broadcast(S, clamp[1]);
            r0 = r0.max(lo).min(hi); r1 = r1.max(lo).min(hi); r2 = r2.max(lo).min(hi); r3 = r3.max(lo).min(hi);
        }
        r0.intoArray(c, c0); r1.intoArray(c, c1); r2.intoArray(c, c2); r3.intoArray(c, c3);
    }
}
