package nncc.passes.calib;

/** The {@code minmax} observer: the smallest and largest value seen over all the calibration data. */
public final class MinMaxObserver implements Observer {
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    @Override public int passes() { return 1; }

    /**
     * The same min and max as the plain scan {@code if (v < min) min = v; if (v > max) max = v;} over the values in
     * order, which ignores NaNs and keeps the first of +0.0 and -0.0 it meets. The extremes come from a Math.min/max
     * reduction (which the JIT vectorizes) and are then made the scan's: a NaN, which the reduction would propagate,
     * sends the values through the scan itself; a zero extreme (Math.min prefers -0.0) is replaced by the first zero
     * in the values, the one the scan keeps; a value equal to the running extreme does not replace it.
     */
    @Override public void observe(int pass, float[] values) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (Float.isNaN(lo) || Float.isNaN(hi)) {
            scan(values);
            return;
        }
        if (lo == 0) lo = firstZero(values);
        if (hi == 0) hi = firstZero(values);
        if (lo < min) min = lo;
        if (hi > max) max = hi;
    }

    private void scan(float[] values) {
        double lo = min, hi = max;
        for (float v : values) {
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        min = lo;
        max = hi;
    }

    private static float firstZero(float[] values) {
        for (float v : values) if (v == 0) return v;
        throw new IllegalStateException("no zero among the values");
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
