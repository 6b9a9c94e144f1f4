package nncc.passes.train;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parameter updates: SGD with momentum ({@code v = mu * v + g + wd * w; w -= lr * v}) or Adam with decoupled weight
 * decay (AdamW: beta 0.9 / 0.999, epsilon 1e-8, bias-corrected). Weight decay applies only to the parameters
 * given as decayed (conv and dense weights).
 */
public final class Optimizer {
    public enum Kind { SGD, ADAM }

    private final Kind kind;
    private final double momentum, weightDecay;
    private final Map<TrainValue, float[]> first = new IdentityHashMap<>(), second = new IdentityHashMap<>();
    private final Set<TrainValue> decayed;
    private long steps;

    Optimizer(Kind kind, double momentum, double weightDecay, List<TrainValue> decayed) {
        this.kind = kind;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.decayed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        this.decayed.addAll(decayed);
    }

    void step(List<TrainValue> params, double lr) {
        steps++;
        for (TrainValue p : params) {
            float[] w = p.data, g = p.grad, m = first.computeIfAbsent(p, k -> new float[w.length]);
            double wd = decayed.contains(p) ? weightDecay : 0;
            if (kind == Kind.SGD) {
                for (int i = 0; i < w.length; i++) {
                    m[i] = (float) (momentum * m[i] + g[i] + wd * w[i]);
                    w[i] -= (float) (lr * m[i]);
                }
            } else {
                float[] v = second.computeIfAbsent(p, k -> new float[w.length]);
                double c1 = 1 - Math.pow(0.9, steps), c2 = 1 - Math.pow(0.999, steps);
                for (int i = 0; i < w.length; i++) {
                    m[i] = 0.9f * m[i] + 0.1f * g[i];
                    v[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
                    double update = (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8) + wd * w[i];
                    w[i] -= (float) (lr * update);
                }
            }
        }
    }
}
