package nncc.tests.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;

/**
 * A measurement, not a test: where nncc's CPU reference spends its time on the {@link EngineBenchmark} models, float
 * and int8, per op type and per node (mean microseconds per run, wall time; the total also in thread CPU time, which other processes disturb less). Arguments: {@code [batch] [seconds]}; run it like
 * {@code scripts/bench} with main class {@code nncc.tests.bench.LayerProfile}.
 */
public final class LayerProfile {
    private LayerProfile() {}

    public static void main(String[] args) throws Exception {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        Path root = Path.of(System.getProperty("nncc.root", "."));
        Path examples = root.resolve("examples");
        Tensor images = Npy.read(examples.resolve("fashion_mnist/sample.npy")).sliceBatch(0, batch);
        for (Path onnx : List.of(examples.resolve("fashion_mnist/fashion_cnn.onnx"), examples.resolve("mobilenet_v2/mobilenet_v2.onnx"))) {
            BenchModel m = BenchModel.load(onnx, examples.resolve("fashion_mnist/calib.npy"));
            profile(m.name() + " float", m.prepared(), images, seconds);
            profile(m.name() + " int8", m.int8(), m.int8Input(images), seconds);
        }
    }

    private static void profile(String title, Graph g, Tensor x, double seconds) {
        Interpreter interp = new Interpreter(g);
        long[] perNode = new long[g.nodes().size()], fastest = new long[g.nodes().size()];
        java.util.Arrays.fill(fastest, Long.MAX_VALUE);
        for (long end = System.nanoTime() + (long) 4e9; System.nanoTime() < end; ) interp.run(List.of(x));
        int runs = 0;
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStarted = threads.getCurrentThreadCpuTime();
        long started = System.nanoTime();
        while (System.nanoTime() - started < seconds * 1e9) {
            interp.runTimed(List.of(x), (step, node, nanos) -> {
                perNode[step] += nanos;
                fastest[step] = Math.min(fastest[step], nanos);
            });
            runs++;
        }
        double wall = (System.nanoTime() - started) / 1e3 / runs;
        double cpu = (threads.getCurrentThreadCpuTime() - cpuStarted) / 1e3 / runs;
        Map<String, Double> byOp = new TreeMap<>(), byOpFastest = new TreeMap<>();
        double inNodes = 0, fastestSum = 0;
        for (int i = 0; i < perNode.length; i++) {
            double us = perNode[i] / 1e3 / runs;
            byOp.merge(g.nodes().get(i).op().opName(), us, Double::sum);
            byOpFastest.merge(g.nodes().get(i).op().opName(), fastest[i] / 1e3, Double::sum);
            inNodes += us;
            fastestSum += fastest[i] / 1e3;
        }
        System.out.printf(Locale.ROOT, "%s: %.1f us per run (%.1f us in nodes, %.1f us of CPU time), %d runs%n", title, wall, inNodes,
                cpu, runs);
        System.out.printf(Locale.ROOT, "  sum of each node's fastest run: %.1f us%n", fastestSum);
        for (var e : byOp.entrySet())
            System.out.printf(Locale.ROOT, "  %-20s %9.1f us mean, %9.1f us fastest%n", e.getKey(), e.getValue(), byOpFastest.get(e.getKey()));
        for (int i = 0; i < perNode.length; i++)
            System.out.printf(Locale.ROOT, "    %3d %-12s %-40s %8.1f us mean %8.1f us fastest%n", i, g.nodes().get(i).op().opName(),
                    g.nodes().get(i).outputs().get(0).type().toString().replaceAll("\\{.*", ""), perNode[i] / 1e3 / runs, fastest[i] / 1e3);
    }
}
