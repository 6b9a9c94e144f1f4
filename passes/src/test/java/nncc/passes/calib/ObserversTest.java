package nncc.passes.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import nncc.ir.DType;
import org.junit.jupiter.api.Test;

/**
 * Each observer on synthetic data with known answers. Data: 100,000 uniform [0, 1) values, or 100,000
 * standard normal values plus 10 outliers at +-50 (seeded). Tolerances cover the histogram's bin width and the
 * sampling error of the quantiles (stated per test).
 */
class ObserversTest {
    static final int N = 100_000;

    static float[] uniform(long seed) {
        Random r = new Random(seed);
        float[] v = new float[N];
        for (int i = 0; i < N; i++) v[i] = r.nextFloat();
        return v;
    }

    static float[] gaussianWithOutliers(long seed) {
        Random r = new Random(seed);
        float[] v = new float[N + 10];
        for (int i = 0; i < N; i++) v[i] = (float) r.nextGaussian();
        for (int i = 0; i < 10; i++) v[N + i] = i % 2 == 0 ? 50f : -50f;
        return v;
    }

    /** Drives the observer protocol on one thread: every pass sees the batches in order. */
    static Range observe(Observer o, float[]... batches) {
        for (int p = 0; p < o.passes(); p++) {
            for (float[] b : batches) {
                o.observe(p, b);
                o.endBatch(p);
            }
            o.endPass(p);
        }
        return o.range();
    }

    /** As two threads would: each pass, the second half of the batches goes to a fork that is merged back. */
    static Range observeSplit(Observer o, float[]... batches) {
        for (int p = 0; p < o.passes(); p++) {
            Observer other = o.fork();
            for (int i = 0; i < batches.length; i++) {
                Observer target = i < batches.length / 2 ? o : other;
                target.observe(p, batches[i]);
                target.endBatch(p);
            }
            o.merge(other);
            o.endPass(p);
        }
        return o.range();
    }

    static float[][] chunks(float[] v, int n) {
        float[][] r = new float[n][];
        for (int i = 0; i < n; i++) r[i] = Arrays.copyOfRange(v, i * v.length / n, (i + 1) * v.length / n);
        return r;
    }

    @Test void minmaxIsTheExactExtremesAndKeepsOutliers() {
        float[] u = uniform(1);
        double lo = 1, hi = 0;
        for (float x : u) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
        assertEquals(new Range(lo, hi), observe(new MinMaxObserver(), chunks(u, 7)));
        assertEquals(new Range(-50, 50), observe(new MinMaxObserver(), gaussianWithOutliers(2)));
        assertEquals(new Range(-50, 50), observeSplit(new MinMaxObserver(), chunks(gaussianWithOutliers(2), 4)));
    }

    @Test void minmaxIgnoresNaN() {
        assertEquals(new Range(-1, 3), observe(new MinMaxObserver(), new float[] {Float.NaN, -1, 3, Float.NaN}));
    }

    @Test void movingAverageOverTwoBatchesByHand() {
        // first batch sets [-1, 2]; second batch [-3, 4] moves them 1%: -1 + 0.01 (-3 + 1) = -1.02, 2 + 0.01 (4 - 2) = 2.02
        Range r = observe(new MovingAverageObserver(), new float[] {-1, 0.5f, 2}, new float[] {-3, 4, 0});
        assertEquals(-1.02, r.min(), 1e-12);
        assertEquals(2.02, r.max(), 1e-12);
    }

    @Test void movingAverageCountsBatchesNotChunks() {
        MovingAverageObserver chunked = new MovingAverageObserver();
        chunked.observe(0, new float[] {-1, 0.5f});
        chunked.observe(0, new float[] {2});
        chunked.endBatch(0);
        chunked.observe(0, new float[] {-3});
        chunked.observe(0, new float[] {4, 0});
        chunked.endBatch(0);
        assertEquals(observe(new MovingAverageObserver(), new float[] {-1, 0.5f, 2}, new float[] {-3, 4, 0}), chunked.range());
        assertEquals(new Range(-3, 4), chunked.observed());
        assertFalse(chunked.mergeable());
    }

