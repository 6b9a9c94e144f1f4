package nncc.passes.train;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.op.FakeQuant;

/**
 * A FakeQuant node in training. Forward: exactly {@link FakeQuant#apply} (float32 division, ties away from zero,
 * clamp to the grid), so the trained values are the deployed ones. Backward: the clipped straight-through
 * estimator (the gradient passes where the code was not clamped). On weights without LSQ the scales follow the
 * weights as the post-training weight quantizer sets them ({@code max|w| / qmax} per output channel, 1 for an
 * all-zero channel), recomputed each step. With LSQ (Esser et al. 2020) the scales are parameters learned with
 * the gradient {@code (q - zp) - x / s} inside the grid and the clamp bound outside, scaled by
 * {@code 1 / sqrt(elements * qmax)}.
 */
final class FakeQuantLayer extends TrainLayer {
    private final FakeQuant template;
    private final int axis, count;
    private final long qmin, qmax;
    private final long[] zp;
    private final boolean trackWeights;
    /** The scales; a learned parameter under LSQ. */
    final TrainValue scale;
    private final boolean lsq;
    private final float lsqGradScale;
    private final int inner;

    FakeQuantLayer(String node, TrainValue x, TrainValue y, FakeQuant op, boolean lsq, boolean trackWeights) {
        super(node, List.of(x), y);
        this.template = op;
        this.count = op.scales().size();
        this.qmin = op.qmin();
        this.qmax = op.qmax();
        this.zp = op.zeroPoints().stream().mapToLong(Long::longValue).toArray();
        float[] s = new float[count];
        for (int i = 0; i < count; i++) s[i] = op.scales().get(i);
        this.scale = TrainValue.parameter(node + ".scale", new int[] {count}, s);
        this.lsq = lsq;
        this.trackWeights = trackWeights && !lsq;
        int dimAxis = x.batched ? op.axis() - 1 : op.axis();
        this.axis = op.axis() < 0 ? -1 : dimAxis;
        int in = 1;
        if (axis >= 0) for (int d = axis + 1; d < x.dims.length; d++) in *= x.dims[d];
        this.inner = in;
        this.lsqGradScale = (float) (1 / Math.sqrt((double) (x.perImage / count) * qmax));
    }

    @Override List<TrainValue> ownParameters() { return lsq ? List.of(scale) : List.of(); }

    /** The op with the current scales, for the graph written after training. */
    FakeQuant op() {
        List<Float> s = new ArrayList<>();
        for (float v : scale.data) s.add(v);
        return new FakeQuant(s, template.zeroPoints(), template.bits(), template.narrowRange(), template.signed(), template.axis());
    }

    @Override void refreshWeights() {
        if (!in(0).batched) forward(null, false);
    }

    private int slice(int i) { return axis < 0 ? 0 : (i / inner) % count; }

    /** The code of {@code x} on slice {@code c}'s grid, as {@link FakeQuant#code}. */
    private long code(float x, int c) {
        float r = x / scale.data[c];
        if (Float.isNaN(r)) return zp[c];
        // roundHalfAway on a value bounded to +-2^30 (beyond the grid either way): a - floor(a) is exact in float
        float a = Math.min(Math.abs(r), 0x1p30f);
        long t = (long) a;
        if (a - t >= 0.5f) t++;
        long q = (r < 0 ? -t : t) + zp[c];
        return Math.max(qmin, Math.min(qmax, q));
    }

    @Override void forward(Chunks ch, boolean training) {
        float[] x = in(0).data, y = output.data;
        if (!in(0).batched) {
            if (trackWeights) trackWeightScales(x);
            for (int i = 0; i < x.length; i++) {
                int c = slice(i);
                y[i] = scale.data[c] * (float) (code(x[i], c) - zp[c]);
            }
            return;
        }
        int per = output.perImage;
        ch.run(chunk -> {
            int from = ch.start(chunk) * per, to = ch.end(chunk) * per;
            if (axis < 0) {
                float s = scale.data[0];
                long z = zp[0];
                for (int i = from; i < to; i++) y[i] = s * (float) (code(x[i], 0) - z);
            } else
                for (int i = from; i < to; i++) {
                    int c = slice(i % per);
                    y[i] = scale.data[c] * (float) (code(x[i], c) - zp[c]);
                }
        });
    }

    private void trackWeightScales(float[] w) {
        double[] maxAbs = new double[count];
        for (int i = 0; i < w.length; i++) maxAbs[slice(i)] = Math.max(maxAbs[slice(i)], Math.abs(w[i]));
        for (int c = 0; c < count; c++) {
            float s = maxAbs[c] > 0 ? (float) (maxAbs[c] / qmax) : 1f;
            scale.data[c] = s > 0 ? s : Float.MIN_NORMAL;
        }
    }

    @Override void backward(Chunks ch) {
        float[] x = in(0).data;
        if (!in(0).batched) {
            float[] gy = output.grad, gx = in(0).chunkGrad[0];
            for (int i = 0; i < x.length; i++) {
                int c = slice(i);
                float r = x[i] / scale.data[c];
                long q = code(x[i], c);
                // scales that follow max|w| keep every weight inside the grid: the gradient passes everywhere
                boolean inside = r + zp[c] >= qmin - 0.5f && r + zp[c] <= qmax + 0.5f;
                if (inside || trackWeights) gx[i] += gy[i];
                if (lsq) scale.chunkGrad[0][c] += gy[i] * lsqGradScale * (inside ? (float) (q - zp[c]) - r : (float) (q - zp[c]));
            }
            return;
        }
        float[] gy = output.grad, gx = in(0).grad;
        int per = output.perImage;
        ch.run(chunk -> {
            float[] gs = lsq ? scale.chunkGrad[chunk] : null;
            for (int i = ch.start(chunk) * per; i < ch.end(chunk) * per; i++) {
                int c = axis < 0 ? 0 : slice(i % per);
                float r = x[i] / scale.data[c] + zp[c];
                boolean inside = r >= qmin - 0.5f && r <= qmax + 0.5f;
                if (inside && gx != null) gx[i] += gy[i];
                if (gs != null) {
                    float q = (float) (code(x[i], c) - zp[c]);
                    gs[c] += gy[i] * lsqGradScale * (inside ? q - (r - zp[c]) : q);
                }
            }
        });
    }
}
