package nncc.passes.train;

import java.util.List;

/** The layers without weights that act element by element: clamps (Relu, Relu6, Clip), Add, and reshapes. */
final class ElementLayers {
    private ElementLayers() {}

    /** {@code y = min(max(x, lo), hi)}; the gradient passes where {@code lo < x < hi}. */
    static final class Clamp extends TrainLayer {
        private final float lo, hi;

        Clamp(String node, TrainValue x, TrainValue y, float lo, float hi) {
            super(node, List.of(x), y);
            this.lo = lo;
            this.hi = hi;
        }

        @Override void forward(Chunks ch, boolean training) {
            float[] x = in(0).data, y = output.data;
            int per = output.perImage;
            ch.run(chunk -> {
                for (int i = ch.start(chunk) * per; i < ch.end(chunk) * per; i++) y[i] = Math.max(lo, Math.min(hi, x[i]));
            });
        }

        @Override void backward(Chunks ch) {
            float[] x = in(0).data, gy = output.grad, gx = in(0).grad;
            if (gx == null) return;
            int per = output.perImage;
            ch.run(chunk -> {
                for (int i = ch.start(chunk) * per; i < ch.end(chunk) * per; i++)
                    if (x[i] > lo && x[i] < hi) gx[i] += gy[i];
            });
        }
    }

    /** {@code y = a + b} for two batched values of one shape, with a fused clamp. */
    static final class Sum extends TrainLayer {
        private final float lo, hi;

        Sum(String node, TrainValue a, TrainValue b, TrainValue y, float lo, float hi) {
            super(node, List.of(a, b), y);
            this.lo = lo;
            this.hi = hi;
        }

        @Override void forward(Chunks ch, boolean training) {
            float[] a = in(0).data, b = in(1).data, y = output.data;
            int per = output.perImage;
            ch.run(chunk -> {
                for (int i = ch.start(chunk) * per; i < ch.end(chunk) * per; i++) y[i] = Math.max(lo, Math.min(hi, a[i] + b[i]));
            });
        }

        @Override void backward(Chunks ch) {
            float[] y = output.data, gy = output.grad;
            int per = output.perImage;
            boolean clamped = lo > Float.NEGATIVE_INFINITY || hi < Float.POSITIVE_INFINITY;
            ch.run(chunk -> {
                for (int k = 0; k < 2; k++) {
                    float[] g = in(k).grad;
                    if (g == null) continue;
                    for (int i = ch.start(chunk) * per; i < ch.end(chunk) * per; i++)
                        if (!clamped || (y[i] > lo && y[i] < hi)) g[i] += gy[i];
                }
            });
        }
    }

    /** Reshape, Flatten (batch dim kept): the output is the input's data and gradient under another shape. */
    static final class Alias extends TrainLayer {
        Alias(String node, TrainValue x, TrainValue y) {
            super(node, List.of(x), y);
            y.aliased = true;
        }

        @Override void forward(Chunks ch, boolean training) {
            output.data = in(0).data;
            output.grad = in(0).grad;
        }

        @Override void backward(Chunks ch) {}
    }
}
