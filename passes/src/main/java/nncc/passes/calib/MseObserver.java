package nncc.passes.calib;

/**
 * The {@code mse} observer: the clip range that minimizes the expected squared quantization error of the value
 * on the target grid, searched over the 2048-bin histogram over [min, max]. For a candidate range the error is
 * the clipping error of the values outside it, {@code sum (x - clamp(x))^2} with each bin's values at its
 * center, plus the rounding noise {@code delta^2 / 12} of each value inside, where delta is the step of the
 * grid the candidate gets:
 *
 * <ul>
 *   <li>asymmetric (int8): candidates are the pairs of bin edges lo <= 0 <= hi (the grid always contains 0, as
 *       {@link QuantChoice} widens the range, so an end beyond 0 would clip nothing), with
 *       {@code delta = (hi - lo) / (2^bits - 1)}; an all-positive value keeps its observed lower end;</li>
 *   <li>symmetric (int16): candidates are [-m, m] for m = k/2048 · max|x|, k = 1..2048, with
 *       {@code delta = m / (2^(bits-1) - 1)}.</li>
 * </ul>
 * Prefix sums of the counts, of count·center and of count·center² make each candidate O(1). On ties the
 * widest candidate wins. Unlike percentile and entropy, mse weighs an outlier by its squared distance, so it
 * clips outliers only when they are rare enough: k outliers at distance d are clipped when k·d² costs less
 * than the extra rounding noise the wider grid gives every other value (about N·R²/(12·255²) for int8).
 */
public final class MseObserver extends HistogramObserver {
    private final int bits;
    private final boolean symmetric;

    public MseObserver(int bits, boolean symmetric) {
        if (bits < 2 || bits > 32) throw new IllegalArgumentException("bit width must be 2..32, got " + bits);
        this.bits = bits;
        this.symmetric = symmetric;
    }

    @Override protected HistogramObserver fresh() { return new MseObserver(bits, symmetric); }

    @Override protected Range choose(Histogram h, Range observed) {
        Moments m = new Moments(h);
        return symmetric ? chooseSymmetric(h, m, observed) : chooseAsymmetric(h, m);
    }

    private Range chooseAsymmetric(Histogram h, Moments m) {
        int n = h.bins();
        double steps = Math.pow(2, bits) - 1;
        double bestError = Double.POSITIVE_INFINITY;
        int bestLo = 0, bestHi = n;
        // the grid always contains 0, so only ends on the far side of 0 clip anything: a lower end above 0 or an
        // upper end below 0 is the same grid as the observed end
        int loEnd = 0, hiStart = n;
        while (loEnd < n - 1 && h.edge(loEnd + 1) <= 0) loEnd++;
        while (hiStart > 1 && h.edge(hiStart - 1) >= 0) hiStart--;
        for (int a = 0; a <= loEnd; a++) {
            double lo = h.edge(a);
            for (int b = n; b >= Math.max(hiStart, a + 1); b--) {
                double hi = h.edge(b);
                double delta = (Math.max(hi, 0) - Math.min(lo, 0)) / steps;
                double error = m.below(a, lo) + m.above(b, hi) + (m.count(b) - m.count(a)) * delta * delta / 12;
                if (error < bestError) {
                    bestError = error;
                    bestLo = a;
                    bestHi = b;
                }
            }
        }
        return new Range(h.edge(bestLo), h.edge(bestHi));
    }

    private Range chooseSymmetric(Histogram h, Moments m, Range observed) {
        int n = h.bins();
        double qmax = QuantChoice.symmetricQmax(bits);
        double absMax = observed.absMax();
        double bestError = Double.POSITIVE_INFINITY, best = absMax;
        for (int k = n; k >= 1; k--) {
            double t = absMax * k / n;
            int a = binsWithCenterBelow(h, -t), b = binsWithCenterBelow(h, t);
            while (b < n && h.center(b) <= t) b++; // a bin centred exactly at t is inside
            double delta = t / qmax;
            double error = m.below(a, -t) + m.above(b, t) + (m.count(b) - m.count(a)) * delta * delta / 12;
            if (error < bestError) {
                bestError = error;
                best = t;
            }
        }
        return new Range(Math.max(observed.min(), -best), Math.min(observed.max(), best));
    }

    /** How many bins have their center strictly below {@code x}. */
    private static int binsWithCenterBelow(Histogram h, double x) {
        double pos = (x - h.lo()) / h.binWidth() - 0.5; // center(i) < x  <=>  i < pos
        int i = (int) Math.ceil(pos);
        return Math.max(0, Math.min(h.bins(), i));
    }

    /** Prefix sums over bins [0, k) of count, count·center and count·center². */
    private static final class Moments {
        private final double[] s0, s1, s2;

        Moments(Histogram h) {
            int n = h.bins();
            s0 = new double[n + 1];
            s1 = new double[n + 1];
            s2 = new double[n + 1];
            for (int i = 0; i < n; i++) {
                double c = h.count(i), x = h.center(i);
                s0[i + 1] = s0[i] + c;
                s1[i + 1] = s1[i] + c * x;
                s2[i + 1] = s2[i] + c * x * x;
            }
        }

        double count(int k) { return s0[k]; }

        /** Squared clipping error of bins [0, a) clamped up to {@code lo}. */
        double below(int a, double lo) { return Math.max(0, s2[a] - 2 * lo * s1[a] + lo * lo * s0[a]); }

        /** Squared clipping error of bins [b, n) clamped down to {@code hi}. */
        double above(int b, double hi) {
            int n = s0.length - 1;
            double c0 = s0[n] - s0[b], c1 = s1[n] - s1[b], c2 = s2[n] - s2[b];
            return Math.max(0, c2 - 2 * hi * c1 + hi * hi * c0);
        }
    }
}
