package nncc.cpu;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API form of {@link IntegerConvolution#multiplyAddWide}: {@code C[i][j] += sum_p A[i][p] * B[p][j]} with
 * int operands and int64 sums (16x8 convolutions and fully connected layers: 16-bit activations times 8-bit weights).
 * The products are summed in int32 lanes over blocks of p short enough that no partial sum can overflow, and each
 * block's sums are then added to the int64 C. The block length comes from the operands themselves: with
 * {@code |A| <= a} and {@code |B| <= b}, any sum of {@code floor((2^31 - 1) / (a * b))} products fits int32, so every
 * int32 partial sum is the exact integer and C gets exactly the scalar kernel's int64 values (integer addition is
 * associative: the order does not matter once nothing overflows). Only loaded when {@code jdk.incubator.vector} is
 * present (see {@link KernelSet}).
 */
final class VectorWideGemm {
    private VectorWideGemm() {}

    private static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** As {@link IntegerConvolution#multiplyAddWide}: C is m x n (dense), A m x k at {@code aOff} (row stride lda), B k x n (row stride ldb). */
    static void multiplyAdd(int m, int n, int k, int[] a, int aOff, int lda, int[] b, int ldb, long[] c) {
        multiplyAdd(m, n, k, a, aOff, lda, -1, b, ldb, c);
    }

    /**
     * As {@link #multiplyAdd(int, int, int, int[], int, int, int[], int, long[])} with {@code maxAbsA} a bound on the
     * magnitudes in A known to the caller (constant weights), or -1 to find it.
     */
    static void multiplyAdd(int m, int n, int k, int[] a, int aOff, int lda, long maxAbsA, int[] b, int ldb, long[] c) {
        if (m == 0 || n == 0 || k == 0) return;
        long maxA = Math.max(0, maxAbsA), maxB = 0;
        if (maxAbsA < 0) for (int i = 0; i < m; i++) maxA = Math.max(maxA, maxAbs(a, aOff + i * lda, k));
        for (int p = 0; p < k; p++) maxB = Math.max(maxB, maxAbs(b, p * ldb, n));
        int block = blockLength(maxA, maxB, k);
        if (n == 1) {
            for (int i = 0; i < m; i++) c[i] += dot(a, aOff + i * lda, b, ldb, k, block);
            return;
        }
        int[] sums = new int[L];
        for (int p0 = 0; p0 < k; p0 += block) {
            int p1 = Math.min(k, p0 + block);
            int i = 0;
            for (; i + 4 <= m; i += 4) fourRows(i, n, p0, p1, a, aOff, lda, b, ldb, c, sums);
            for (; i < m; i++) oneRow(i, n, p0, p1, a, aOff, lda, b, ldb, c, sums);
        }
    }

    /** How many products of magnitude at most {@code maxA * maxB} an int32 sum can take (at least 1, at most k). */
    static int blockLength(long maxA, long maxB, int k) {
        long bound = maxA * maxB;
        return bound == 0 ? k : (int) Math.max(1, Math.min(k, Integer.MAX_VALUE / bound));
    }

    /** The largest magnitude in {@code x[off, off + count)}. */
    static long maxAbs(int[] x, int off, int count) {
        long max = 0;
        for (int i = off; i < off + count; i++) max = Math.max(max, Math.abs((long) x[i]));
        return max;
    }

    /** Rows i..i+3 of C over products p0..p1-1: four int32 accumulator vectors per column vector. */
    private static void fourRows(int i, int n, int p0, int p1, int[] a, int aOff, int lda, int[] b, int ldb, long[] c, int[] sums) {
        int a0 = aOff + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        for (int j = 0; j < n; j += L) {
            VectorMask<Integer> mask = S.indexInRange(j, n);
            IntVector s0 = IntVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int p = p0; p < p1; p++) {
                IntVector bv = IntVector.fromArray(S, b, p * ldb + j, mask);
                s0 = s0.add(bv.mul(a[a0 + p]));
                s1 = s1.add(bv.mul(a[a1 + p]));
                s2 = s2.add(bv.mul(a[a2 + p]));
                s3 = s3.add(bv.mul(a[a3 + p]));
            }
            int width = Math.min(L, n - j);
            widenAdd(s0, sums, c, i * n + j, width);
            widenAdd(s1, sums, c, (i + 1) * n + j, width);
            widenAdd(s2, sums, c, (i + 2) * n + j, width);
            widenAdd(s3, sums, c, (i + 3) * n + j, width);
        }
    }

    private static void oneRow(int i, int n, int p0, int p1, int[] a, int aOff, int lda, int[] b, int ldb, long[] c, int[] sums) {
        int ai = aOff + i * lda;
        for (int j = 0; j < n; j += L) {
            VectorMask<Integer> mask = S.indexInRange(j, n);
            IntVector s = IntVector.zero(S);
            for (int p = p0; p < p1; p++) s = s.add(IntVector.fromArray(S, b, p * ldb + j, mask).mul(a[ai + p]));
            widenAdd(s, sums, c, i * n + j, Math.min(L, n - j));
        }
    }

    private static void widenAdd(IntVector s, int[] sums, long[] c, int at, int width) {
        s.intoArray(sums, 0);
        for (int l = 0; l < width; l++) c[at + l] += sums[l];
    }

    /**
     * {@code sum_p a[aOff + p] * b[p * ldb]} in int64 for a single column of B (a fully connected layer at batch 1);
     * each lane holds at most {@code block} products between widenings.
     */
    private static long dot(int[] a, int aOff, int[] b, int ldb, int k, int block) {
        if (ldb != 1) {
            long sum = 0;
            for (int p = 0; p < k; p++) sum += (long) a[aOff + p] * b[p * ldb];
            return sum;
        }
        long total = 0;
        for (int p0 = 0; p0 < k; p0 += block) {
            int p1 = Math.min(k, p0 + block), p = p0;
            IntVector s = IntVector.zero(S);
            for (; p + L <= p1; p += L) s = s.add(IntVector.fromArray(S, a, aOff + p).mul(IntVector.fromArray(S, b, p)));
            total += s.reduceLanesToLong(VectorOperators.ADD);
            for (; p < p1; p++) total += (long) a[aOff + p] * b[p];
        }
        return total;
    }
}
