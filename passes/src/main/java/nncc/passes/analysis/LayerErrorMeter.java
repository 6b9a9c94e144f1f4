package nncc.passes.analysis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.Value;

/**
 * Per-layer error of a quantized graph against its float graph: both run on the same samples with a trace, and
 * every value the quantized graph shares by name with the float graph (integers dequantized with their
 * parameters, float16 widened) is compared with its float counterpart. Batches run on several threads; each
 * batch keeps its own sums, merged in batch order, so the result does not depend on the thread count.
 */
public final class LayerErrorMeter {
    /** Float samples in batches, one tensor per graph input with a leading batch dimension. */
    public interface Samples {
        int count();

        List<Tensor> batch(int start, int count);

        /** The samples of calibration data (a .npy file or an image folder, preprocessed). */
        static Samples of(nncc.passes.calib.CalibrationData data) {
            return new Samples() {
                @Override public int count() { return data.sampleCount(); }

                @Override public List<Tensor> batch(int start, int count) { return data.batch(start, count); }
            };
        }

        /** The rows of one tensor with a leading batch dimension (a model with one input). */
        static Samples of(Tensor x) {
            return new Samples() {
                @Override public int count() { return (int) x.shape().dim(0); }

                @Override public List<Tensor> batch(int start, int count) { return List.of(x.sliceBatch(start, start + count)); }
            };
        }
    }

    private final Interpreter floatRun, quantRun;
    private final Map<String, QuantParams> compared; // value name -> params of its quantized form (null for floats)
    private final Set<String> inputs;
    private final int chunk;

    private LayerErrorMeter(Graph floatGraph, Graph quantGraph) {
        this.floatRun = new Interpreter(floatGraph);
        this.quantRun = new Interpreter(quantGraph);
        this.compared = new LinkedHashMap<>();
        this.inputs = new LinkedHashSet<>();
        shared(floatGraph, quantGraph).forEach((name, v) -> {
            compared.put(name, v.type().quant());
            if (quantGraph.inputs().contains(v)) inputs.add(name);
        });
        Value first = floatGraph.inputs().isEmpty() ? null : floatGraph.inputs().get(0);
        boolean symbolic = first == null || first.type().rank() == 0 || first.type().shape().isSymbolic(0);
        this.chunk = symbolic ? 16 : (int) Math.max(1, first.type().shape().dim(0));
    }

    /** A meter for every value {@code quantGraph} shares by name with {@code floatGraph}. */
    public static LayerErrorMeter of(Graph floatGraph, Graph quantGraph) { return new LayerErrorMeter(floatGraph, quantGraph); }

    /**
     * The values of {@code quantGraph} with a float counterpart of the same name in {@code floatGraph} (graph inputs
     * that are inputs of both with a different type, then node outputs in graph order) that are float or integer
     * with parameters.
     */
    public static Map<String, Value> shared(Graph floatGraph, Graph quantGraph) {
        Map<String, Value> floats = new HashMap<>();
        floatGraph.inputs().forEach(v -> floats.put(v.name(), v));
        floatGraph.nodes().forEach(n -> n.outputs().forEach(v -> floats.put(v.name(), v)));
        Map<String, Value> r = new LinkedHashMap<>();
        for (Value v : quantGraph.inputs()) { // graph inputs only when quantization changed them
            Value f = floats.get(v.name());
            if (comparable(f, v) && floatGraph.inputs().contains(f) && !f.type().equals(v.type())) r.put(v.name(), v);
        }
        for (Node n : quantGraph.nodes())
            for (Value v : n.outputs())
                if (comparable(floats.get(v.name()), v)) r.put(v.name(), v);
        return r;
    }

    private static boolean comparable(Value f, Value q) {
        if (f == null || !f.type().dtype().isFloat()) return false;
        return q.type().dtype().isFloat() || (q.type().dtype().isInteger() && q.type().quant() != null);
    }

    /** The compared values' names: graph inputs first, then node outputs in the quantized graph's order. */
    public List<String> values() { return List.copyOf(compared.keySet()); }

