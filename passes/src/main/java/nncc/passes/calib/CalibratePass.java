package nncc.passes.calib;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Value;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Range analysis: runs the float graph on calibration data, observes every float activation (the graph inputs
 * and every float node output; constants are not activations) and writes the quantization plan each one will
 * be lowered with onto its float type, chosen by {@link QuantChoice} from the observer's range:
 *
 * <pre>
 *   // before
 *   node @conv = Conv {...} (%x, %w, %b) -> (%y : f32[?N,16,28,28])
 *   // after calibrate (minmax, i8)
 *   node @conv = Conv {...} (%x, %w, %b) -> (%y : f32[?N,16,28,28]{scale = 0.0235, zp = -128})
 * </pre>
 *
 * Streaming: observers hold fixed-size state; image folders are decoded a batch at a time. Two passes over the
 * data for the histogram observers (percentile, entropy, mse), one otherwise, plus one for the summary
 * histograms of the single-pass observers when {@link Options#histograms()} asks for them. Batches are shared
 * out to {@link Options#threads()} threads with one observer per value per thread, merged after each pass
 * (moving-average depends on the batch order and runs on one thread). A model whose batch dimension is fixed
 * at B runs B samples per call (one by one for B = 1); a calibration batch then spans several calls, and every
 * observer sees the same statistics as with a symbolic batch.
 *
 * <p>A {@link SharedTrace} given to the constructor receives its values of the first pass in sample order: {@code nncc
 * quantize} measures bias correction's layer inputs this way, in the same forward pass (see {@link
 * nncc.passes.quant.CorrectBiasPass}).
 *
 * <p>The pass keeps what it found for reports: {@link #result()} after {@link #run}.
 * Cost: the float model runs once over the calibration samples (the cost of inference on them, batch by batch),
 * each observed value's observer updates in O(elements) per batch (histogram observers add O(bins) to choose a
 * range), and one retyping of the values: O(samples x inference + values x bins + nodes).
 */
public final class CalibratePass implements Pass {
    /**
     * What to calibrate with. {@code percentile} is used by the percentile observer only; {@code progress}
     * receives the samples processed so far, counting every pass (see {@link #progressTotal()}); {@code skip}
     * names values left without parameters; {@code histograms} asks for summary histograms even when they
     * cost an extra pass.
     */
    public record Options(CalibrationData data, ObserverKind observer, double percentile, DType activationType,
                          int batchSize, LongConsumer progress, Set<String> skip, int threads, boolean histograms) {
        public Options {
            if (data == null || observer == null) throw new IllegalArgumentException("calibration needs data and an observer");
            if (activationType != DType.I8 && activationType != DType.I16)
                throw new ModelException("calibration targets i8 or i16 activations, not " + activationType);
            if (observer == ObserverKind.PERCENTILE && !(percentile > 50 && percentile <= 100))
                throw new ModelException("percentile must be in (50, 100], got " + percentile);
            if (batchSize < 1) throw new ModelException("calibration batch size must be >= 1, got " + batchSize);
            if (threads < 1) throw new ModelException("calibration threads must be >= 1, got " + threads);
            if (progress == null) progress = done -> {};
            skip = Set.copyOf(skip);
        }

        /** Defaults: percentile 99.99, i8, batches of 32, no progress, skip nothing, 2 threads, no extra pass. */
        public static Options of(CalibrationData data, ObserverKind observer) {
            return new Options(data, observer, 99.99, DType.I8, 32, null, Set.of(), 2, false);
        }

        public Options withPercentile(double p) { return new Options(data, observer, p, activationType, batchSize, progress, skip, threads, histograms); }

        public Options withActivationType(DType t) { return new Options(data, observer, percentile, t, batchSize, progress, skip, threads, histograms); }

        public Options withBatchSize(int n) { return new Options(data, observer, percentile, activationType, n, progress, skip, threads, histograms); }

        public Options withProgress(LongConsumer p) { return new Options(data, observer, percentile, activationType, batchSize, p, skip, threads, histograms); }

        public Options withSkip(Set<String> s) { return new Options(data, observer, percentile, activationType, batchSize, progress, s, threads, histograms); }

        public Options withThreads(int n) { return new Options(data, observer, percentile, activationType, batchSize, progress, skip, n, histograms); }

        public Options withHistograms(boolean h) { return new Options(data, observer, percentile, activationType, batchSize, progress, skip, threads, h); }

        /** Passes over the data this calibration makes. */
        public int dataPasses() { return observer.passes() + (histograms && observer.passes() == 1 ? 1 : 0); }

        /** The last value {@code progress} will receive: samples times passes. */
        public long progressTotal() { return (long) dataPasses() * data.sampleCount(); }
    }