    @Test void percentileClipsEachTailOfUniform() {
        // q(0.01) = 0.01, q(0.99) = 0.99; bin width 1/2048 and sampling error (~3e-4) within 0.003
        Range r = observe(new PercentileObserver(99), chunks(uniform(3), 5));
        assertEquals(0.01, r.min(), 0.003);
        assertEquals(0.99, r.max(), 0.003);
    }

    @Test void percentileClipsOutliers() {
        // 99.9th percentile of N(0,1) is 3.09; bins are 100/2048 = 0.05 wide; sampling error ~0.05
        Range r = observe(new PercentileObserver(99.9), chunks(gaussianWithOutliers(4), 3));
        assertEquals(-3.09, r.min(), 0.15);
        assertEquals(3.09, r.max(), 0.15);
    }

    @Test void percentileKeepsASpikeAtTheEnd() {
        // half the values are exactly 0 (a Relu output): the 0.01% lower quantile falls inside the first bin
        float[] v = uniform(11);
        for (int i = 0; i < v.length; i += 2) v[i] = 0;
        Range r = observe(new PercentileObserver(99.99), v);
        assertEquals(0.0, r.min(), 0.0);
        assertEquals(0.9999, r.max(), 0.001);
    }

    @Test void entropyClipsOutliersButNotUniform() {
        Range g = observe(new EntropyObserver(8), chunks(gaussianWithOutliers(5), 3));
        assertTrue(g.max() > 2 && g.max() < 8, "entropy threshold on N(0,1) with outliers: " + g);
        assertEquals(-g.max(), g.min(), 1e-12, "signed data gets a symmetric threshold");
        // a uniform distribution loses more by clipping than by rounding: the threshold stays near the max
        Range u = observe(new EntropyObserver(8), chunks(uniform(6), 3));
        assertEquals(0, u.min(), 1e-4);
        assertTrue(u.max() > 0.97, "entropy on uniform [0,1): " + u);
    }

    @Test void entropyStartsWhereQuantizationLosesSomething() {
        // irregular counts in bins 0..199 and one outlier in the last bin. With 255 levels a threshold of 200 bins
        // would keep every bin as its own level and lose only the outlier: almost no divergence. Such lossless
        // candidates are not considered; from 255 bins on the only candidate ending on data is the whole range
        long[] hist = new long[HistogramObserver.BINS];
        for (int k = 0; k < 200; k++) hist[k] = 1000 + (k * 7919L) % 500;
        hist[2047] = 1;
        assertEquals(2048, EntropyObserver.threshold(hist, 255));
        int t128 = EntropyObserver.threshold(hist, 128);
        assertTrue(t128 >= 128 && t128 <= 200 || t128 == 2048, "128 levels: " + t128);
        // levels >= bins: quantization is lossless everywhere and clipping always costs, so nothing is clipped
        assertEquals(HistogramObserver.BINS, EntropyObserver.threshold(hist, 65535));
    }

    @Test void entropyForInt16KeepsTheMaximum() {
        Range r = observe(new EntropyObserver(16), gaussianWithOutliers(5));
        assertEquals(new Range(-50, 50), r);
    }

    @Test void entropyFoldsTheSignedHistogramOntoMagnitudes() {
        Histogram h = new Histogram(-4, 4, 2 * HistogramObserver.BINS);
        h.add(new float[] {-4, -1.001f, 1.001f, 3.999f, 0.0001f});
        long[] m = EntropyObserver.fold(h);
        assertEquals(5, Arrays.stream(m).sum());
        assertEquals(1, m[0]);           // 0.0001
        assertEquals(2, m[512]);         // |-1.001| and 1.001: bin 512 of 2048 over [0, 4]
        assertEquals(2, m[2047]);        // -4 and 3.999
    }

