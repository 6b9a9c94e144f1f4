package nncc.passes.calib;

/**
 * The {@code percentile} observer: clips each tail separately. With percentile p (e.g. 99.99) the range is
 * {@code [q(1 - p/100), q(p/100)]}, the quantiles of the value's own distribution read from the 2048-bin
 * histogram over [min, max] (interpolating inside a bin; a quantile that falls in the first or last bin keeps
 * the observed end), so a value that is all positive keeps its lower end and only its upper tail is clipped. Clipping each tail rather than |x| suits asymmetric int8 activations;
 * for a symmetric target {@link QuantChoice} then takes the larger magnitude of the two ends.
 */
public final class PercentileObserver extends HistogramObserver {
    private final double percentile;

    /** {@code percentile} in (50, 100]: the share of values kept below the upper end (and above the lower end). */
    public PercentileObserver(double percentile) {
        if (!(percentile > 50 && percentile <= 100))
            throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
        this.percentile = percentile;
    }

    public double percentile() { return percentile; }

    @Override protected HistogramObserver fresh() { return new PercentileObserver(percentile); }

    @Override protected Range choose(Histogram h, Range observed) {
        double keep = percentile / 100;
        double lo = h.quantile(1 - keep), hi = h.quantile(keep);
        // inside the first or last bin a quantile clips less than a bin width; keep the observed end there, so a
        // spike at an end (the zeros of a Relu, saturated pixels) stays exact
        lo = lo < h.edge(1) ? observed.min() : lo;
        hi = hi > h.edge(h.bins() - 1) ? observed.max() : hi;
        return lo <= hi ? new Range(lo, hi) : new Range(hi, hi);
    }
}
