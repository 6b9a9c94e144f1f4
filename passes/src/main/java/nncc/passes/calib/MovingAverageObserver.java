package nncc.passes.calib;

/**
 * The {@code moving-average} observer, as PyTorch's {@code MovingAverageMinMaxObserver}: the first batch sets
 * {@code min} and {@code max} to its own extremes; each later batch moves them by
 * {@code min += c * (batchMin - min)} (likewise max) with {@code c = 0.01}. The result depends on the order
 * of the batches, so it is not {@link #mergeable()} and runs on one thread, batches in file order.
 */
public final class MovingAverageObserver implements Observer {
    /** PyTorch's default {@code averaging_constant}. */
    public static final double AVERAGING_CONSTANT = 0.01;

    private final double constant;
    private double batchMin = Double.POSITIVE_INFINITY;
    private double batchMax = Double.NEGATIVE_INFINITY;
    private double min;
    private double max;
    private boolean started;
    private final MinMaxObserver seen = new MinMaxObserver();

    public MovingAverageObserver() { this(AVERAGING_CONSTANT); }

    public MovingAverageObserver(double constant) {
        if (!(constant > 0 && constant <= 1)) throw new IllegalArgumentException("averaging constant must be in (0, 1], got " + constant);
        this.constant = constant;
    }

    @Override public int passes() { return 1; }

    @Override public void observe(int pass, float[] values) {
        for (float v : values) {
            if (v < batchMin) batchMin = v;
            if (v > batchMax) batchMax = v;
        }
        seen.observe(pass, values);
    }

    @Override public void endBatch(int pass) {
        if (batchMin > batchMax) return; // an empty batch moves nothing
        if (!started) {
            min = batchMin;
            max = batchMax;
            started = true;
        } else {
            min += constant * (batchMin - min);
            max += constant * (batchMax - max);
        }
        batchMin = Double.POSITIVE_INFINITY;
        batchMax = Double.NEGATIVE_INFINITY;
    }

    @Override public boolean mergeable() { return false; }

    @Override public Observer fork() { return new MovingAverageObserver(constant); }

    @Override public void merge(Observer other) {
        throw new UnsupportedOperationException("the moving average depends on the batch order and cannot be merged");
    }

    @Override public Range observed() { return seen.observed(); }

    @Override public Range range() { return started ? new Range(min, max) : new Range(0, 0); }
}
