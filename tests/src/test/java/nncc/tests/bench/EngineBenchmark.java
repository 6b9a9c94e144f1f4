package nncc.tests.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import nncc.cpu.Interpreter;
import nncc.ir.GraphStats;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.tests.OrtRunner;

/**
 * A benchmark, not a test: images per second of nncc's float and int8 CPU reference against ONNX Runtime on the
 * float ONNX and on nncc's QDQ export of the same int8 model, on the same number of threads in one JVM run with their
 * timed rounds interleaved, for the bundled Fashion-MNIST CNN and MobileNetV2-style model at batch 1 and 32, on the
 * first images of {@code examples/fashion_mnist/sample.npy}. Prints a Markdown table with the nncc/ORT ratios and
 * writes it to {@code tests/target/bench.md}. Run it with {@code scripts/bench} (arguments: {@code --warmup S},
 * {@code --seconds S} timed per measurement, {@code --batches 1,32}, {@code --threads 1,2}, {@code --out FILE}).
 */
public final class EngineBenchmark {
    static final int ROUNDS = 5;

    /** One line of the result table: nncc and ORT throughput for one model, batch and precision. */
    record Row(String model, int batch, int threads, String precision, Throughput.Result nncc, Throughput.Result ort, String note) {
        /** The median of the per-round ratios (rounds are interleaved, so each ratio compares neighbouring moments). */
        double ratio() { return Throughput.pairedRatio(nncc, ort); }
    }

