package nncc.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import nncc.cpu.Interpreter;
import nncc.cpu.KernelPeak;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.GraphStats;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nncc bench MODEL}: how fast the CPU reference runs a model. Runs it on random inputs of the model's
 * input types (or on given data), prints images per second (the median of several timed rounds after a warmup)
 * and a per-layer table: op, node, output shape, MACs per image and each node's share of the time.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the CPU reference's images/s on a model, with a per-layer time profile.")
final class BenchCommand implements Callable<Integer> {
    /** Timed rounds; images/s is their median. */
    static final int ROUNDS = 5;

    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (.onnx or .nnir, float or quantized).")
    Path model;

    @Option(names = "--batch", paramLabel = "N",
            description = "Images per run: the size given to the model's symbolic batch dim (default: 1, or the data's batch with --input).")
    Integer batch;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "T",
            description = "Threads, each running whole batches (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "S", description = "Warmup seconds before timing (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--seconds", defaultValue = "3", paramLabel = "S",
            description = "Timed seconds, split into " + ROUNDS + " rounds (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--input", paramLabel = "X.npy",
            description = "Inputs in graph-input order instead of random data (float data is quantized for integer models).")
    List<Path> inputFiles;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of the random inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--as-is", description = "Time a float model exactly as loaded; by default it is prepared first (BatchNorm "
            + "folded, activations fused into the convolutions: the graph nncc's passes and quantizer work on), as ONNX "
            + "Runtime optimizes a graph before it runs it.")
    boolean asIs;

    @Spec CommandSpec spec;

    /** What was done to the loaded graph before timing it, for the report. */
    private String preparation = "as loaded";

    /** One row of the per-layer table. */
    record Layer(int step, Node node, String shape, long macsPerImage, long nanos) {}

    @Override public Integer call() {
        checkOptions();
        Graph g = ModelLoader.loadLowered(model);
        if (!asIs && nncc.passes.Stage.of(g).compareTo(nncc.passes.Stage.BN_FOLDED) <= 0) { // a float graph without quantization plans
            new nncc.passes.PassManager(nncc.passes.PassRegistry.parse("prepare"), nncc.passes.PassManager.Options.defaults(),
                    new PrintWriter(java.io.Writer.nullWriter())).run(g, nncc.passes.Stage.of(g));
            preparation = "prepared (BatchNorm folded, activations fused; --as-is times it as loaded)";
        }
        List<Tensor> xs = inputFiles == null ? randomInputs(g) : givenInputs(g);
        int images = imagesPerRun(xs);
        Interpreter interpreter = new Interpreter(g);
        Map<String, Shape> shapes = concreteShapes(g, interpreter, xs);
        BenchLoop loop = new BenchLoop(interpreter, xs, images, threads, g.nodes().size());
        long warmupNanos = (long) (warmup * 1e9), roundNanos = (long) (seconds * 1e9 / ROUNDS);
        BenchLoop.Measurement m;
        try (Progress bar = Progress.start("bench", Math.max(1, (long) ((warmup + seconds) * 1000)), "ms")) {
            m = loop.measure(warmupNanos, ROUNDS, roundNanos, bar::step);
        }
        print(spec.commandLine().getOut(), g, xs, images, m, layers(g, shapes, images, m));
        return 0;
    }

    private void checkOptions() {
        if (batch != null && batch < 1) throw new CliException("--batch must be at least 1, got " + batch);
        if (threads < 1 || threads > 1024) throw new CliException("--threads must be in 1..1024, got " + threads);
        if (!(warmup >= 0) || Double.isInfinite(warmup)) throw new CliException("--warmup must be 0 or more seconds, got " + warmup);
        if (!(seconds > 0) || Double.isInfinite(seconds)) throw new CliException("--seconds must be more than 0, got " + seconds);
    }

    /** Random data of each input's type: floats in [0, 1), integers over their type's range for quantized inputs. */
    private List<Tensor> randomInputs(Graph g) {
        Random r = new Random(seed);
        List<Tensor> xs = new ArrayList<>();
        for (Value v : g.inputs()) xs.add(random(v, inputShape(v), r));
        return xs;
    }

