package nncc.passes.train;

/**
 * The learning rate at each step: constant, cosine decay to zero over the run, or one-cycle (a linear warm-up from
 * lr/25 to lr over the first 30 % of the steps, then cosine annealing to lr/10^4, as PyTorch's OneCycleLR).
 */
public final class LearningRateSchedule {
    public enum Kind { CONSTANT, COSINE, ONECYCLE }

    private final Kind kind;
    private final double base;
    private final long total;

    public LearningRateSchedule(Kind kind, double base, long totalSteps) {
        this.kind = kind;
        this.base = base;
        this.total = Math.max(1, totalSteps);
    }

    public double at(long step) {
        double t = Math.min(1.0, (double) step / total);
        return switch (kind) {
            case CONSTANT -> base;
            case COSINE -> base * 0.5 * (1 + Math.cos(Math.PI * t));
            case ONECYCLE -> {
                double warm = 0.3, start = base / 25, end = base / 1e4;
                if (t < warm) yield start + (base - start) * t / warm;
                double u = (t - warm) / (1 - warm);
                yield end + (base - end) * 0.5 * (1 + Math.cos(Math.PI * u));
            }
        };
    }
}