    private EngineBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path root = root();
        double warmup = 1, seconds = 3;
        List<Integer> batches = List.of(1, 32), threadCounts = List.of(1, 2);
        Path out = root.resolve("tests/target/bench.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--batches" -> batches = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--threads" -> threadCounts = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (known: --warmup S, --seconds S, --batches 1,32, --threads 1,2, --out FILE)");
            }
        }
        Throughput meter = new Throughput(warmup, ROUNDS, seconds / ROUNDS);
        Path examples = root.resolve("examples");
        Path calib = examples.resolve("fashion_mnist/calib.npy");
        Tensor images = Npy.read(examples.resolve("fashion_mnist/sample.npy"));
        String loadBefore = loadAverage();
        List<Row> rows = new ArrayList<>();
        List<String> models = new ArrayList<>();
        for (Path onnx : List.of(examples.resolve("fashion_mnist/fashion_cnn.onnx"), examples.resolve("mobilenet_v2/mobilenet_v2.onnx"))) {
            System.out.printf("preparing %s (import, prepare, calibrate on %s, int8 lowering, QDQ export)...%n", onnx.getFileName(), calib.getFileName());
            BenchModel m = BenchModel.load(onnx, calib);
            models.add(String.format(Locale.ROOT, "- %s: %,d MACs per image; %d nodes in float (prepared), %d in int8; ONNX %,d bytes, "
                    + "QDQ export %,d bytes", m.name(), GraphStats.of(m.prepared()).macs(), m.prepared().nodes().size(),
                    m.int8().nodes().size(), m.floatOnnx().length, m.qdqInt8().length));
            preWarm(m, images.sliceBatch(0, 1), 2 * warmup);
            for (int batch : batches)
                for (int threads : threadCounts) rows.addAll(measure(m, images.sliceBatch(0, batch), batch, threads, meter));
        }
        String report = report(rows, models, warmup, seconds, loadBefore, loadAverage());
        System.out.println();
        System.out.print(report);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report, StandardCharsets.UTF_8);
        Path chart = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.md$", "") + ".svg");
        Files.writeString(chart, BenchChart.svg(rows, LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))
                + "; median of the per-round ratios; load average " + loadBefore + " before"), StandardCharsets.UTF_8);
        System.out.println("written to " + out + " and " + chart);
    }

    /**
     * Runs nncc's float and int8 graphs for {@code seconds} each before the first measurement of a model, so the JIT
     * has compiled the kernels (on a loaded machine the per-measurement warmup alone left the first row cold).
     */
    private static void preWarm(BenchModel m, Tensor x, double seconds) {
        Interpreter f = new Interpreter(m.prepared()), q = new Interpreter(m.int8());
        List<Tensor> fx = List.of(x), qx = List.of(m.int8Input(x));
        for (long end = System.nanoTime() + (long) (seconds * 1e9); System.nanoTime() < end; ) f.run(fx);
        for (long end = System.nanoTime() + (long) (seconds * 1e9); System.nanoTime() < end; ) q.run(qx);
    }

    private static List<Row> measure(BenchModel m, Tensor x, int batch, int threads, Throughput meter) throws Exception {
        List<Row> rows = new ArrayList<>();
        Interpreter floatRef = new Interpreter(m.prepared(), threads), int8Ref = new Interpreter(m.int8(), threads);
        List<Tensor> floatIn = List.of(x), int8In = List.of(m.int8Input(x));
        try (TimedOrtSession ortFloat = new TimedOrtSession(m.floatOnnx(), x, threads);
             TimedOrtSession ortQdq = new TimedOrtSession(m.qdqInt8(), x, threads);
             TimedOrtSession ortQdqU8 = new TimedOrtSession(m.qdqUint8(), x, threads)) {
            String agreement = agreement(m, int8Ref.run(int8In).get(0), ortQdq.runOutput0());
            String agreementU8 = agreement(m, int8Ref.run(int8In).get(0), ortQdqU8.runOutput0());
            // the five engines' rounds interleaved, so load changes hit nncc and ORT alike
            Throughput.Result[] r = meter.measureInterleaved(batch, () -> floatRef.run(floatIn), ortFloat::run,
                    () -> int8Ref.run(int8In), ortQdq::run, ortQdqU8::run);
            String[] names = {"nncc float", "ORT float", "nncc int8", "ORT QDQ int8", "ORT QDQ uint8"};
            for (int i = 0; i < r.length; i++) progress(m, batch, threads, names[i], r[i]);
            rows.add(new Row(m.name(), batch, threads, "float32", r[0], r[1], ""));
            rows.add(new Row(m.name(), batch, threads, "int8 (QDQ int8 act.)", r[2], r[3], agreement));
            rows.add(new Row(m.name(), batch, threads, "int8 (QDQ uint8 act.)", r[2], r[4], agreementU8));
        }
        return rows;
    }

    private static Throughput.Result progress(BenchModel m, int batch, int threads, String engine, Throughput.Result r) {
        System.out.printf(Locale.ROOT, "  %-16s batch %3d  threads %d  %-14s %10.1f images/s (rounds %.1f..%.1f)%n", m.name(), batch,
                threads, engine, r.median(), r.min(), r.max());
        return r;
    }

    /** How ORT's output on the QDQ export matches nncc's integer output, in output LSBs (a check that both run the same model). */
    private static String agreement(BenchModel m, Tensor nncc, Tensor ort) {
        var type = m.int8().outputs().get(0).type();
        if (type.quant() == null) return "";
        OrtRunner.Agreement a = OrtRunner.lsbAgreement(ort, nncc, type.quant(), type.dtype());
        return String.format(Locale.ROOT, "%.2f%% within 1 LSB", 100 * a.fractionWithinOneLsb());
    }

    private static String report(List<Row> rows, List<String> models, double warmup, double seconds, String loadBefore, String loadAfter) {
        StringBuilder b = new StringBuilder();
        b.append("# nncc CPU reference vs ONNX Runtime\n\n");
        b.append(String.format(Locale.ROOT, "%s; Java %s; ONNX Runtime %s (intra-op threads as in the table, inter-op 1, sequential, all graph optimizations); "
                        + "%d CPUs; load average %s before, %s after.%n%n",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")), Runtime.version(), TimedOrtSession.version(),
                Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter));
        b.append(String.format(Locale.ROOT, "images/s: median of %d rounds of %.2f s after %.1f s warmup per measurement, the rounds "
                + "of nncc float, ORT float, nncc int8 and ORT's two QDQ models interleaved; nncc / ORT is the median of the "
                + "per-round ratios; nncc runs a batch image by image through its batch-1 kernels, its T threads taking whole "
                + "images in turn, and splits a single image's large layers by output channel; "
                + "inputs: the first images of examples/fashion_mnist/sample.npy. nncc float runs the prepared graph (BatchNorm "
                + "folded, activations fused); nncc int8 is the prepared graph calibrated (min/max, calib.npy) and lowered by "
                + "QuantizationPipeline int8 with default options (double rounding, integer input; no bias correction, which "
                + "changes bias values only); ORT QDQ runs the QDQ export of that same int8 graph (float input quantized inside "
                + "the model) with int8 activations as they are and written as uint8. Agreement: ORT's output vs nncc's int8 "
                + "output on the output grid, for the timed batch (double rounding differs from ORT's float requantization "
                + "by an LSB here and there, which a deep model accumulates; `nncc compile --target onnx` uses single rounding).%n%n",
                ROUNDS, seconds / ROUNDS, warmup));
        for (String m : models) b.append(m).append('\n');
        b.append('\n');
        b.append("| model | batch | threads | precision | nncc images/s | ORT images/s | nncc / ORT | rounds spread nncc / ORT | agreement |\n");
        b.append("|---|---:|---:|---|---:|---:|---:|---:|---|\n");
        for (Row r : rows)
            b.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %.1f | %.1f | %.3f | %.0f%% / %.0f%% | %s |%n", r.model(), r.batch(),
                    r.threads(), r.precision(), r.nncc().median(), r.ort().median(), r.ratio(), 100 * r.nncc().spread(), 100 * r.ort().spread(), r.note()));
        return b.toString();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The repository: {@code -Dnncc.root}, else the first directory upward from here holding examples/fashion_mnist. */
    private static Path root() {
        String p = System.getProperty("nncc.root");
        if (p != null) return Path.of(p).toAbsolutePath().normalize();
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent())
            if (Files.isDirectory(d.resolve("examples/fashion_mnist"))) return d;
        throw new IllegalStateException("cannot find the nncc repository (examples/fashion_mnist) from " + Path.of("").toAbsolutePath()
                + "; give -Dnncc.root=DIR");
    }
}