    private Shape inputShape(Value v) {
        Shape s = v.type().shape();
        int n = batch == null ? 1 : batch;
        if (batch != null && s.rank() > 0 && !s.isSymbolic(0) && s.dim(0) != n)
            throw new CliException("--batch " + n + ": input '" + v.name() + "' has a fixed batch of " + s.dim(0) + " (" + v.type() + ")");
        return s.bindSymbols(n);
    }

    private static Tensor random(Value v, Shape shape, Random r) {
        DType t = v.type().dtype();
        int count = Math.toIntExact(shape.numElements());
        if (t == DType.F64) {
            double[] d = new double[count];
            for (int i = 0; i < count; i++) d[i] = r.nextDouble();
            return Tensor.ofDoubles(shape, d);
        }
        if (t.isFloat()) {
            float[] f = new float[count];
            for (int i = 0; i < count; i++) f[i] = r.nextFloat();
            return Tensor.ofFloats(t, shape, f);
        }
        long[] l = new long[count];
        if (v.type().quant() != null && t.isInteger())
            for (int i = 0; i < count; i++) l[i] = r.nextLong(t.minValue(), t.maxValue() + 1);
        return Tensor.ofLongs(t, shape, l); // other integers (indices, masks) stay 0
    }

    /** The given files, quantized for an integer-interface model, cut to the first {@code --batch} samples. */
    private List<Tensor> givenInputs(Graph g) {
        List<Tensor> xs = new ArrayList<>();
        for (Path p : inputFiles) xs.add(DataFiles.read(p));
        if (xs.size() != g.inputs().size())
            throw new CliException("model takes " + g.inputs().size() + " input(s) "
                    + g.inputs().stream().map(Value::name).toList() + ", got " + xs.size() + " --input file(s)");
        xs = QuantIO.inputs(g, xs, false);
        if (batch == null) return xs;
        List<Tensor> cut = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            Tensor x = xs.get(i);
            long have = x.shape().rank() > 0 ? x.shape().dim(0) : 0;
            if (have < batch)
                throw new CliException(inputFiles.get(i) + ": --batch " + batch + " needs " + batch + " samples, the file has " + have);
            cut.add(x.sliceBatch(0, batch));
        }
        return cut;
    }

    private static int imagesPerRun(List<Tensor> xs) {
        if (xs.isEmpty() || xs.get(0).shape().rank() == 0) return 1;
        return Math.toIntExact(Math.max(1, xs.get(0).shape().dim(0)));
    }

    /** Every value's shape in a run on {@code xs}, from one traced run (which also checks the inputs fit). */
    private static Map<String, Shape> concreteShapes(Graph g, Interpreter interpreter, List<Tensor> xs) {
        Map<String, Shape> shapes = new HashMap<>();
        for (int i = 0; i < xs.size(); i++) shapes.put(g.inputs().get(i).name(), xs.get(i).shape());
        for (Graph.Constant c : g.constants()) shapes.put(c.value().name(), c.data().shape());
        interpreter.run(xs, (node, outs) -> {
            for (int k = 0; k < outs.size(); k++) shapes.put(node.outputs().get(k).name(), outs.get(k).shape());
        });
        return shapes;
    }

    private static List<Layer> layers(Graph g, Map<String, Shape> shapes, int images, BenchLoop.Measurement m) {
        List<Layer> rows = new ArrayList<>();
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            String shape = n.outputs().stream().map(v -> String.valueOf(shapes.get(v.name()))).collect(Collectors.joining(" "));
            rows.add(new Layer(i, n, shape, GraphStats.macs(concrete(n, shapes)) / images, m.nodeNanos()[i]));
        }
        return rows;
    }

    /** The node with the run's concrete shapes on its values, so MACs count the actual batch. */
    private static Node concrete(Node n, Map<String, Shape> shapes) {
        return new Node(n.name(), n.op(), n.inputs().stream().map(v -> concrete(v, shapes)).toList(),
                n.outputs().stream().map(v -> concrete(v, shapes)).toList());
    }

    private static Value concrete(Value v, Map<String, Shape> shapes) {
        Shape s = shapes.get(v.name());
        return s == null ? v : v.withType(v.type().withShape(s));
    }

    private void print(PrintWriter out, Graph g, List<Tensor> xs, int images, BenchLoop.Measurement m, List<Layer> rows) {
        String in = xs.stream().map(t -> t.dtype().text() + t.shape()).collect(Collectors.joining(", "));
        out.printf("model:    %s (%d nodes, %s), input %s, %s%n", model.getFileName(), g.nodes().size(), preparation, in,
                inputFiles == null ? "random data (seed " + seed + ")" : "data from " + inputFiles);
        out.printf("setup:    batch %d, %d thread%s, %.2f s warmup, %d timed rounds of %.2f s, %d runs timed%n", images, threads,
                threads == 1 ? "" : "s", warmup, ROUNDS, seconds / ROUNDS, m.runs());
        double median = m.median();
        out.printf(Locale.ROOT, "images/s: %.1f (median of %d rounds; min %.1f, max %.1f; %.3f ms per batch of %d per thread)%n",
                median, ROUNDS, m.min(), m.max(), 1000.0 * images * threads / median, images);
        out.printf(Locale.ROOT, "latency:  p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms per run (batch of %d)%n",
                m.latencyPercentile(0.5) / 1e6, m.latencyPercentile(0.9) / 1e6, m.latencyPercentile(0.99) / 1e6,
                m.latencyPercentile(1.0) / 1e6, images);
        long macs = rows.stream().mapToLong(Layer::macsPerImage).sum();
        double achieved = macs * median / 1e9, peak = KernelPeak.measureGmacPerSecond(200);
        out.printf(Locale.ROOT, "compute:  %.2f GMAC/s achieved (%,d MACs per image); the %s float GEMM micro-kernel peaks at %.2f GMAC/s "
                + "per thread here (measured in L1 cache): %.1f%% of the peak of %d thread%s%n", achieved, macs, KernelPeak.kernels(), peak,
                100 * achieved / (peak * threads), threads, threads == 1 ? "" : "s");
        long rss = peakResidentBytes();
        out.printf(Locale.ROOT, "memory:   peak resident %s (whole process, VmHWM); heap allocated %s per image in the timed rounds%n",
                rss < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f MiB", rss / 1048576.0),
                m.allocatedBytes() < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f KiB", m.allocatedBytes() / 1024.0 / Math.max(1, m.runs() * images)));
        out.println();
        printTable(out, rows, m.runs());
        out.flush();
    }

    /** The process's peak resident set size from /proc/self/status (Linux), or -1 where it cannot be read. */
    static long peakResidentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static void printTable(PrintWriter out, List<Layer> rows, long runs) {
        long total = Math.max(1, rows.stream().mapToLong(Layer::nanos).sum());
        long macs = rows.stream().mapToLong(Layer::macsPerImage).sum();
        int nodeWidth = Math.max(4, rows.stream().mapToInt(r -> r.node().name().length()).max().orElse(4));
        int opWidth = Math.max(2, rows.stream().mapToInt(r -> r.node().op().opName().length()).max().orElse(2));
        int shapeWidth = Math.max(6, rows.stream().mapToInt(r -> r.shape().length()).max().orElse(6));
        String format = "%4s  %-" + opWidth + "s  %-" + nodeWidth + "s  %-" + shapeWidth + "s  %13s  %11s  %6s%n";
        out.printf(format, "#", "op", "node", "output", "MACs/image", "us/run", "time %");
        for (Layer r : rows)
            out.printf(Locale.ROOT, format, r.step(), r.node().op().opName(), r.node().name(), r.shape(), String.format(Locale.ROOT, "%,d", r.macsPerImage()),
                    String.format(Locale.ROOT, "%.1f", r.nanos() / 1e3 / Math.max(1, runs)),
                    String.format(Locale.ROOT, "%.1f", 100.0 * r.nanos() / total));
        out.printf(Locale.ROOT, format, "", "", "total", "", String.format(Locale.ROOT, "%,d", macs),
                String.format(Locale.ROOT, "%.1f", total / 1e3 / Math.max(1, runs)), "100.0");
    }
}