    @Test void mseClipsRareOutliersButNotUniform() {
        // 1,000,000 N(0,1) values and one outlier at each of +-50. With the range [-R, R] the expected error is
        // N (2R/255)^2 / 12 of rounding plus 2 (50 - R)^2 of clipping, smallest at R = 200 / (4 + 8N / 780300) = 14.03
        // (the normal values never reach 14); the search sees bin edges 100/2048 apart
        Random rnd = new Random(7);
        float[] v = new float[1_000_002];
        for (int i = 0; i < 1_000_000; i++) v[i] = (float) rnd.nextGaussian();
        v[1_000_000] = 50;
        v[1_000_001] = -50;
        Range g = observe(new MseObserver(8, false), chunks(v, 3));
        assertEquals(14.03, g.max(), 0.05);
        assertEquals(-14.03, g.min(), 0.05);
        // ten outliers in 100,000 values cost more clipped (10 * 46^2) than kept (about 1,300): mse keeps them
        Range kept = observe(new MseObserver(8, false), gaussianWithOutliers(7));
        assertTrue(kept.max() > 40 && kept.min() < -40, "mse keeps frequent outliers: " + kept);
        // uniform [0,1): clipping the top 0.2% balances the rounding noise it saves; bins are 1/2048 wide
        Range u = observe(new MseObserver(8, false), chunks(uniform(8), 3));
        assertEquals(0, u.min(), 1e-4);
        assertEquals(0.998, u.max(), 0.002);
    }

    @Test void mseSymmetricInt16BarelyClips() {
        Range r = observe(new MseObserver(16, true), chunks(gaussianWithOutliers(9), 2));
        assertTrue(r.max() > 40 && r.min() < -40, "16-bit steps are fine enough to keep the outliers: " + r);
    }

    @Test void histogramObserversMergeExactly() {
        float[][] data = chunks(gaussianWithOutliers(10), 6);
        for (ObserverKind kind : new ObserverKind[] {ObserverKind.MINMAX, ObserverKind.PERCENTILE, ObserverKind.ENTROPY, ObserverKind.MSE}) {
            Observer one = kind.create(DType.I8, 99.99), two = kind.create(DType.I8, 99.99);
            assertEquals(observe(one, data), observeSplit(two, data), kind.text());
            if (one.histogram() != null) assertArrayEquals(one.histogram().counts(), two.histogram().counts(), kind.text());
        }
    }

    @Test void constantValueKeepsItsRange() {
        for (ObserverKind kind : ObserverKind.values())
            assertEquals(new Range(0, 0), observe(kind.create(DType.I8, 99.99), new float[] {0, 0, 0}), kind.text());
    }

    @Test void histogramQuantileAndRebin() {
        Histogram h = new Histogram(0, 4, 4);
        h.add(new float[] {0.5f, 1.5f, 1.5f, 3.5f, -1, 5});
        assertEquals(1, h.below());
        assertEquals(1, h.above());
        assertEquals(4, h.inside());
        assertEquals(1.5, h.quantile(0.5), 1e-12);  // 2 of 4 reached halfway through bin 1
        assertEquals(4.0, h.quantile(1), 1e-12);
        assertEquals(0.0, h.quantile(0), 1e-12);
        Histogram c = h.rebin(0, 2, 2);
        assertArrayEquals(new long[] {1, 2}, c.counts());
        assertEquals(1, c.below());
        assertEquals(2, c.above());
    }
    /**
     * The min/max observer equals the plain in-order scan bit for bit (the sign of a zero extreme included: the scan
     * keeps the first zero it meets) on arrays of zeros of both signs, NaNs, infinities and ordinary values, fed in
     * several calls.
     */
    @Test void minMaxEqualsThePlainScanBitForBit() {
        Random r = new Random(21);
        float[] pool = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1.5f, -2.25f, 3e-39f, -7f};
        for (int trial = 0; trial < 2000; trial++) {
            MinMaxObserver o = new MinMaxObserver();
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (int call = 0, calls = 1 + r.nextInt(3); call < calls; call++) {
                float[] v = new float[r.nextInt(12)];
                for (int i = 0; i < v.length; i++)
                    v[i] = r.nextInt(3) == 0 ? (float) r.nextGaussian() : pool[r.nextInt(trial % 2 == 0 ? 2 : pool.length)];
                for (float x : v) {
                    if (x < lo) lo = x;
                    if (x > hi) hi = x;
                }
                o.observe(0, v);
            }
            Range want = lo <= hi ? new Range(lo, hi) : new Range(0, 0);
            assertEquals(Double.doubleToRawLongBits(want.min()), Double.doubleToRawLongBits(o.observed().min()), "trial " + trial + " min");
            assertEquals(Double.doubleToRawLongBits(want.max()), Double.doubleToRawLongBits(o.observed().max()), "trial " + trial + " max");
        }
    }
}
