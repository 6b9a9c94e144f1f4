package nncc.tests.zoo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nncc.ir.Graph;
import nncc.ir.GraphStats;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import nncc.tests.OrtRunner;

/**
 * One architecture of the model zoo taken through nncc as a user would (separate {@code nncc} processes): import,
 * float run against ONNX Runtime, int8 quantization (time, peak memory, nodes kept in float, SQNR of the output
 * against nncc's float output) and the QDQ export run by ONNX Runtime against nncc's integer reference.
 * Each stage records what it measured, or the one-line error that stopped it.
 */
final class ZooMeasurement {
    private static final Pattern KEPT = Pattern.compile("^- kept in float: (\\w+): (\\d+)$", Pattern.MULTILINE);

    /** What was measured for one model; NaN / null where a stage did not run; {@code failure} names the failed stage. */
    record Row(String name, long parameters, long macs, double floatRelDiff, double quantizeSeconds, double quantizePeakMiB,
               int keptInFloat, List<String> keptReasons, double sqnrDb, OrtRunner.Agreement qdq, String failure) {}

    private final NnccProcess nncc;
    private final Path dir;

    ZooMeasurement(NnccProcess nncc, Path dir) {
        this.nncc = nncc;
        this.dir = dir;
    }

    Row measure(String name) {
        Path onnx = dir.resolve(name + ".onnx"), x = dir.resolve(name + ".input.npy"), calib = dir.resolve(name + ".calib.npy");
        Path work = dir.resolve(name + ".out");
        long params = -1, macs = -1;
        double rel = Double.NaN, secs = Double.NaN, peak = Double.NaN, sqnr = Double.NaN;
        int kept = -1;
        List<String> reasons = List.of();
        OrtRunner.Agreement qdq = null;
        try {
            deleteTree(work);
            Files.createDirectories(work);
            Path ir = work.resolve("float.nnir");
            check("import", nncc.run("import", onnx.toString(), "-o", ir.toString()));
            GraphStats stats = GraphStats.of(IrParser.parse(ir));
            params = stats.parameters();
            macs = stats.macs();
            progress(name, "imported: %d parameters", params);

            Path yFloat = work.resolve("float.npy");
            check("float run", nncc.run("run", ir.toString(), "--input", x.toString(), "--output", yFloat.toString()));
            Tensor ours = Npy.read(yFloat);
            Tensor ort = OrtRunner.runFloat(onnx, List.of(Npy.read(x))).get(0);
            rel = relativeToLargest(ours, ort);
            progress(name, "float vs ONNX Runtime: %.2e of the largest logit", rel);

            Path q = work.resolve("int8.nnir");
            NnccProcess.Result r = nncc.timed("quantize", ir.toString(), "--calib", calib.toString(), "-o", q.toString());
            check("quantize", r);
            secs = r.seconds();
            peak = r.peakMiB();
            kept = 0;
            List<String> why = new ArrayList<>();
            for (Matcher m = KEPT.matcher(r.out()); m.find(); ) {
                kept += Integer.parseInt(m.group(2));
                why.add(m.group(2) + " " + m.group(1));
            }
            reasons = why;
            Path yQuant = work.resolve("int8.npy");
            check("int8 run", nncc.run("run", q.toString(), "--input", x.toString(), "--output", yQuant.toString()));
            sqnr = sqnrDb(ours, Npy.read(yQuant));
            progress(name, "int8: %.1f s, %.0f MiB peak, %d nodes in float, SQNR %.1f dB", secs, peak, kept, sqnr);

            Path out = work.resolve("qdq");
            check("compile --target onnx", nncc.run("compile", ir.toString(), "--target", "onnx", "--calib", calib.toString(),
                    "-o", out.toString()));
            Path yRef = work.resolve("qdq.nncc.npy");
            check("QDQ reference run", nncc.run("run", out.resolve("model.nnir").toString(), "--input", x.toString(),
                    "--output", yRef.toString()));
            Graph lowered = IrParser.parse(out.resolve("model.nnir"));
            Value o = lowered.outputs().get(0);
            Tensor ortQdq = OrtRunner.runFloat(out.resolve("model.onnx"), List.of(Npy.read(x))).get(0);
            qdq = OrtRunner.lsbAgreement(ortQdq, Npy.read(yRef), o.type().quant(), o.type().dtype());
            progress(name, "QDQ in ONNX Runtime vs nncc: %s", qdq);
            return new Row(name, params, macs, rel, secs, peak, kept, reasons, sqnr, qdq, null);
        } catch (StageFailure e) {
            progress(name, "%s", e.getMessage());
            return new Row(name, params, macs, rel, secs, peak, kept, reasons, sqnr, qdq, e.getMessage());
        } catch (Exception | AssertionError e) {
            progress(name, "failed: %s", e);
            return new Row(name, params, macs, rel, secs, peak, kept, reasons, sqnr, qdq, "driver: " + e.getMessage());
        }
    }

    /** max |a - b| over max |b|: the float difference relative to the reference's largest logit. */
    static double relativeToLargest(Tensor ours, Tensor reference) {
        if (!ours.shape().equals(reference.shape()))
            throw new StageFailure("float run: shape " + ours.shape() + ", ONNX Runtime " + reference.shape());
        float[] a = ours.toFloats(), b = reference.toFloats();
        double diff = 0, largest = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
            largest = Math.max(largest, Math.abs(b[i]));
        }
        return diff / Math.max(largest, Double.MIN_NORMAL);
    }

    /** 10 log10(signal power / error power) of {@code quantized} against {@code reference}. */
    static double sqnrDb(Tensor reference, Tensor quantized) {
        float[] f = reference.toFloats(), q = quantized.toFloats();
        double s = 0, e = 0;
        for (int i = 0; i < f.length; i++) {
            s += (double) f[i] * f[i];
            e += ((double) f[i] - q[i]) * ((double) f[i] - q[i]);
        }
        return 10 * Math.log10(s / Math.max(e, Double.MIN_NORMAL));
    }

    private static void check(String stage, NnccProcess.Result r) {
        if (!r.ok()) throw new StageFailure(stage + ": " + r.errorLine());
    }

    private static void progress(String name, String fmt, Object... args) {
        System.err.printf("%-20s %s%n", name, String.format(java.util.Locale.ROOT, fmt, args));
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }

    /** A stage that stopped with nncc's own error message. */
    static final class StageFailure extends RuntimeException {
        StageFailure(String message) { super(message); }
    }
}
