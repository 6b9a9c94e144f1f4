package nncc.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API float GEMM micro-kernel: {@code C += A * B} with A packed into panels of {@link #ROWS} interleaved
 * rows ({@link #pack}) and B read in place, row-major [k, n]. A block of 4 rows by 4 vectors of C stays in 16 registers
 * while k runs; each step loads 4 vectors of one row of B and broadcasts 4 elements of A. Narrower blocks take the
 * column tails, a one-row kernel the leftover rows. Every element of C is {@code fma(a_p, b_p, ...)} in increasing p,
 * starting from its value in C: the same operations in the same order as the scalar {@link MatrixProduct}, so the
 * results are the same floats. Only loaded when {@code jdk.incubator.vector} is present (see {@link KernelSet}).
 */
final class VectorGemm {
    private VectorGemm() {}

    /** Rows of A per panel, and rows of C per register block. */
    static final int ROWS = 4;
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** One lane per row of a 4-row register block ({@link #block3Column}). */
    static final VectorSpecies<Float> ROW_LANES = FloatVector.SPECIES_128;

    /** A [m, k] (row-major at {@code off}) as panels: element (i, p) at {@code (i / 4) * k * 4 + p * 4 + i % 4}; padding rows 0. */
    static float[] pack(float[] a, int off, int m, int k) {
        float[] panels = new float[(m + ROWS - 1) / ROWS * ROWS * k];
        for (int i = 0; i < m; i++) {
            int base = i / ROWS * ROWS * k + i % ROWS;
            for (int p = 0; p < k; p++) panels[base + p * ROWS] = a[off + i * k + p];
        }
        return panels;
    }

    /**
     * {@code C[i][j] += sum_p A[i][p] * B[p][j]}, A given as {@link #pack panels}, B [k, n] with row stride ldb.
     * Columns go in blocks of 4, 2 and 1 full vectors; the last partial vector is masked, in place when the arrays
     * extend at least one vector past it (callers that own their buffers allocate that slack, see {@link #SLACK}),
     * else on padded copies of those columns, as masked accesses that reach past an array's end are slow.
     */
    static void multiplyAdd(int m, int k, float[] panels, float[] b, int bOff, int ldb, int n, float[] c, int cOff, int ldc) {
        multiplyAdd(m, k, panels, 0, b, bOff, ldb, n, c, cOff, ldc);
    }

    /** As {@link #multiplyAdd(int, int, float[], float[], int, int, int, float[], int, int)} with the panels from {@code panelOff}. */
    static void multiplyAdd(int m, int k, float[] panels, int panelOff, float[] b, int bOff, int ldb, int n, float[] c, int cOff, int ldc) {
        multiplyAdd(m, k, panels, panelOff, null, 0, b, bOff, ldb, n, c, cOff, ldc);
    }

    /**
     * As {@link #multiplyAdd(int, int, float[], int, float[], int, int, int, float[], int, int)}, with A also given
     * column-major ({@link #packColumns}, from column {@code columnOff}; may be null): then the columns of C past the last
     * full vector run a kernel that vectorizes over rows of A instead of a mostly masked vector over columns.
     */
    static void multiplyAdd(int m, int k, float[] panels, int panelOff, float[] columns, int columnOff, float[] b, int bOff, int ldb, int n,
                            float[] c, int cOff, int ldc) {
        // blocks of k keep the rows of B that every row block reads in L1; each element still sums in increasing p
        for (int p0 = 0; p0 < k; p0 += DEPTH_BLOCK) {
            int depth = Math.min(k, p0 + DEPTH_BLOCK) - p0;
            int tail = multiplyAddRange(m, depth, k, panelOff + p0 * ROWS, panels, b, bOff + p0 * ldb, ldb, n, c, cOff, ldc,
                    columns != null && columnTailIsCheaper(m, n % L));
            if (tail < n) ColumnTail.multiplyAdd(m, depth, columns, columnOff + p0 * paddedRows(columns, k), paddedRows(columns, k),
                    b, bOff + p0 * ldb, ldb, tail, n, c, cOff, ldc);
        }
    }

    /**
     * Whether {@link ColumnTail} beats a masked vector for the last {@code width} columns of m rows: it runs one
     * latency-bound step per column and block of rows, the masked vector one per panel of 4 rows.
     */
    private static boolean columnTailIsCheaper(int m, int width) {
        return width > 0 && width * ((m + ColumnTail.BLOCK - 1) / ColumnTail.BLOCK) < (m + ROWS - 1) / ROWS;
    }

    /** The row stride of a {@link #packColumns column-major} A of depth k. */
    private static int paddedRows(float[] columns, int k) { return (columns.length - ColumnTail.BLOCK) / k; }

    /**
     * A [m, k] (row-major at {@code off}) column-major, each column padded with zeros to a multiple of
     * {@link ColumnTail#BLOCK} rows, and one block more at the end (a row range that starts inside a block reads past
     * its last column).
     */
    static float[] packColumns(float[] a, int off, int m, int k) {
        int stride = (m + ColumnTail.BLOCK - 1) / ColumnTail.BLOCK * ColumnTail.BLOCK;
        float[] t = new float[k * stride + ColumnTail.BLOCK];
        // a transpose in bands of 16 rows: each step writes 16 neighbouring floats and reads one from each of 16 rows
        for (int i0 = 0; i0 < m; i0 += 16) {
            int i1 = Math.min(m, i0 + 16);
            for (int p = 0; p < k; p++)
                for (int i = i0, at = p * stride + i0, from = off + i0 * k + p; i < i1; i++, at++, from += k) t[at] = a[from];
        }
        return t;
    }

    /** Steps of k per pass over C: 64 rows of a 64-column block of B (16 KB) and the panels stay in L1 together (measured: 128 was 25% slower on a 32 x 144 x 222 product). */
    static final int DEPTH_BLOCK = 64;

    /**
     * The terms p in [p0, p0 + k) of {@link #multiplyAdd}: B from row p0 ({@code bOff}); panel element (i, p) at
     * {@code (i / 4) * 4 * kFull + shift + (p - p0) * 4 + i % 4} with {@code shift = p0 * 4}.
     */
    static int multiplyAddRange(int m, int k, int kFull, int shift, float[] panels, float[] b, int bOff, int ldb,
                                        int n, float[] c, int cOff, int ldc, boolean columnTail) {
        int fullRows = m - m % ROWS;
        int j = 0;
        for (; j + 4 * L <= n; j += 4 * L) {
            for (int i = 0; i < fullRows; i += ROWS) block4(k, panels, i * kFull + shift, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc);
            for (int i = fullRows; i < m; i++) row4(k, panels, fullRows * kFull + shift + i - fullRows, b, bOff + j, ldb, c, cOff + i * ldc + j);
        }
        if (j + 3 * L <= n) {
            if (n == j + 3 * L + 1 && fullRows == m && ROW_LANES.length() == ROWS) { // 3 vectors and one column (a 7x7 map): one pass
                for (int i = 0; i < m; i += ROWS) block3Column(k, panels, i * kFull + shift, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc);
                return n;
            }
            for (int i = 0; i < fullRows; i += ROWS) block3(k, panels, i * kFull + shift, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc);
            for (int i = fullRows; i < m; i++)
                for (int v = 0; v < 3; v++) row(k, panels, fullRows * kFull + shift + i - fullRows, b, bOff + j + v * L, ldb, c, cOff + i * ldc + j + v * L, null);
            j += 3 * L;
        }
        for (; j + 2 * L <= n; j += 2 * L) {
            for (int i = 0; i < fullRows; i += ROWS) block2(k, panels, i * kFull + shift, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc);
            for (int i = fullRows; i < m; i++)
                for (int v = 0; v < 2; v++) row(k, panels, fullRows * kFull + shift + i - fullRows, b, bOff + j + v * L, ldb, c, cOff + i * ldc + j + v * L, null);
        }
        for (; j + L <= n; j += L) {
            for (int i = 0; i < fullRows; i += ROWS) block1(k, panels, i * kFull + shift, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, null);
            for (int i = fullRows; i < m; i++) row(k, panels, fullRows * kFull + shift + i - fullRows, b, bOff + j, ldb, c, cOff + i * ldc + j, null);
        }
        if (j == n || columnTail) return j;
        boolean room = bOff + (k - 1) * ldb + j + L <= b.length && cOff + (m - 1) * ldc + j + L <= c.length;
        if (!room) { // masked accesses past an array's end are slow: run the last columns on padded copies
            int w = n - j;
            float[] bt = new float[k * L], ct = new float[m * L];
            for (int p = 0; p < k; p++) System.arraycopy(b, bOff + p * ldb + j, bt, p * L, w);
            for (int i = 0; i < m; i++) System.arraycopy(c, cOff + i * ldc + j, ct, i * L, w);
            multiplyAddRange(m, k, kFull, shift, panels, bt, 0, L, w, ct, 0, L, false);
            for (int i = 0; i < m; i++) System.arraycopy(ct, i * L, c, cOff + i * ldc + j, w);
            return n;
        }
        VectorMask<Float> mask = S.indexInRange(j, n);
        for (int i = 0; i < fullRows; i += ROWS) block1(k, panels, i * kFull + shift, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, mask);
        for (int i = fullRows; i < m; i++) row(k, panels, fullRows * kFull + shift + i - fullRows, b, bOff + j, ldb, c, cOff + i * ldc + j, mask);
        return n;
    }

    /** Elements past the end of B and C (as used) that let the column tail run masked: one vector. */
    static final int SLACK = L;

    /** 4 rows x 3 full vectors of C. */
    private static void block3(int k, float[] a, int aOff, float[] b, int bj, int ldb, float[] c, int cij, int ldc) {
        int c0 = cij, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector r00 = FloatVector.fromArray(S, c, c0), r01 = FloatVector.fromArray(S, c, c0 + L), r02 = FloatVector.fromArray(S, c, c0 + 2 * L);
        FloatVector r10 = FloatVector.fromArray(S, c, c1), r11 = FloatVector.fromArray(S, c, c1 + L), r12 = FloatVector.fromArray(S, c, c1 + 2 * L);
        FloatVector r20 = FloatVector.fromArray(S, c, c2), r21 = FloatVector.fromArray(S, c, c2 + L), r22 = FloatVector.fromArray(S, c, c2 + 2 * L);
        FloatVector r30 = FloatVector.fromArray(S, c, c3), r31 = FloatVector.fromArray(S, c, c3 + L), r32 = FloatVector.fromArray(S, c, c3 + 2 * L);
        for (int p = 0, ap = aOff, bp = bj; p < k; p++, ap += ROWS, bp += ldb) {
            FloatVector x0 = FloatVector.fromArray(S, b, bp), x1 = FloatVector.fromArray(S, b, bp + L), x2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector w = FloatVector.broadcast(S, a[ap]);
            r00 = w.fma(x0, r00); r01 = w.fma(x1, r01); r02 = w.fma(x2, r02);
            w = FloatVector.broadcast(S, a[ap + 1]);
            r10 = w.fma(x0, r10); r11 = w.fma(x1, r11); r12 = w.fma(x2, r12);
            w = FloatVector.broadcast(S, a[ap + 2]);
            r20 = w.fma(x0, r20); r21 = w.fma(x1, r21); r22 = w.fma(x2, r22);
            w = FloatVector.broadcast(S, a[ap + 3]);
            r30 = w.fma(x0, r30); r31 = w.fma(x1, r31); r32 = w.fma(x2, r32);
        }
        r00.intoArray(c, c0); r01.intoArray(c, c0 + L); r02.intoArray(c, c0 + 2 * L);
        r10.intoArray(c, c1); r11.intoArray(c, c1 + L); r12.intoArray(c, c1 + 2 * L);
        r20.intoArray(c, c2); r21.intoArray(c, c2 + L); r22.intoArray(c, c2 + 2 * L);
        r30.intoArray(c, c3); r31.intoArray(c, c3 + L); r32.intoArray(c, c3 + 2 * L);
    }

    /**
     * 4 rows x (3 full vectors + 1 column) of C: the last column's 4 rows are the lanes of one 128-bit vector, fed by the
     * panel's 4 interleaved elements of A at each p and one broadcast element of B, in the same loop (so the column
     * costs one narrow fused multiply-add per step instead of a mostly masked vector or a separate pass).
     */
    private static void block3Column(int k, float[] a, int aOff, float[] b, int bj, int ldb, float[] c, int cij, int ldc) {
        int c0 = cij, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc, last = 3 * L;
        FloatVector r00, r01, r02, r10, r11, r12, r20, r21, r22, r30, r31, r32, col;
        r00 = FloatVector.fromArray(S, c, c0); r01 = FloatVector.fromArray(S, c, c0 + L); r02 = FloatVector.fromArray(S, c, c0 + 2 * L);
        r10 = FloatVector.fromArray(S, c, c1); r11 = FloatVector.fromArray(S, c, c1 + L); r12 = FloatVector.fromArray(S, c, c1 + 2 * L);
        r20 = FloatVector.fromArray(S, c, c2); r21 = FloatVector.fromArray(S, c, c2 + L); r22 = FloatVector.fromArray(S, c, c2 + 2 * L);
        r30 = FloatVector.fromArray(S, c, c3); r31 = FloatVector.fromArray(S, c, c3 + L); r32 = FloatVector.fromArray(S, c, c3 + 2 * L);
        col = FloatVector.zero(ROW_LANES).withLane(0, c[c0 + last]).withLane(1, c[c1 + last]).withLane(2, c[c2 + last]).withLane(3, c[c3 + last]);
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
        r00.intoArray(c, c0); r01.intoArray(c, c0 + L); r02.intoArray(c, c0 + 2 * L);
        r10.intoArray(c, c1); r11.intoArray(c, c1 + L); r12.intoArray(c, c1 + 2 * L);
        r20.intoArray(c, c2); r21.intoArray(c, c2 + L); r22.intoArray(c, c2 + 2 * L);
        r30.intoArray(c, c3); r31.intoArray(c, c3 + L); r32.intoArray(c, c3 + 2 * L);
        c[c0 + last] = col.lane(0); c[c1 + last] = col.lane(1); c[c2 + last] = col.lane(2); c[c3 + last] = col.lane(3);
    }

    /**
     * {@code c[j] += sum_p a[p] * B[p][j]} for one row of A read in place (row-major, not packed) and B [k, n] with row
     * stride ldb: blocks of 4 vectors, single vectors, then scalar columns, each element a chain of fused multiply-adds
     * in increasing p.
     */
    static void multiplyAddRow(int k, float[] a, int aOff, float[] b, int bOff, int ldb, int n, float[] c, int cOff) {
        int j = 0;
        for (; j + 4 * L <= n; j += 4 * L) row4(k, a, aOff, 1, b, bOff + j, ldb, c, cOff + j);
        for (; j + L <= n; j += L) {
            FloatVector r = FloatVector.fromArray(S, c, cOff + j);
            for (int p = 0, bp = bOff + j; p < k; p++, bp += ldb) r = FloatVector.broadcast(S, a[aOff + p]).fma(FloatVector.fromArray(S, b, bp), r);
            r.intoArray(c, cOff + j);
        }
        for (; j < n; j++) {
            float r = c[cOff + j];
            for (int p = 0; p < k; p++) r = Math.fma(a[aOff + p], b[bOff + p * ldb + j], r);
            c[cOff + j] = r;
        }
    }

    /** One row of C (panel element (row, p) at {@code aOff + p * 4}) x 4 full vectors: four independent chains. */
    private static void row4(int k, float[] a, int aOff, float[] b, int bj, int ldb, float[] c, int ci) { row4(k, a, aOff, ROWS, b, bj, ldb, c, ci); }

    /** As {@link #row4(int, float[], int, float[], int, int, float[], int)} with A's element p at {@code aOff + p * aStep}. */
    private static void row4(int k, float[] a, int aOff, int aStep, float[] b, int bj, int ldb, float[] c, int ci) {
        FloatVector r0 = FloatVector.fromArray(S, c, ci), r1 = FloatVector.fromArray(S, c, ci + L),
                r2 = FloatVector.fromArray(S, c, ci + 2 * L), r3 = FloatVector.fromArray(S, c, ci + 3 * L);
        for (int p = 0, ap = aOff, bp = bj; p < k; p++, ap += aStep, bp += ldb) {
            FloatVector w = FloatVector.broadcast(S, a[ap]);
            r0 = w.fma(FloatVector.fromArray(S, b, bp), r0);
            r1 = w.fma(FloatVector.fromArray(S, b, bp + L), r1);
            r2 = w.fma(FloatVector.fromArray(S, b, bp + 2 * L), r2);
            r3 = w.fma(FloatVector.fromArray(S, b, bp + 3 * L), r3);
        }
        r0.intoArray(c, ci); r1.intoArray(c, ci + L); r2.intoArray(c, ci + 2 * L); r3.intoArray(c, ci + 3 * L);
    }

    /** 4 rows x 2 full vectors of C. */
    private static void block2(int k, float[] a, int aOff, float[] b, int bj, int ldb, float[] c, int cij, int ldc) {
        int c0 = cij, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector r00 = FloatVector.fromArray(S, c, c0), r01 = FloatVector.fromArray(S, c, c0 + L);
        FloatVector r10 = FloatVector.fromArray(S, c, c1), r11 = FloatVector.fromArray(S, c, c1 + L);
        FloatVector r20 = FloatVector.fromArray(S, c, c2), r21 = FloatVector.fromArray(S, c, c2 + L);
        FloatVector r30 = FloatVector.fromArray(S, c, c3), r31 = FloatVector.fromArray(S, c, c3 + L);
        for (int p = 0, ap = aOff, bp = bj; p < k; p++, ap += ROWS, bp += ldb) {
            FloatVector x0 = FloatVector.fromArray(S, b, bp), x1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector w = FloatVector.broadcast(S, a[ap]);
            r00 = w.fma(x0, r00); r01 = w.fma(x1, r01);
            w = FloatVector.broadcast(S, a[ap + 1]);
            r10 = w.fma(x0, r10); r11 = w.fma(x1, r11);
            w = FloatVector.broadcast(S, a[ap + 2]);
            r20 = w.fma(x0, r20); r21 = w.fma(x1, r21);
            w = FloatVector.broadcast(S, a[ap + 3]);
            r30 = w.fma(x0, r30); r31 = w.fma(x1, r31);
        }
        r00.intoArray(c, c0); r01.intoArray(c, c0 + L);
        r10.intoArray(c, c1); r11.intoArray(c, c1 + L);
        r20.intoArray(c, c2); r21.intoArray(c, c2 + L);
        r30.intoArray(c, c3); r31.intoArray(c, c3 + L);
    }

    /** 4 rows x 1 vector of C, all lanes when {@code mask} is null. */
    private static void block1(int k, float[] a, int aOff, float[] b, int bj, int ldb, float[] c, int cij, int ldc, VectorMask<Float> mask) {
        VectorMask<Float> m = mask != null ? mask : S.maskAll(true);
        int c0 = cij, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector r0 = FloatVector.fromArray(S, c, c0, m), r1 = FloatVector.fromArray(S, c, c1, m),
                r2 = FloatVector.fromArray(S, c, c2, m), r3 = FloatVector.fromArray(S, c, c3, m);
        for (int p = 0, ap = aOff, bp = bj; p < k; p++, ap += ROWS, bp += ldb) {
            FloatVector x = FloatVector.fromArray(S, b, bp, m);
            r0 = FloatVector.broadcast(S, a[ap]).fma(x, r0);
            r1 = FloatVector.broadcast(S, a[ap + 1]).fma(x, r1);
            r2 = FloatVector.broadcast(S, a[ap + 2]).fma(x, r2);
            r3 = FloatVector.broadcast(S, a[ap + 3]).fma(x, r3);
        }
        r0.intoArray(c, c0, m); r1.intoArray(c, c1, m); r2.intoArray(c, c2, m); r3.intoArray(c, c3, m);
    }

    /** One row of C (panel element (row, p) at {@code aOff + p * 4}) x 1 vector, all lanes when {@code mask} is null. */
    private static void row(int k, float[] a, int aOff, float[] b, int bj, int ldb, float[] c, int ci, VectorMask<Float> mask) {
        VectorMask<Float> m = mask != null ? mask : S.maskAll(true);
        FloatVector r = FloatVector.fromArray(S, c, ci, m);
        for (int p = 0, ap = aOff, bp = bj; p < k; p++, ap += ROWS, bp += ldb)
            r = FloatVector.broadcast(S, a[ap]).fma(FloatVector.fromArray(S, b, bp, m), r);
        r.intoArray(c, ci, m);
    }

    /** 4 rows x 4 full vectors of C. */
    private static void block4(int k, float[] a, int aOff, float[] b, int bj, int ldb, float[] c, int cij, int ldc) {
        int c0 = cij, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector r00 = FloatVector.fromArray(S, c, c0), r01 = FloatVector.fromArray(S, c, c0 + L),
                r02 = FloatVector.fromArray(S, c, c0 + 2 * L), r03 = FloatVector.fromArray(S, c, c0 + 3 * L);
        FloatVector r10 = FloatVector.fromArray(S, c, c1), r11 = FloatVector.fromArray(S, c, c1 + L),
                r12 = FloatVector.fromArray(S, c, c1 + 2 * L), r13 = FloatVector.fromArray(S, c, c1 + 3 * L);
        FloatVector r20 = FloatVector.fromArray(S, c, c2), r21 = FloatVector.fromArray(S, c, c2 + L),
                r22 = FloatVector.fromArray(S, c, c2 + 2 * L), r23 = FloatVector.fromArray(S, c, c2 + 3 * L);
        FloatVector r30 = FloatVector.fromArray(S, c, c3), r31 = FloatVector.fromArray(S, c, c3 + L),
                r32 = FloatVector.fromArray(S, c, c3 + 2 * L), r33 = FloatVector.fromArray(S, c, c3 + 3 * L);
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
        r00.intoArray(c, c0); r01.intoArray(c, c0 + L); r02.intoArray(c, c0 + 2 * L); r03.intoArray(c, c0 + 3 * L);
        r10.intoArray(c, c1); r11.intoArray(c, c1 + L); r12.intoArray(c, c1 + 2 * L); r13.intoArray(c, c1 + 3 * L);
        r20.intoArray(c, c2); r21.intoArray(c, c2 + L); r22.intoArray(c, c2 + 2 * L); r23.intoArray(c, c2 + 3 * L);
        r30.intoArray(c, c3); r31.intoArray(c, c3 + L); r32.intoArray(c, c3 + 2 * L); r33.intoArray(c, c3 + 3 * L);
    }
}