    /** Units of progress {@link #measure} reports for {@code samples} samples: one per value per batch. */
    public long work(int samples) { return (long) batches(samples) * compared.size(); }

    private int batches(int samples) { return (samples + chunk - 1) / chunk; }

    /**
     * Runs the first {@code samples} samples through both graphs and returns each compared value's error (values
     * whose shapes disagree between the graphs are left out). {@code toQuantInputs} turns float inputs into the
     * quantized graph's inputs.
     */
    public Map<String, LayerError> measure(Samples data, int samples, UnaryOperator<List<Tensor>> toQuantInputs,
                                           int threads, LongConsumer progress) {
        int n = Math.min(samples, data.count());
        List<int[]> ranges = new ArrayList<>();
        for (int s = 0; s < n; s += chunk) ranges.add(new int[] {s, Math.min(n, s + chunk)});
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, ranges.size())), r -> {
            Thread t = new Thread(r, "nncc-report");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Sums>> futures = new ArrayList<>();
            for (int[] r : ranges)
                futures.add(pool.submit(() -> measureBatch(data.batch(r[0], r[1] - r[0]), toQuantInputs, progress)));
            Sums total = new Sums();
            for (Future<Sums> f : futures) total.add(f.get());
            return total.errors(values());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    private Sums measureBatch(List<Tensor> xs, UnaryOperator<List<Tensor>> toQuantInputs, LongConsumer progress) {
        Map<String, Tensor> reference = new HashMap<>();
        for (int i = 0; i < xs.size(); i++) reference.put(floatRun.inputs().get(i).name(), xs.get(i));
        floatRun.run(xs, (node, outs) -> {
            for (int i = 0; i < outs.size(); i++) {
                String name = node.outputs().get(i).name();
                if (compared.containsKey(name)) reference.put(name, outs.get(i));
            }
        });
        Sums sums = new Sums();
        List<Tensor> qs = toQuantInputs.apply(xs);
        for (int i = 0; i < qs.size(); i++) {
            String name = quantRun.inputs().get(i).name();
            if (inputs.contains(name)) {
                sums.compare(name, reference.get(name), qs.get(i), compared.get(name));
                progress.accept(1);
            }
        }
        quantRun.run(qs, (node, outs) -> {
            for (int i = 0; i < outs.size(); i++) {
                String name = node.outputs().get(i).name();
                if (!compared.containsKey(name)) continue;
                sums.compare(name, reference.get(name), outs.get(i), compared.get(name));
                progress.accept(1);
            }
        });
        return sums;
    }

    /** Running sums of signal and noise energy per value. */
    private static final class Sums {
        private final Map<String, double[]> byValue = new HashMap<>(); // signal, noise, max |err|, elements

        void compare(String name, Tensor floatValue, Tensor quantValue, QuantParams q) {
            if (floatValue == null || floatValue.numElements() != quantValue.numElements()) return;
            double[] x = floatValue.toDoubles(), y = RealValues.of(quantValue, q);
            double signal = 0, noise = 0, max = 0;
            for (int i = 0; i < x.length; i++) {
                double e = x[i] - y[i];
                signal += x[i] * x[i];
                noise += e * e;
                max = Math.max(max, Math.abs(e));
            }
            add(name, new double[] {signal, noise, max, x.length});
        }

        private void add(String name, double[] s) {
            double[] t = byValue.computeIfAbsent(name, k -> new double[4]);
            t[0] += s[0];
            t[1] += s[1];
            t[2] = Math.max(t[2], s[2]);
            t[3] += s[3];
        }

        void add(Sums other) { other.byValue.forEach(this::add); }

        Map<String, LayerError> errors(List<String> order) {
            Map<String, LayerError> r = new LinkedHashMap<>();
            for (String name : order) {
                double[] t = byValue.get(name);
                if (t == null || t[3] == 0) continue;
                r.put(name, new LayerError(RealValues.sqnrDb(t[0], t[1]), t[2], Math.sqrt(t[1] / t[3]), (long) t[3]));
            }
            return r;
        }
    }
}
