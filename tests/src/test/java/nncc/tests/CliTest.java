package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nncc.cli.Main;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code nncc} command line end to end: commands, outputs, exit codes and one-line errors. */
class CliTest {
    @TempDir Path tmp;

    record Result(int code, String out, String err) {}

    static Result nncc(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static Path example(String f) { return TestPaths.example().resolve(f); }

    /** Bad input: exit 2, exactly one line on stderr, no stack trace. */
    static void assertBadInput(Result r, String... mustMention) {
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        String[] lines = r.err().strip().split("\n");
        assertTrue(lines.length <= 2 && lines[0].startsWith("nncc: "), "one-line error expected, got: " + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "stack trace or exception name leaked: " + r.err());
        for (String m : mustMention) assertTrue(r.err().contains(m), "error should mention '" + m + "': " + r.err());
    }

    @Test
    void helpAndVersion() {
        Result h = nncc("--help");
        assertEquals(0, h.code());
        for (String c : new String[] {"import", "inspect", "run", "eval"}) assertTrue(h.out().contains(c), h.out());
        Result v = nncc("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("nncc "), v.out());
    }

    @Test
    void importWritesTextIrThatReimportsIdentically() throws Exception {
        Path a = tmp.resolve("a.nnir"), b = tmp.resolve("b.nnir");
        assertEquals(0, nncc("import", example("fashion_cnn.onnx").toString(), "-o", a.toString()).code());
        assertEquals(0, nncc("import", a.toString(), "-o", b.toString()).code());
        assertEquals(Files.readString(a), Files.readString(b));
        long onnxSize = Files.size(example("fashion_cnn.onnx")), irSize = Files.size(a);
        assertTrue(irSize < onnxSize * 1.45, "text IR " + irSize + " bytes should stay close to the binary " + onnxSize);
    }

    @Test
    void inspectShowsInterfaceOpsAndCost() {
        Result r = nncc("inspect", example("fashion_cnn_bn.onnx").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("input") && r.out().contains("f32[?"), r.out());
        assertTrue(r.out().contains("BatchNormalization"), r.out());
        Matcher m = Pattern.compile("MACs:\\s+([0-9,]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        long macs = Long.parseLong(m.group(1).replace(",", ""));
        assertTrue(macs > 1_000_000 && macs < 10_000_000, "MACs per sample " + macs);
    }

    @Test
    void runWritesOutputForABatchAndTrace() throws Exception {
        Path y = tmp.resolve("y.npy");
        Result r = nncc("run", example("fashion_cnn.onnx").toString(), "--input", example("sample.npy").toString(), "--output", y.toString());
        assertEquals(0, r.code(), r.err());
        Tensor out = Npy.read(y);
        assertEquals(Shape.of(500, 10), out.shape());
        // the batch run equals running the first sample alone
        Path one = tmp.resolve("one.npy"), y1 = tmp.resolve("y1.npy");
        Npy.write(one, Npy.read(example("sample.npy")).sliceBatch(0, 1));
        Path trace = tmp.resolve("trace").resolve("run1"); // created by the run
        assertEquals(0, nncc("run", example("fashion_cnn.onnx").toString(), "--input", one.toString(), "--output", y1.toString(),
                "--trace", trace.toString()).code());
        assertBadInput(nncc("run", example("fashion_cnn.onnx").toString(), "--input", one.toString(), "--output", y1.toString(),
                "--trace", one.toString()), "--trace is not a directory");
        assertArrayEquals(Arrays.copyOf(out.toFloats(), 10), Npy.read(y1).toFloats(), 1e-5f);
        try (var files = Files.list(trace)) {
            assertTrue(files.count() >= 8, "trace should hold every intermediate tensor");
        }
    }

    @Test
    void evalOnBundledSampleAndFullTestSet() {
        Result r = nncc("eval", example("fashion_cnn.onnx").toString(), "--data", example("sample.npy").toString(),
                "--labels", example("sample_labels.npy").toString());
        assertEquals(0, r.code(), r.err());
        double top1 = Double.parseDouble(r.out().replaceAll("(?s).*top1=([0-9.]+).*", "$1"));
        assertTrue(top1 > 0.88, r.out());
        // all 10,000 Fashion-MNIST test images, read from Debian's IDX files
        Path d = TestPaths.fashionMnist();
        Result full = nncc("eval", example("fashion_cnn_bn.onnx").toString(), "--data", d.resolve("t10k-images-idx3-ubyte.gz").toString(),
                "--labels", d.resolve("t10k-labels-idx1-ubyte.gz").toString());
        assertEquals(0, full.code(), full.err());
        assertTrue(full.out().contains("(n=10000)"), full.out());
        double fullTop1 = Double.parseDouble(full.out().replaceAll("(?s).*top1=([0-9.]+).*", "$1"));
        assertTrue(fullTop1 > 0.90, "float top-1 on the full test set: " + full.out());
    }

    @Test
    void corruptAndTruncatedModelsAreOneLineErrors() throws Exception {
        byte[] model = Files.readAllBytes(example("fashion_cnn.onnx"));
        Path half = tmp.resolve("half.onnx");
        Files.write(half, Arrays.copyOf(model, model.length / 2));
        Path out = tmp.resolve("out.nnir");
        assertBadInput(nncc("import", half.toString(), "-o", out.toString()), "half.onnx");
        assertFalse(Files.exists(out), "no output on failure");
        Path junk = tmp.resolve("junk.onnx");
        byte[] noise = new byte[4096];
        new java.util.Random(7).nextBytes(noise);
        Files.write(junk, noise);
        assertBadInput(nncc("import", junk.toString(), "-o", out.toString()), "junk.onnx");
        assertFalse(Files.exists(out));
        assertBadInput(nncc("inspect", tmp.resolve("missing.onnx").toString()), "missing.onnx");
        Path badIr = tmp.resolve("bad.nnir");
        Files.writeString(badIr, "graph @g {\n  input %x : f32[1,4]\n  node @n = NoSuchOp (%x) -> (%y : f32[1,4])\n  output %y\n}\n");
        assertBadInput(nncc("inspect", badIr.toString()), "bad.nnir", "NoSuchOp");
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temp files left behind");
        }
    }

    @Test
    void wrongInputShapeOrDtypeIsOneLineError() throws Exception {
        Path y = tmp.resolve("y.npy");
        Path wrongShape = tmp.resolve("x.npy");
        Npy.write(wrongShape, Tensor.ofFloats(Shape.of(2, 3, 28, 28), new float[2 * 3 * 28 * 28]));
        assertBadInput(nncc("run", example("fashion_cnn.onnx").toString(), "--input", wrongShape.toString(), "--output", y.toString()),
                "input", "[2,3,28,28]");
        assertFalse(Files.exists(y));
        Path wrongType = tmp.resolve("x64.npy");
        Npy.write(wrongType, Tensor.ofLongs(DType.I32, Shape.of(1, 1, 28, 28), new long[28 * 28]));
        assertBadInput(nncc("run", example("fashion_cnn.onnx").toString(), "--input", wrongType.toString(), "--output", y.toString()),
                "i32");
        assertFalse(Files.exists(y));
        Path notNpy = tmp.resolve("bad.npy");
        Files.writeString(notNpy, "hello");
        assertBadInput(nncc("run", example("fashion_cnn.onnx").toString(), "--input", notNpy.toString(), "--output", y.toString()), "bad.npy");
        assertBadInput(nncc("eval", example("fashion_cnn.onnx").toString(), "--data", example("sample.npy").toString(),
                "--labels", example("sample.npy").toString()), "labels");
        assertBadInput(nncc("run", example("fashion_cnn.onnx").toString(), "--bogus"));
    }
}
