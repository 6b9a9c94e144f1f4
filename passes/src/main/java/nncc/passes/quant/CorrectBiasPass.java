package nncc.passes.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Conv;
import nncc.ir.op.Gemm;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;
import nncc.passes.calib.CalibrationData;
import nncc.passes.calib.SharedTrace;

/**
 * Bias correction for weight quantization (Nagel et al., "Data-Free Quantization", 2019, in its empirical form):
 * rounding the weights shifts each output channel's mean by {@code (W_q - W) . E[x]}. This pass measures the
 * expected input patch of every Conv and Gemm on the calibration data with the float model, quantizes the
 * weights exactly as {@link LowerToIntegerPass} will (the codes {@link QuantizeWeightsPass} decided, or the same
 * {@link WeightQuantizer} when it did not run), and subtracts the shift
 * from the float bias, so the integer layer's outputs are unbiased. Conv patches are averaged per (channel,
 * kernel offset) over all output positions with zero padding, so border effects are exact.
 *
 * <pre>{@code
 * before: node @fc = Gemm {alpha = 1.0, beta = 1.0, transA = false, transB = true} (%x, %w, %b) -> (%y : f32[?N,10])
 * after:  the same node reading %b.corrected, where b' = b - (W_q - W) . E[x]
 * }</pre>
 * Cost: the float model runs once over at most {@code max-samples} samples (the cost of inference on those
 * samples; adaptive rounding and GPTQ add O(patch length^2 x output positions) per layer for the covariances and
 * O(weights x patch length) to round), plus O(nodes) to write the corrected biases back.
 *
 * <p>In {@code nncc quantize} ({@link nncc.passes.Quantizer}) with nearest rounding there is no forward pass of
 * its own: {@link #measure} gives calibration a {@link SharedTrace}, calibration's first pass over the data (on the
 * same float model) hands it the layer inputs in sample order, and {@link #apply} then writes the corrected biases.
 * The observers therefore see the float model, not the float weights with corrected biases: the corrected model
 * {@code W x + b'} is off by the shift this pass removes ({@code b' = b - (W_q - W) E[x]}) in expectation, which
 * neither the float nor the integer model is (the integer model's {@code W_q x + b'} has the float model's mean),
 * so the float model's ranges are the better estimate of the integer model's, and TFLite and ONNX Runtime
 * calibrate on the float model too. It is also what {@code nncc opt --passes ...,calibrate,correct-bias,...}
 * computes. With adaptive rounding or GPTQ the rounded weights are written into the graph, and calibration runs
 * after this pass on that weight-quantized model.
 */
public final class CorrectBiasPass implements Pass {
    public static final String NAME = "correct-bias";

    /** How the weights are rounded before the bias is corrected for what rounding shifted. */
    public enum WeightRounding {
        /** Round to nearest, as the lowering would on its own. */
        NEAREST,
        /** Greedy AdaRound: each weight may take its other rounding neighbour when that lowers the output error. */
        ADAPTIVE,
        /**
         * GPTQ (Frantar et al., 2022): weights are rounded one input position at a time and the rounding error of
         * each is compensated on the positions not yet rounded, through the inverse of the input covariance, which
         * minimizes the layer's output error on the calibration data, not just each weight's own error.
         */
        GPTQ;

        public String text() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /**
     * Calibration inputs, the weight quantization the lowering will use, how many samples to average, and the threads
     * that run the float model (the result does not depend on them: each layer's inputs are accumulated in sample order).
     */
    public record Options(CalibrationData data, int weightBits, boolean perTensor, int maxSamples, int batchSize,
                          WeightRounding rounding, int threads) {
        public Options {
            if (weightBits < 2 || weightBits > 8) throw new IllegalArgumentException("weight bits must be in 2..8, got " + weightBits);
            if (maxSamples < 1 || batchSize < 1) throw new IllegalArgumentException("sample counts must be positive");
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            java.util.Objects.requireNonNull(rounding, "rounding");
        }

        /** The form before threads were an option: one thread. */
        public Options(CalibrationData data, int weightBits, boolean perTensor, int maxSamples, int batchSize, WeightRounding rounding) {
            this(data, weightBits, perTensor, maxSamples, batchSize, rounding, 1);
        }

        boolean secondMoments() { return rounding != WeightRounding.NEAREST; }
    }

    private final Options options;

    public CorrectBiasPass(Options options) { this.options = options; }

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.BN_FOLDED; }

    /** One layer to correct: its node, the weights as [M, C/g, k...] (Gemm: [M, K]) and its conv geometry. */
    private record Layer(Node node, Tensor weights, Conv conv, PatchMoments means) {
        /** The codes quantize-weights decided, if it ran. */
        nncc.ir.QuantParams plan() { return node.input(1).type().quant(); }
    }

