package nncc.passes.calib;

/** The {@code minmax} observer: the smallest and largest value seen over all the calibration data. */
public final class MinMaxObserver implements Observer {
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    @Override public int passes() { return 1; }

    @Override public void observe(int pass, float[] values) {
        double lo = min, hi = max;
        for (float v : values) {
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        min = lo;
        max = hi;
    }

    @Override public Observer fork() { return new MinMaxObserver(); }

    @Override public void merge(Observer other) {
        MinMaxObserver o = (MinMaxObserver) other;
        min = Math.min(min, o.min);
        max = Math.max(max, o.max);
    }

    @Override public Range observed() { return min <= max ? new Range(min, max) : new Range(0, 0); }

    @Override public Range range() { return observed(); }
}