    private final Options options;
    private final SharedTrace shared;
    private CalibrationResult result;

    public CalibratePass(Options options) { this(options, null); }

    /**
     * Calibration whose first pass also hands {@code shared}'s values to it in sample order (null: none), so a pass
     * that measures the float model (bias correction) needs no forward pass of its own.
     */
    public CalibratePass(Options options, SharedTrace shared) {
        this.options = options;
        this.shared = shared;
    }

    @Override public String name() { return "calibrate"; }

    @Override public Stage requires() { return Stage.BN_FOLDED; }

    @Override public Stage produces() { return Stage.RANGES_ANNOTATED; }

    /** What the last {@link #run} found, or null before the first run. */
    public CalibrationResult result() { return result; }

    @Override public PassResult run(Graph graph) {
        CalibrationData data = options.data();
        data.requireFits(graph);
        List<Value> traced = tracedValues(graph);
        int chunk = fixedBatch(graph, data);
        int batch = chunk == 0 ? options.batchSize() : chunk * Math.max(1, options.batchSize() / chunk);
        List<String> names = traced.stream().map(Value::name).toList();
        Interpreter interpreter = new Interpreter(graph);
        CalibrationRun run = new CalibrationRun(interpreter, data, names, batch,
                chunk == 0 ? StreamChunk.forRuns(interpreter, graph, batch, batch, options.threads()) : chunk, options.threads(), options.progress());

        if (shared != null) {
            Map<String, Value> all = graph.valuesByName();
            for (String name : shared.names())
                if (!all.containsKey(name)) throw new IllegalArgumentException("the graph has no value %" + name + " to hand over");
            run.share(shared);
        }
        Observer[] observers = new Observer[traced.size()];
        for (int i = 0; i < observers.length; i++) observers[i] = options.observer().create(options.activationType(), options.percentile());
        run.run(observers);

        List<CalibrationResult.ValueCalibration> found = new ArrayList<>();
        Map<String, QuantParams> plan = new LinkedHashMap<>();
        for (int i = 0; i < observers.length; i++) {
            Range range = observers[i].range();
            if (!observers[i].observed().isFinite() || !range.isFinite())
                throw new ModelException(data.source(), producerName(graph, traced.get(i)), "value %" + traced.get(i).name()
                        + " is not finite on the calibration data (it ranges over " + observers[i].observed() + ")");
            QuantParams q = QuantChoice.forActivation(range, options.activationType());
            plan.put(traced.get(i).name(), q);
            found.add(new CalibrationResult.ValueCalibration(traced.get(i).name(), observers[i].observed(), range, q, null));
        }
        found = withSummaries(found, observers, run);
        result = new CalibrationResult(options.observer(), options.activationType(), data.sampleCount(), found);

        long changed = annotate(graph, plan);
        PassResult.Stats stats = new PassResult.Stats().declare("values annotated", "samples seen", "data passes");
        stats.add("values annotated", plan.size());
        stats.add("samples seen", data.sampleCount());
        stats.add("data passes", options.dataPasses());
        return new PassResult(changed > 0, stats.result().statistics());
    }

    /** Graph inputs and node outputs of float type, minus the skipped ones, in graph order. */
    private List<Value> tracedValues(Graph graph) {
        Map<String, Value> all = graph.valuesByName();
        for (String s : options.skip())
            if (!all.containsKey(s)) throw new ModelException("cannot skip value %" + s + " in calibration: the graph has no such value");
        List<Value> r = new ArrayList<>();
        for (Value v : graph.inputs()) if (v.type().dtype().isFloat() && !options.skip().contains(v.name())) r.add(v);
        for (Node n : graph.nodes())
            for (Value v : n.outputs()) if (v.type().dtype().isFloat() && !options.skip().contains(v.name())) r.add(v);
        return r;
    }

