package nncc.passes.calib;

/**
 * The {@code entropy} observer: TensorRT's KL-divergence calibration ("8-bit Inference with TensorRT",
 * Migacz, GTC 2017). Over a histogram P of |x| with {@value HistogramObserver#BINS} bins on [0, max|x|], each
 * candidate threshold of i bins (i from max(128, levels) to 2048, see below) is scored by
 * KL(P_i || Q_i): P_i is the first i bins with the mass of all later bins (the clipped outliers) added to bin
 * i-1; Q_i spreads the first i bins over the quantization levels (bin k goes to level floor(k·levels/i)), each
 * level's total shared evenly among its non-empty bins (empty bins stay empty). Both are normalized. A
 * candidate whose last bin is empty while values lie beyond it has P > 0 where Q = 0, an infinite divergence,
 * and is skipped (as in NVIDIA's pytorch-quantization); no other bin can have P > 0 and Q = 0. The threshold
 * T = i · binWidth of the smallest divergence wins (the largest on ties). As in pytorch-quantization, the
 * first bin's count is replaced by the second's before scoring: a Relu output is mostly exact zeros, and that
 * spike, spread by Q over its level's bins, would otherwise dominate every divergence and push the threshold
 * down to the smallest candidate (on the Fashion-MNIST CNN's first Relu: 1.15 of 9.21 undamped, 3.71 damped).
 *
 * <p>Levels: a value that is never negative covers [0, T] with the whole grid of the target, 255 levels for
 * int8 (2^bits - 1); a signed value gets half of it, 128 for int8 (2^(bits-1), TensorRT's choice), since the
 * grid spans [-T, T]. The range is [max(min, -T), min(max, T)]. Candidates start at max(128, levels) bins:
 * with fewer bins than levels Q equals P inside the threshold, so only the clipping would count and the
 * divergence would favour clipping hard (TensorRT starts at its 128 levels for the same reason). For int16
 * the levels outnumber the bins: the threshold stays at max|x|.
 *
 * <p>To keep a signed histogram for the report, pass 1 counts x over [-max|x|, max|x|] with 2·2048 bins; P is
 * that histogram folded onto |x|, which gives exactly the 2048 bins of |x|.
 */
public final class EntropyObserver extends HistogramObserver {
    /** The smallest candidate threshold, in bins, when the levels are fewer (TensorRT's 128). */
    public static final int START_BIN = 128;

    private final int bits;

    /** {@code bits}: the width of the target integer type (8 for int8). */
    public EntropyObserver(int bits) {
        if (bits < 2 || bits > 16) throw new IllegalArgumentException("entropy calibration needs 2..16 bits, got " + bits);
        this.bits = bits;
    }

    @Override protected HistogramObserver fresh() { return new EntropyObserver(bits); }

    @Override protected Histogram newHistogram(Range observed) {
        return new Histogram(-observed.absMax(), observed.absMax(), 2 * BINS);
    }

    @Override protected Range choose(Histogram h, Range observed) {
        long[] magnitudes = fold(h);
        int levels = observed.min() >= 0 ? (1 << bits) - 1 : 1 << (bits - 1);
        double threshold = threshold(magnitudes, levels) * (observed.absMax() / BINS);
        return new Range(Math.max(observed.min(), -threshold), Math.min(observed.max(), threshold));
    }

    /** The 2048 bins of |x| from the 4096 bins of x over [-A, A]: bin k of |x| = bins BINS+k and BINS-1-k of x. */
    static long[] fold(Histogram h) {
        long[] m = new long[BINS];
        for (int k = 0; k < BINS; k++) m[k] = h.count(BINS + k) + h.count(BINS - 1 - k);
        return m;
    }

    /** The number of bins i in [max(START_BIN, levels), bins] minimizing KL(P_i || Q_i) for a histogram of magnitudes. */
    static int threshold(long[] magnitudes, int levels) {
        long[] hist = magnitudes.clone();
        int n = hist.length;
        if (n > 1) hist[0] = hist[1]; // damp the spike of exact zeros (see the class comment)
        long total = 0;
        for (long c : hist) total += c;
        if (total == 0) return n;
        int best = n;
        double bestKl = Double.POSITIVE_INFINITY;
        double[] levelSum = new double[levels];
        int[] levelNonZero = new int[levels];
        int start = Math.min(Math.max(START_BIN, levels), n);
        long inside = 0;
        for (int k = 0; k < start - 1; k++) inside += hist[k];
        for (int i = start; i <= n; i++) {
            inside += hist[i - 1];
            if (hist[i - 1] == 0 && i < n) continue; // P > 0 = Q at bin i-1: infinite divergence
            double kl = divergence(hist, i, total, inside, levels, levelSum, levelNonZero);
            if (kl <= bestKl) {
                bestKl = kl;
                best = i;
            }
        }
        return best;
    }

    private static double divergence(long[] hist, int i, long total, long inside, int levels, double[] levelSum, int[] levelNonZero) {
        java.util.Arrays.fill(levelSum, 0);
        java.util.Arrays.fill(levelNonZero, 0);
        for (int k = 0; k < i; k++) {
            int level = (int) ((long) k * levels / i);
            levelSum[level] += hist[k];
            if (hist[k] != 0) levelNonZero[level]++;
        }
        long outliers = total - inside;
        double kl = 0;
        for (int k = 0; k < i; k++) {
            double p = hist[k] + (k == i - 1 ? outliers : 0);
            if (p == 0) continue;
            p /= total;
            int level = (int) ((long) k * levels / i);
            double q = levelSum[level] / levelNonZero[level] / inside; // hist[k] > 0 here (see threshold)
            kl += p * Math.log(p / q);
        }
        return kl;
    }
}