    @Override public PassResult run(Graph g) {
        Measurement m = measure(g);
        if (m.layers.isEmpty()) return m.stats().result();
        // a model whose batch dim is fixed (at 1, say) runs its samples in chunks of that size; others image by image or
        // in chunks that keep the largest intermediate tensor small, on several threads, each layer's inputs accumulated
        // in sample order
        Interpreter interpreter = new Interpreter(g);
        int fixed = nncc.passes.calib.CalibratePass.fixedBatch(g, options.data());
        int chunk = fixed > 0 ? fixed : nncc.passes.calib.StreamChunk.forRuns(interpreter, g, options.batchSize(), m.samples, options.threads());
        OrderedTraceRun.run(interpreter, options.data(), m.samples, chunk, options.threads(), m.names(), m::accept);
        return apply(m, g);
    }

    /**
     * The layers of {@code g} to correct, ready to receive their inputs on the float model: {@link #run} feeds them
     * from a forward pass of its own; {@code nncc quantize} hands the measurement to calibration's first pass
     * ({@link nncc.passes.calib.CalibratePass#CalibratePass(nncc.passes.calib.CalibratePass.Options,
     * nncc.passes.calib.SharedTrace)}), which runs the same float model, and then {@link #apply applies} it.
     */
    public Measurement measure(Graph g) {
        List<Layer> layers = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof Conv || n.op() instanceof Gemm)) continue;
            Tensor w = g.constantData(n.input(1));
            if (w == null || (n.inputs().size() > 2 && g.constantData(n.input(2)) == null)) continue;
            if (n.op() instanceof Conv c && w.shape().rank() == 4) {
                layers.add(new Layer(n, w, c, new PatchMoments(n.input(0).type().shape(), w.shape(), c, options.secondMoments())));
            } else if (n.op() instanceof Gemm gm && gm.alpha() == 1f && gm.beta() == 1f && !gm.transA() && w.shape().rank() == 2) {
                Tensor wmk = gm.transB() ? w : WeightQuantizer.transpose2d(w);
                layers.add(new Layer(n, wmk, null, new PatchMoments(wmk.shape().dim(1), options.secondMoments())));
            }
        }
        int total = Math.min(options.maxSamples(), options.data().sampleCount());
        int fixed = nncc.passes.calib.CalibratePass.fixedBatch(g, options.data());
        if (fixed > 0) total -= total % fixed; // a fixed batch runs whole batches
        return new Measurement(layers, total);
    }

    /**
     * The mean input patch of every layer to correct, accumulated in sample order from the float model's values
     * (a {@link SharedTrace} of the first {@code samples} samples), then rounded once for every graph it is applied to.
     */
    public static final class Measurement implements SharedTrace {
        private final List<Layer> layers;
        private final Map<String, List<Layer>> byInput = new HashMap<>();
        private final int samples;
        private Rounded[] rounded;

        private Measurement(List<Layer> layers, int samples) {
            this.layers = layers;
            this.samples = samples;
            for (Layer l : layers) byInput.computeIfAbsent(l.node().input(0).name(), k -> new ArrayList<>()).add(l);
        }

        @Override public Set<String> names() { return byInput.keySet(); }

        @Override public int samples() { return samples; }

        @Override public void accept(String name, int[] shape, float[] values) { accumulate(byInput.get(name), shape, values); }

        private PassResult.Stats stats() {
            return new PassResult.Stats().declare("layers corrected", "weights re-rounded", "samples");
        }
    }

    /**
     * Writes the corrected biases (and with adaptive rounding or GPTQ the rounded weights) of {@code m}, measured on
     * {@code g} or on a graph {@code g} is a copy of (the layers are found by node name), into {@code g}. The rounding
     * is computed on the first call and reused for later graphs.
     */
    public PassResult apply(Measurement m, Graph g) {
        PassResult.Stats stats = m.stats();
        if (m.layers.isEmpty()) return stats.result();
        stats.add("samples", m.samples);
        if (m.rounded == null) m.rounded = roundAll(m.layers);
        Map<String, Node> nodes = g.nodesByName();
        List<Node[]> replaced = new ArrayList<>();
        for (int li = 0; li < m.layers.size(); li++) {
            Layer l = m.layers.get(li);
            Node n = nodes.get(l.node().name());
            if (n == null) throw new IllegalArgumentException("the graph has no node @" + l.node().name() + " to correct");
            Rounded r = m.rounded[li];
            long channels = l.weights().shape().dim(0);
            float[] bias = n.inputs().size() > 2 ? g.constantData(n.input(2)).toFloats() : new float[(int) channels];
            for (int c = 0; c < bias.length; c++) bias[c] -= r.shift()[c];
            List<Value> in = new ArrayList<>(n.inputs());
            String bName = g.freshName((n.inputs().size() > 2 ? n.input(2).name() : n.name() + ".bias") + ".corrected");
            Value b = g.addConstant(bName, Tensor.ofFloats(Shape.of(channels), bias));
            if (in.size() > 2) in.set(2, b); else in.add(b);
            if (r.weights() != null) {
                Tensor w = r.weights();
                if (n.op() instanceof Gemm gm && !gm.transB()) w = WeightQuantizer.transpose2d(w);
                in.set(1, g.addConstant(g.freshName(n.input(1).name() + ".rounded"), w.reshape(n.input(1).type().shape()),
                        n.input(1).type().quant()));
                stats.add("weights re-rounded", r.flips());
            }
            replaced.add(new Node[] {n, n.withInputs(in)});
            stats.inc("layers corrected");
        }
        for (Node[] r : replaced) g.replaceNode(r[0], List.of(r[1]));
        g.removeUnusedConstants();
        return stats.result();
    }

    private static void accumulate(List<Layer> readers, int[] shape, float[] values) {
        if (readers == null) return;
        for (Layer l : readers) l.means().add(values, shape);
    }

    /**
     * {@link #round} of every layer, on {@link Options#threads()} threads (layers are independent; each is computed
     * as on one thread), in the order of {@code layers}.
     */
    private Rounded[] roundAll(List<Layer> layers) {
        Rounded[] r = new Rounded[layers.size()];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Runnable work = () -> {
            try {
                for (int i; failure.get() == null && (i = next.getAndIncrement()) < r.length; ) r[i] = round(layers.get(i));
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, e);
            }
        };
        nncc.passes.Workers.run("nncc-round", "rounding weights", Math.max(1, Math.min(options.threads(), layers.size())), w -> work.run());
        if (failure.get() instanceof RuntimeException e) throw e;
        if (failure.get() instanceof Error e) throw e;
        return r;
    }

    /** Per output channel, the mean shift {@code (W_q - W) . E[patch]}; with adaptive rounding also new weights. */
    private record Rounded(float[] shift, Tensor weights, long flips) {}

    /**
     * Rounds each output channel's weights and measures the resulting mean shift. With {@link WeightRounding#NEAREST}
     * the codes are the lowering's round-to-nearest; {@link WeightRounding#GPTQ} is in {@link Gptq}. With adaptive
     * rounding, starting from nearest, each weight may move to its other
     * rounding neighbour (never past the channel's largest code, which fixes the scale) when that lowers the
     * output error variance {@code d^T Cov d} on the calibration patches (d = w - s*q, coordinate descent, a
     * greedy form of AdaRound). Chosen codes are written back as grid-exact float weights so the lowering
     * reproduces them.
     */
    private Rounded round(Layer l) {
        float[] w = l.weights().toFloats();
        WeightQuantizer.Weights q;
        long[] codes;
        if (l.plan() != null && options.rounding() == WeightRounding.NEAREST) { // the codes as they are summed, no array
            QuantParams p = WeightQuantizer.channelsFirst(l.plan());
            int m = Math.toIntExact(l.weights().shape().dim(0));
            return new Rounded(planShifts(l, w, m, p, options.weightBits()), null, 0);
        }
        if (l.plan() != null) { // the codes fromPlan gives, without a tensor in between
            QuantParams p = WeightQuantizer.channelsFirst(l.plan());
            codes = WeightQuantizer.planCodes(w, Math.toIntExact(l.weights().shape().dim(0)), p, options.weightBits());
            q = new WeightQuantizer.Weights(null, p);
        } else {
            q = WeightQuantizer.symmetric(l.weights(), options.weightBits(), !options.perTensor());
            codes = q.data().toLongs();
        }
        long qmax = (1L << (options.weightBits() - 1)) - 1;
        int m = (int) l.weights().shape().dim(0), per = w.length / m;
        int groups = l.conv() == null ? 1 : l.conv().group();
        int perGroupOut = m / groups;
        float[] shift = new float[m];
        if (options.rounding() == WeightRounding.NEAREST) {
            nearestShifts(l, w, codes, q, m, per, perGroupOut, shift);
            return new Rounded(shift, null, 0);
        }
        long flips = 0;
        double[][] cov = new double[groups][], means = new double[groups][];
        long[] nearest = options.rounding() == WeightRounding.GPTQ ? codes.clone() : null;
        if (options.rounding() == WeightRounding.GPTQ)
            for (int g = 0; g < groups; g++)
                Gptq.round(l.means().covariance(g), w, codes, g * perGroupOut, perGroupOut, per, q, qmax);
        for (int c = 0; c < m; c++) {
            int g = c / perGroupOut;
            double s = q.scale(c);
            double[] d = new double[per];
            for (int i = 0; i < per; i++) d[i] = w[c * per + i] - codes[c * per + i] * s;
            if (options.rounding() == WeightRounding.ADAPTIVE) {
                if (cov[g] == null) cov[g] = l.means().covariance(g);
                flips += descend(cov[g], per, d, codes, c * per, s, qmax);
            }
            if (means[g] == null) means[g] = l.means().mean(g);
            double[] mean = means[g];
            double sum = 0;
            for (int i = 0; i < per; i++) sum -= d[i] * mean[i];
            shift[c] = (float) sum;
        }
        if (nearest != null) for (int i = 0; i < codes.length; i++) if (codes[i] != nearest[i]) flips++;
        float[] snapped = new float[w.length];
        for (int c = 0; c < m; c++)
            for (int i = 0; i < per; i++) snapped[c * per + i] = (float) (codes[c * per + i] * (double) q.scale(c));
        return new Rounded(shift, Tensor.ofFloats(l.weights().shape(), snapped), flips);
    }

    /**
     * The shifts of round-to-nearest: {@code shift[c] = -sum_i (w - code * s) * mean[i]}, summed in the order of
     * {@code i} as the adaptive path does with its {@code d} array, with each group's mean patch computed once.
     */
    private static void nearestShifts(Layer l, float[] w, long[] codes, WeightQuantizer.Weights q, int m, int per,
                                      int perGroupOut, float[] shift) {
        double[] mean = null;
        for (int c = 0; c < m; c++) {
            if (c % perGroupOut == 0) mean = l.means().mean(c / perGroupOut);
            double s = q.scale(c);
            double sum = 0;
            for (int i = 0, at = c * per; i < per; i++, at++) sum -= (w[at] - codes[at] * s) * mean[i];
            shift[c] = (float) sum;
        }
    }

    /**
     * {@link #nearestShifts} of the codes {@link WeightQuantizer#planCodes} gives, each computed where it is summed
     * (the same codes, the same check against {@code bits}, the same sums) instead of in an array of every code.
     */
    private static float[] planShifts(Layer l, float[] w, int m, QuantParams p, int bits) {
        long qmax = (1L << (bits - 1)) - 1;
        int per = m == 0 ? 0 : w.length / m;
        int perGroupOut = m / (l.conv() == null ? 1 : l.conv().group());
        float[] shift = new float[m];
        double[] mean = null;
        for (int c = 0; c < m; c++) {
            if (c % perGroupOut == 0) mean = l.means().mean(c / perGroupOut);
            double s = p.scale(p.isPerAxis() ? c : 0);
            double sum = 0;
            for (int i = 0, at = c * per; i < per; i++, at++)
                sum -= (w[at] - WeightQuantizer.code(w[at], s, qmax, c, bits) * s) * mean[i];
            shift[c] = (float) sum;
        }
        return shift;
    }

    /** Greedy coordinate descent on {@code d^T C d} over codes' rounding direction; returns the flips made. */
    private static long descend(double[] cov, int k, double[] d, long[] codes, int at, double s, long qmax) {
        double[] grad = new double[k];
        for (int i = 0; i < k; i++) {
            double acc = 0;
            for (int j = 0; j < k; j++) acc += cov[i * k + j] * d[j];
            grad[i] = acc;
        }
        long flips = 0;
        for (int sweep = 0; sweep < 8; sweep++) {
            boolean changed = false;
            for (int i = 0; i < k; i++) {
                long code = codes[at + i];
                if (Math.abs(code) >= qmax) continue;
                long other = d[i] > 0 ? code + 1 : code - 1; // the other rounding neighbour of w / s
                if (Math.abs(other) >= qmax) continue;
                double step = (code - other) * s; // change of d[i]
                double gain = 2 * step * grad[i] + step * step * cov[i * k + i];
                if (gain < -1e-12 * Math.abs(cov[i * k + i]) * s * s) {
                    codes[at + i] = other;
                    d[i] += step;
                    for (int j = 0; j < k; j++) grad[j] += step * cov[j * k + i];
                    flips++;
                    changed = true;
                }
            }
            if (!changed) break;
        }
        return flips;
    }
}
