package nncc.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a .tflite model on the real TensorFlow Lite runtime through {@code nncc.shared}/tools/tflite-run (Node.js,
 * installed by npm on first use) and returns each output's numbers, all samples concatenated. When the runtime
 * cannot start (no node or npm), the test is skipped with the reason, or fails under NNCC_REQUIRE_FIXTURES=1.
 */
final class TfliteRun {
    private TfliteRun() {}

    private static final Pattern DATA = Pattern.compile("\"data\":\\[([^\\]]*)\\]");

    static Path tool() {
        String shared = System.getProperty("nncc.shared", TestPaths.root().resolve("../shared").toString());
        Path t = Path.of(shared, "tools", "tflite-run", "tflite-run").toAbsolutePath().normalize();
        if (!Files.isExecutable(t)) TfliteFixtures.unavailable("tflite-run missing at " + t);
        return t;
    }

    /** Outputs of {@code model} for the raw input files (one per model input, samples back to back). */
    static List<long[]> run(Path model, List<Path> inputs) throws IOException, InterruptedException {
        List<long[]> outputs = parse(runRaw(model, inputs));
        // tflite-run once exited 0 with no output at all on a loaded machine: ask again once, then fail with what it said
        if (outputs.isEmpty()) {
            String again = runRaw(model, inputs);
            outputs = parse(again);
            if (outputs.isEmpty()) throw new AssertionError("tflite-run gave no output data for " + model + " (twice): " + again);
        }
        return outputs;
    }

    private static List<long[]> parse(String out) {
        List<long[]> outputs = new ArrayList<>();
        Matcher m = DATA.matcher(out);
        while (m.find()) {
            String body = m.group(1).trim();
            outputs.add(body.isEmpty() ? new long[0]
                    : java.util.Arrays.stream(body.split(",")).mapToLong(s -> Math.round(Double.parseDouble(s))).toArray());
        }
        return outputs;
    }

    /** The first output's numbers as doubles (float models). */
    static double[] floats(String json) {
        Matcher m = DATA.matcher(json);
        if (!m.find()) throw new AssertionError("no output data in " + json);
        return java.util.Arrays.stream(m.group(1).split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    /** The runtime's JSON answer. */
    static String runRaw(Path model, List<Path> inputs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(tool().toString(), model.toString()));
        inputs.forEach(p -> cmd.add(p.toString()));
        Path log = Files.createTempFile("tflite-run", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            TfliteFixtures.unavailable("cannot start tflite-run: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(600, TimeUnit.SECONDS)) { p.destroyForcibly(); throw new AssertionError("tflite-run timed out"); }
        String err = Files.readString(log);
        Files.deleteIfExists(log);
        if (p.exitValue() != 0) {
            if (err.contains("node: command not found") || err.contains("npm: command not found") || err.contains("npm ERR"))
                TfliteFixtures.unavailable("tflite-run cannot install or start its runtime: " + err.lines().reduce("", (a, b) -> b));
            throw new AssertionError("tflite-run failed on " + model + ": " + err);
        }
        return out;
    }

    /** Elements of {@code a} and {@code b} that differ by at most 1, as a fraction; the largest difference. */
    record Agreement(double withinOne, long maxDiff, long count) {
        static Agreement of(long[] a, long[] b) {
            if (a.length != b.length) throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
            long ok = 0, max = 0;
            for (int i = 0; i < a.length; i++) {
                long d = Math.abs(a[i] - b[i]);
                if (d <= 1) ok++;
                max = Math.max(max, d);
            }
            return new Agreement(a.length == 0 ? 1 : (double) ok / a.length, max, a.length);
        }

        @Override public String toString() {
            return String.format("%.4f %% within 1 LSB of %d elements, max |diff| %d", 100 * withinOne, count, maxDiff);
        }
    }
}
