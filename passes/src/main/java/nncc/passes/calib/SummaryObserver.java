package nncc.passes.calib;

/**
 * A one-pass observer that only fills a histogram with fixed bins: the extra pass that gives the single-pass
 * observers (minmax, moving-average) the per-value histogram of a {@link CalibrationResult}.
 */
final class SummaryObserver implements Observer {
    private final Histogram histogram;

    SummaryObserver(double lo, double hi, int bins) { this.histogram = new Histogram(lo, hi, bins); }

    @Override public int passes() { return 1; }

    @Override public void observe(int pass, float[] values) { histogram.add(values); }

    @Override public Observer fork() { return new SummaryObserver(histogram.lo(), histogram.hi(), histogram.bins()); }

    @Override public void merge(Observer other) { histogram.merge(((SummaryObserver) other).histogram); }

    @Override public Range observed() { return new Range(histogram.lo(), histogram.hi()); }

    @Override public Range range() { return observed(); }

    @Override public Histogram histogram() { return histogram; }
}
