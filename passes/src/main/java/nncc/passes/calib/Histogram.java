package nncc.passes.calib;

import java.util.Arrays;

/**
 * Counts of values in equal-width bins over a fixed interval {@code [lo, hi]}, plus the counts that fell below
 * or above it. The value {@code hi} itself goes to the last bin. Used by the histogram observers (2048 bins) and
 * for the per-value summaries of a {@link CalibrationResult} (64 bins).
 */
public final class Histogram {
    private final double lo;
    private final double hi;
    private final long[] counts;
    private final double binsPerUnit;
    private long below;
    private long above;

    public Histogram(double lo, double hi, int bins) {
        if (!(lo <= hi) || !Double.isFinite(lo) || !Double.isFinite(hi) || bins < 1)
            throw new IllegalArgumentException("bad histogram [" + lo + ", " + hi + "] with " + bins + " bins");
        this.lo = lo;
        this.hi = hi;
        this.counts = new long[bins];
        this.binsPerUnit = hi > lo ? bins / (hi - lo) : 0;
    }

    /** Adds every element of {@code values} (NaNs ignored). */
    public void add(float[] values) {
        for (float v : values) add(v);
    }

    public void add(double v) {
        if (Double.isNaN(v)) return;
        if (v < lo) { below++; return; }
        if (v > hi) { above++; return; }
        int i = (int) ((v - lo) * binsPerUnit);
        counts[Math.min(i, counts.length - 1)]++;
    }

    /** Adds the counts of a histogram with the same bins. */
    public void merge(Histogram o) {
        if (o.lo != lo || o.hi != hi || o.counts.length != counts.length)
            throw new IllegalArgumentException("cannot merge histograms over different bins");
        for (int i = 0; i < counts.length; i++) counts[i] += o.counts[i];
        below += o.below;
        above += o.above;
    }

    public double lo() { return lo; }

    public double hi() { return hi; }

    public int bins() { return counts.length; }

    public double binWidth() { return (hi - lo) / counts.length; }

    /** The left edge of bin {@code i}; {@code edge(bins())} is {@code hi}. */
    public double edge(int i) { return i == counts.length ? hi : lo + i * binWidth(); }

    public double center(int i) { return lo + (i + 0.5) * binWidth(); }

    public long count(int i) { return counts[i]; }

    public long[] counts() { return counts.clone(); }

    public long below() { return below; }

    public long above() { return above; }

    /** Values counted inside {@code [lo, hi]}. */
    public long inside() {
        long n = 0;
        for (long c : counts) n += c;
        return n;
    }

    /**
     * The value below which a fraction {@code q} of the in-range counts lies, interpolating linearly inside the
     * bin where the cumulative count reaches {@code q * inside()} (values assumed uniform within a bin).
     */
    public double quantile(double q) {
        if (!(q >= 0 && q <= 1)) throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
        long total = inside();
        if (total == 0) return lo;
        double target = q * total;
        long before = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 && before + counts[i] >= target)
                return edge(i) + binWidth() * Math.max(0, target - before) / counts[i];
            before += counts[i];
        }
        return hi;
    }

    /**
     * A coarser histogram over {@code [newLo, newHi]} with {@code bins} bins, each fine bin counted where its
     * center falls (so it is exact to within one fine bin); counts outside go to below/above.
     */
    public Histogram rebin(double newLo, double newHi, int bins) {
        Histogram r = new Histogram(newLo, newHi, bins);
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) continue;
            double c = center(i);
            if (c < newLo) r.below += counts[i];
            else if (c > newHi) r.above += counts[i];
            else r.counts[Math.min((int) ((c - newLo) * r.binsPerUnit), bins - 1)] += counts[i];
        }
        r.below += below;
        r.above += above;
        return r;
    }

    @Override public String toString() {
        return "histogram[" + lo + ", " + hi + "] " + Arrays.toString(counts) + " below " + below + " above " + above;
    }
}