    /**
     * The batch size the model's inputs fix in their first dimension, or 0 when it is symbolic (any batch). A
     * fixed batch B > 1 needs a sample count divisible by B.
     */
    /**
     * The batch size the model's inputs fix (0 when dim 0 is symbolic), checked against the number of samples in
     * {@code data}; batches of calibration samples are run in chunks of this size.
     */
    public static int fixedBatch(Graph graph, CalibrationData data) {
        int fixed = 0;
        for (Value v : graph.inputs()) {
            Shape s = v.type().shape();
            if (s.rank() == 0 || s.isSymbolic(0)) continue;
            int b = Math.toIntExact(s.dim(0));
            if (b == 0) throw new ModelException("input '" + v.name() + "' " + v.type() + " has a batch of 0 samples");
            if (fixed != 0 && b != fixed)
                throw new ModelException("the model's inputs fix different batch sizes (" + fixed + " and " + b + " for '" + v.name() + "')");
            fixed = b;
        }
        if (fixed > 1 && data.sampleCount() % fixed != 0)
            throw new ModelException(data.source(), null, "holds " + data.sampleCount() + " calibration samples but the model's batch"
                    + " is fixed at " + fixed + "; give a multiple of " + fixed + " samples");
        return fixed;
    }

    /** Adds summary histograms: rebinned from the fine histograms, or from an extra pass if asked for. */
    private List<CalibrationResult.ValueCalibration> withSummaries(List<CalibrationResult.ValueCalibration> found,
                                                                   Observer[] observers, CalibrationRun run) {
        boolean fine = observers.length > 0 && observers[0].passes() == 2;
        if (!fine && !options.histograms()) return found;
        Observer[] summaries = new Observer[found.size()];
        for (int i = 0; i < summaries.length; i++) {
            Range grid = QuantChoice.representable(found.get(i).quant(), options.activationType());
            double half = found.get(i).quant().scale(0) / 2.0; // values within half a step of the grid round onto it
            summaries[i] = new SummaryObserver(grid.min() - half, grid.max() + half, CalibrationResult.SUMMARY_BINS);
        }
        if (!fine) run.run(summaries);
        List<CalibrationResult.ValueCalibration> r = new ArrayList<>();
        for (int i = 0; i < summaries.length; i++) {
            CalibrationResult.ValueCalibration v = found.get(i);
            Histogram h = summaries[i].histogram();
            if (fine) {
                Histogram f = observers[i].histogram();
                h = f == null ? null : f.rebin(h.lo(), h.hi(), h.bins());
            }
            r.add(new CalibrationResult.ValueCalibration(v.name(), v.observed(), v.range(), v.quant(),
                    h == null ? null : CalibrationResult.HistogramSummary.of(h)));
        }
        return r;
    }

    /** Writes the plan onto the values' types (inputs, node outputs and every use); returns how many changed. */
    private static long annotate(Graph graph, Map<String, QuantParams> plan) {
        List<Value[]> replaced = new ArrayList<>(); // {old, new}
        List<Value> inputs = new ArrayList<>();
        for (Value v : graph.inputs()) inputs.add(planned(v, plan, replaced));
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            List<Value> outs = new ArrayList<>();
            for (Value v : n.outputs()) outs.add(planned(v, plan, replaced));
            nodes.add(n.withOutputs(outs));
        }
        graph.setInputs(inputs);
        graph.setNodes(nodes);
        for (Value[] r : replaced) graph.replaceAllUses(r[0], r[1]);
        return replaced.size();
    }

    private static Value planned(Value v, Map<String, QuantParams> plan, List<Value[]> replaced) {
        QuantParams q = plan.get(v.name());
        if (q == null || q.equals(v.type().quant())) return v;
        Value nv = v.withType(v.type().withQuant(q));
        replaced.add(new Value[] {v, nv});
        return nv;
    }

    private static String producerName(Graph g, Value v) {
        Node n = g.producer(v);
        return n == null ? null : n.name();
    }
}
