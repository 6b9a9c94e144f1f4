package nncc.passes.calib;

/**
 * Base of the two-pass observers: pass 0 finds the value's min and max, pass 1 fills a fixed-range histogram
 * (by default {@value #BINS} bins over [min, max]; a subclass may choose other bins), and the subclass chooses
 * the range from the histogram. Thread copies share the pass-0 range, so their histograms merge exactly.
 */
public abstract sealed class HistogramObserver implements Observer
        permits PercentileObserver, EntropyObserver, MseObserver {
    /** Bins of the fine histogram (TensorRT's and PyTorch's 2048). */
    public static final int BINS = 2048;

    private final MinMaxObserver extremes = new MinMaxObserver();
    private Range observed;
    private Histogram histogram;
    private Range chosen;

    /** The empty histogram pass 1 fills, given the finite, non-degenerate [min, max] of pass 0. */
    protected Histogram newHistogram(Range observed) { return new Histogram(observed.min(), observed.max(), BINS); }

    /** A new observer with the same settings and no statistics. */
    protected abstract HistogramObserver fresh();

    /** The range chosen from the filled histogram; {@code observed} is the exact [min, max] of pass 0. */
    protected abstract Range choose(Histogram h, Range observed);

    @Override public final int passes() { return 2; }

    @Override public final void observe(int pass, float[] values) {
        if (pass == 0) extremes.observe(pass, values);
        else if (histogram != null) histogram.add(values);
    }

    @Override public final void endPass(int pass) {
        if (pass == 0) {
            observed = extremes.observed();
            if (observed.isFinite() && observed.width() > 0) histogram = newHistogram(observed);
        } else {
            chosen = histogram == null ? observed : choose(histogram, observed);
        }
    }

    @Override public final Observer fork() {
        HistogramObserver copy = fresh();
        if (observed != null) {
            copy.observed = observed;
            if (histogram != null) copy.histogram = new Histogram(histogram.lo(), histogram.hi(), histogram.bins());
        }
        return copy;
    }

    @Override public final void merge(Observer other) {
        HistogramObserver o = (HistogramObserver) other;
        if (observed == null) extremes.merge(o.extremes);
        else if (histogram != null) histogram.merge(o.histogram);
    }

    @Override public final Range observed() { return observed != null ? observed : extremes.observed(); }

    @Override public final Range range() {
        if (chosen == null) throw new IllegalStateException("histogram observer asked for its range before both passes ended");
        return chosen;
    }

    @Override public final Histogram histogram() { return histogram; }
}
