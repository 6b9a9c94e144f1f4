package nncc.tests;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import nncc.cli.Main;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;

/**
 * The mutation campaign of issue 12: mutated ONNX, .nnir, .npy and TFLite files (deterministic seeds) run through
 * {@code nncc inspect}, {@code run}, {@code quantize} and {@code compile} in this JVM (through {@link Main#execute},
 * the code path of the {@code nncc} launcher without the JVM start), counting stack traces, runs over 30 s, exit
 * codes other than 0 and 2, files left in the output folder after a failure, and runs that exit 0 with a NaN or
 * infinite output and no warning. Run by {@code scripts/mutation_campaign [FILES_PER_FORMAT] [WORK_DIR]}.
 */
public final class MutationCampaign {
    private static final int HANG_SECONDS = 30;

    record Case(String model, String data) {}

    private final Path work;
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final Map<String, List<String>> examples = new LinkedHashMap<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "campaign-run");
        t.setDaemon(true);
        return t;
    });

    private MutationCampaign(Path work) { this.work = work; }

    public static void main(String[] args) throws Exception {
        int perFormat = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path work = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("nncc-campaign");
        Files.createDirectories(work);
        MutationCampaign c = new MutationCampaign(work);
        c.run(perFormat);
        c.pool.shutdownNow();
        System.exit(0);
    }

    private void run(int perFormat) throws Exception {
        Path root = TestPaths.root(), models = TestPaths.models(), bad = root.resolve("tests/src/test/resources/malformed");
        List<Case> seeds = List.of(
                new Case(bad.resolve("conv_batch1.onnx").toString(), bad.resolve("calib4.npy").toString()),
                new Case(models.resolve("mlp_opset9.onnx").toString(), models.resolve("mlp_opset9.input.npy").toString()),
                new Case(models.resolve("cnn_convtranspose.onnx").toString(), models.resolve("cnn_convtranspose.input.npy").toString()));
        // .nnir seeds: each float model imported, and an int8 model, so integer paths are mutated too
        List<Case> nnirSeeds = new ArrayList<>();
        for (int i = 0; i < seeds.size(); i++) {
            Path f = work.resolve("seed" + i + ".nnir");
            Files.deleteIfExists(f);
            expectOk("import", seeds.get(i).model(), "-o", f.toString());
            nnirSeeds.add(new Case(f.toString(), seeds.get(i).data()));
        }
        Path q = work.resolve("seed-int8.nnir");
        Files.deleteIfExists(q);
        Run made = execute("quantize", seeds.get(0).model(), "--calib", seeds.get(0).data(), "-o", q.toString());
        if (made.code() == 0) nnirSeeds.add(new Case(q.toString(), seeds.get(0).data()));
        else System.out.println("no int8 .nnir seed (quantizing " + seeds.get(0).model() + " failed: " + made.err().strip() + ")");

        long t0 = System.nanoTime();
        campaign("onnx", seeds, perFormat, true, false);
        campaign("nnir", nnirSeeds, perFormat, true, true);
        campaign("npy", seeds, perFormat, false, false);
        campaign("tflite", tfliteSeeds(), perFormat, true, false);
        System.out.printf("%nmutation campaign: %d files per format, %.0f s%n", perFormat, (System.nanoTime() - t0) / 1e9);
        for (Map.Entry<String, Integer> e : counts.entrySet()) System.out.printf("  %-36s %d%n", e.getKey(), e.getValue());
        for (Map.Entry<String, List<String>> e : examples.entrySet()) {
            System.out.println("examples of " + e.getKey() + ":");
            for (String s : e.getValue()) System.out.println("    " + s);
        }
    }

    /** TFLite Micro's int8 models (from the shared fixtures) with float inputs of their shapes. */
    private List<Case> tfliteSeeds() throws Exception {
        Path micro = TfliteFixtures.dir();
        Path hello = work.resolve("hello.input.npy"), speech = work.resolve("speech.input.npy");
        Npy.write(hello, Tensor.ofFloats(nncc.ir.Shape.of(1, 1), 0.5f));
        float[] v = new float[1960];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        Npy.write(speech, Tensor.ofFloats(nncc.ir.Shape.of(1, 1960), v));
        return List.of(new Case(micro.resolve("hello_world_int8.tflite").toString(), hello.toString()),
                new Case(micro.resolve("micro_speech_quantized.tflite").toString(), speech.toString()));
    }

    private void expectOk(String... args) {
        Run r = execute(args);
        if (r.code != 0) throw new IllegalStateException("seed preparation failed: " + String.join(" ", args) + ": " + r.err);
    }

    /** {@code n} mutated files of one format, each through the four commands. */
    private void campaign(String format, List<Case> seeds, int n, boolean mutateModel, boolean text) throws Exception {
        List<byte[]> all = new ArrayList<>();
        for (Case c : seeds) all.add(Files.readAllBytes(Path.of(mutateModel ? c.model() : c.data())));
        for (int i = 0; i < n; i++) {
            SplittableRandom rnd = new SplittableRandom(format.hashCode() * 31L + i);
            int s = rnd.nextInt(seeds.size());
            // ONNX: two thirds structure-aware (the model still parses), one third byte-level
            byte[] mutated = format.equals("onnx") && rnd.nextInt(3) > 0 ? OnnxMutator.mutate(all.get(s), rnd)
                    : Mutator.mutate(all.get(s), all, rnd, text);
            Path file = work.resolve("mutant-" + format + "-" + i + "." + format);
            Files.write(file, mutated);
            String model = mutateModel ? file.toString() : seeds.get(s).model();
            String data = mutateModel ? seeds.get(s).data() : file.toString();
            String id = format + " #" + i;
            check(id, "inspect", null, "inspect", model);
            Path out = fresh(format, i, "run");
            check(id, "run", out, "run", model, "--input", data, "--output", out.resolve("y.npy").toString());
            out = fresh(format, i, "quantize");
            check(id, "quantize", out, "quantize", model, "--calib", data, "--threads", "1", "-o", out.resolve("q.nnir").toString());
            out = fresh(format, i, "compile");
            check(id, "compile", out, "compile", model, "--target", "cpu", "--calib", data, "--threads", "1", "-o", out.resolve("c").toString());
            count("runs", 4);
            Files.deleteIfExists(file);
            if ((i + 1) % 100 == 0) System.out.printf("%s: %d/%d files%n", format, i + 1, n);
        }
        count("files " + format, n);
    }

    private Path fresh(String format, int i, String cmd) throws Exception {
        Path d = work.resolve("out-" + format + "-" + i + "-" + cmd);
        Files.createDirectories(d);
        return d;
    }

    record Run(int code, String err, boolean hung) {}

    private Run execute(String... args) {
        Future<Run> f = pool.submit(() -> {
            StringWriter out = new StringWriter(), err = new StringWriter();
            int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
            return new Run(code, err.toString(), false);
        });
        try {
            return f.get(HANG_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Run(-1, "", true);
        } catch (Exception e) {
            return new Run(1, "campaign: " + e, false);
        }
    }

    private void check(String id, String cmd, Path out, String... args) throws Exception {
        Run r = execute(args);
        String what = id + " " + cmd + ": ";
        String firstLine = r.err.strip().isEmpty() ? "" : r.err.strip().split("\n")[0];
        if (r.hung) fail("hangs over " + HANG_SECONDS + " s", what + String.join(" ", args));
        else if (r.code != 0 && r.code != 2) fail("exit codes other than 0 and 2", what + "exit " + r.code + ": " + clip(firstLine));
        if (r.err.contains("\tat ") || r.err.contains("Exception") || r.err.contains("Error:"))
            fail("stack traces or exception names", what + clip(firstLine));
        count("exit " + r.code, 1);
        if (r.code == 2 && r.err.strip().split("\n").length != 1) fail("errors longer than one line", what + clip(r.err));
        if (out != null) {
            List<Path> left;
            try (Stream<Path> s = Files.walk(out)) {
                left = s.filter(p -> !p.equals(out)).toList();
            }
            if (r.code != 0 && !left.isEmpty()) fail("outputs left after a failure", what + left);
            if (r.code == 0 && cmd.equals("run") && !r.err.contains("warning")) {
                Tensor y = Npy.read(out.resolve("y.npy"));
                if (y.dtype().isFloat())
                    for (float v : y.toFloats())
                        if (!Float.isFinite(v)) { fail("exit 0 with a non-finite output and no warning", what); break; }
            }
            if (!r.hung) deleteTree(out);
        }
    }

    private void fail(String kind, String example) {
        count(kind, 1);
        List<String> ex = examples.computeIfAbsent(kind, k -> new ArrayList<>());
        if (ex.size() < Integer.getInteger("nncc.campaign.examples", 5)) ex.add(example);
    }

    private void count(String key, int n) { counts.merge(key, n, Integer::sum); }

    private static String clip(String s) { return s.length() > 300 ? s.substring(0, 300) + "..." : s; }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
