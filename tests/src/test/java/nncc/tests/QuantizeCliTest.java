package nncc.tests;

import static nncc.tests.CliTest.assertBadInput;
import static nncc.tests.CliTest.nncc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code nncc quantize} and {@code nncc compile} end to end on the bundled models: accuracy on all 10,000
 * Fashion-MNIST test images against float (int8 and dynamic within 0.3 points, fp16 within 0.05, the issue's
 * bounds), the QDQ export against ONNX Runtime, io.json, raw integer runs and one-line errors.
 */
class QuantizeCliTest {
    @TempDir Path tmp;

    static final Path CALIB = TestPaths.example().resolve("calib.npy");

    static String[] testSet() {
        Path d = TestPaths.fashionMnist();
        return new String[] {"--data", d.resolve("t10k-images-idx3-ubyte.gz").toString(), "--labels", d.resolve("t10k-labels-idx1-ubyte.gz").toString()};
    }

    static double top1(Path model) {
        List<String> args = new ArrayList<>(List.of("eval", model.toString()));
        args.addAll(List.of(testSet()));
        CliTest.Result r = nncc(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return Double.parseDouble(r.out().replaceAll("(?s).*top1=([0-9.]+).*", "$1"));
    }

    static Path model(String name) {
        return name.equals("mobilenet_v2") ? TestPaths.root().resolve("examples/mobilenet_v2/mobilenet_v2.onnx")
                : TestPaths.example().resolve("fashion_cnn.onnx");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fashion_cnn", "mobilenet_v2"})
    void schemesKeepAccuracyOnTheFullTestSet(String name) {
        double f = top1(model(name));
        for (String scheme : new String[] {"int8", "fp16", "dynamic", "int16x8"}) {
            Path out = tmp.resolve(name + "_" + scheme + ".nnir");
            List<String> args = new ArrayList<>(List.of("quantize", model(name).toString(), "--scheme", scheme, "-o", out.toString()));
            if (scheme.startsWith("int")) args.addAll(List.of("--calib", CALIB.toString()));
            CliTest.Result r = nncc(args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            double q = top1(out);
            System.out.printf("%s: float %.4f, %s %.4f%n", name, f, scheme, q);
            double bound = scheme.equals("fp16") ? 0.0005 : 0.003;
            assertTrue(q >= f - bound - 1e-9, name + " " + scheme + " top-1 " + q + " vs float " + f);
        }
    }

    /** eval --predictions writes each row's first top class; tied int8 scores are counted and reported. */
    @Test
    void evalWritesPredictionsAndCountsTiedInt8Scores() throws Exception {
        Path q = tmp.resolve("f8.nnir"), preds = tmp.resolve("pred.npy"), y = tmp.resolve("y.npy");
        Path sample = TestPaths.example().resolve("sample.npy"), labels = TestPaths.example().resolve("sample_labels.npy");
        assertEquals(0, nncc("quantize", model("fashion_cnn").toString(), "--calib", CALIB.toString(), "-o", q.toString()).code());
        CliTest.Result r = nncc("eval", q.toString(), "--data", sample.toString(), "--labels", labels.toString(), "--predictions", preds.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(0, nncc("run", q.toString(), "--input", sample.toString(), "--output", y.toString()).code());
        float[] scores = Npy.read(y).toFloats();
        long[] p = Npy.read(preds).toLongs(), lab = Npy.read(labels).toLongs();
        assertEquals(lab.length, p.length);
        int ties = 0, hits = 0;
        for (int i = 0; i < p.length; i++) {
            int best = 0, atBest = 0;
            for (int c = 1; c < 10; c++) if (scores[i * 10 + c] > scores[i * 10 + best]) best = c;
            for (int c = 0; c < 10; c++) if (scores[i * 10 + c] == scores[i * 10 + best]) atBest++;
            assertEquals(best, p[i], "row " + i);
            if (atBest > 1) ties++;
            if (p[i] == lab[i]) hits++;
        }
        assertEquals((double) hits / p.length, Double.parseDouble(r.out().replaceAll("(?s).*top1=([0-9.]+).*", "$1")), 1e-4);
        if (ties > 0) assertTrue(r.out().contains("tied top score in " + ties + " rows"), r.out());
        else assertFalse(r.out().contains("tied"), r.out());
    }

    @Test
    void compileCpuWritesIrAndIoJsonAndRunsRaw() throws Exception {
        Path dir = tmp.resolve("cpu");
        CliTest.Result r = nncc("compile", model("fashion_cnn").toString(), "--target", "cpu", "--calib", CALIB.toString(), "-o", dir.toString());
        assertEquals(0, r.code(), r.err());
        String io = Files.readString(dir.resolve("io.json"));
        assertTrue(io.contains("\"name\": \"input\"") && io.contains("\"dtype\": \"int8\"") && io.contains("\"layout\": \"NCHW\""), io);
        assertTrue(io.matches("(?s).*\"scale\": [0-9.eE-]+, \"zero_point\": -?[0-9]+.*"), io);
        Graph g = IrParser.parse(dir.resolve("model.nnir"));
        Value in = g.inputs().get(0);
        assertEquals(DType.I8, in.type().dtype());
        // --raw takes the model's integers; float input is quantized with the input's own parameters: same result
        Tensor x = Npy.read(TestPaths.example().resolve("sample.npy")).sliceBatch(0, 4);
        Path xf = tmp.resolve("x.npy"), yf = tmp.resolve("y.npy"), xq = tmp.resolve("xq.npy"), yq = tmp.resolve("yq.npy");
        Npy.write(xf, x);
        assertEquals(0, nncc("run", dir.resolve("model.nnir").toString(), "--input", xf.toString(), "--output", yf.toString()).code());
        float s = in.type().quant().scale(0);
        long zp = in.type().quant().zeroPoint(0);
        float[] v = x.toFloats();
        long[] codes = new long[v.length];
        for (int i = 0; i < v.length; i++) codes[i] = nncc.ir.FixedPoint.quantizeScaled(v[i] / s, zp, DType.I8);
        Npy.write(xq, Tensor.ofLongs(DType.I8, x.shape(), codes));
        CliTest.Result raw = nncc("run", dir.resolve("model.nnir").toString(), "--raw", "--input", xq.toString(), "--output", yq.toString());
        assertEquals(0, raw.code(), raw.err());
        Tensor rawOut = Npy.read(yq);
        assertEquals(DType.I8, rawOut.dtype());
        // --trace writes every intermediate tensor as computed (int8) and dequantized
        Path trace = Files.createDirectory(tmp.resolve("trace"));
        Path one = tmp.resolve("one.npy");
        Npy.write(one, x.sliceBatch(0, 1));
        assertEquals(0, nncc("run", dir.resolve("model.nnir").toString(), "--input", one.toString(), "--output", tmp.resolve("y1.npy").toString(),
                "--trace", trace.toString()).code());
        try (var files = Files.list(trace)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(g.nodes().size(), names.stream().filter(n -> !n.endsWith(".dequant.npy")).count(), names.toString());
            assertEquals(g.nodes().size(), names.stream().filter(n -> n.endsWith(".dequant.npy")).count(), names.toString());
            Path first = trace.resolve(names.stream().filter(n -> !n.endsWith(".dequant.npy")).findFirst().orElseThrow());
            assertEquals(DType.I8, Npy.read(first).dtype());
        }
        Value out = g.outputs().get(0);
        float[] deq = Npy.read(yf).toFloats();
        long[] ints = rawOut.toLongs();
        for (int i = 0; i < ints.length; i++)
            assertEquals(out.type().quant().scale(0) * (ints[i] - out.type().quant().zeroPoint(0)), deq[i], 0f, "element " + i);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fashion_cnn", "mobilenet_v2"})
    void qdqExportAgreesWithOnnxRuntime(String name) throws Exception {
        Path dir = tmp.resolve("onnx");
        CliTest.Result r = nncc("compile", model(name).toString(), "--target", "onnx", "--calib", CALIB.toString(), "-o", dir.toString());
        assertEquals(0, r.code(), r.err());
        Graph g = IrParser.parse(dir.resolve("model.nnir"));
        String io = Files.readString(dir.resolve("io.json"));
        assertTrue(io.contains("\"dtype\": \"float32\"") && io.contains("\"scale\": null") && !io.contains("int8"), io);
        Tensor x = Npy.read(TestPaths.example().resolve("sample.npy"));
        Tensor xq = Quantized.input(g, x);
        Tensor ours = new Interpreter(g).run(List.of(xq)).get(0);
        Tensor ort = OrtRunner.runFloat(dir.resolve("model.onnx"), List.of(x)).get(0);
        Value out = g.outputs().get(0);
        OrtRunner.Agreement a = OrtRunner.lsbAgreement(ort, ours, out.type().quant(), out.type().dtype());
        double ratio = (double) Files.size(model(name)) / Files.size(dir.resolve("model.onnx"));
        System.out.printf("%s QDQ vs nncc integer reference on 500 images: %s; file %.2fx smaller than float%n", name, a, ratio);
        assertTrue(a.fractionWithinOneLsb() >= 0.999, name + ": " + a);
        assertTrue(ratio >= 3.5, name + ": QDQ file only " + ratio + "x smaller than the float model");
        String names = Files.readString(dir.resolve("model.names.tsv"));
        assertTrue(names.startsWith("kind\tshort\toriginal\n") && names.lines().count() > g.nodes().size(), "name table");
    }

    @Test
    void badQuantizationInputsAreOneLineErrors() throws Exception {
        Path out = tmp.resolve("q.nnir");
        String m = model("fashion_cnn").toString();
        assertBadInput(nncc("quantize", m, "-o", out.toString()), "--calib");
        Path wrong = tmp.resolve("wrong.npy");
        Npy.write(wrong, Tensor.ofFloats(Shape.of(2, 3, 28, 28), new float[2 * 3 * 28 * 28]));
        assertBadInput(nncc("quantize", m, "--calib", wrong.toString(), "-o", out.toString()), "wrong.npy");
        assertBadInput(nncc("quantize", m, "--calib", tmp.resolve("none.npy").toString(), "-o", out.toString()), "none.npy");
        assertBadInput(nncc("quantize", m, "--calib", CALIB.toString(), "--scheme", "int3", "-o", out.toString()), "int3");
        assertBadInput(nncc("quantize", m, "--calib", CALIB.toString(), "--exclude", "nope", "-o", out.toString()), "nope");
        assertBadInput(nncc("quantize", m, "--calib", CALIB.toString(), "--weight-bits", "9", "-o", out.toString()), "9");
        assertBadInput(nncc("quantize", m, "--calib", CALIB.toString(), "--observer", "magic", "-o", out.toString()), "magic");
        // a harmless extra is a note, not an error (as TFLite's converter ignores a representative dataset for fp16)
        Path fp16 = tmp.resolve("fp16.nnir");
        CliTest.Result noted = nncc("quantize", m, "--scheme", "fp16", "--calib", CALIB.toString(), "-o", fp16.toString());
        org.junit.jupiter.api.Assertions.assertEquals(0, noted.code(), noted.err());
        org.junit.jupiter.api.Assertions.assertTrue(
                noted.err().contains("note: the fp16 scheme takes no calibration data; --calib is ignored"), noted.err());
        assertBadInput(nncc("quantize", m, "--calib", CALIB.toString(), "--weight-rounding", "stochastic", "-o", out.toString()), "stochastic");
        assertBadInput(nncc("quantize", m, "--calib", CALIB.toString(), "--weight-rounding", "gptq", "--no-bias-correction",
                "-o", out.toString()), "gptq");
        Path emptyDir = Files.createDirectory(tmp.resolve("images"));
        assertBadInput(nncc("quantize", m, "--calib", emptyDir.toString(), "-o", out.toString()), "images");
        assertFalse(Files.exists(out));
        assertBadInput(nncc("compile", m, "--target", "hls", "-o", tmp.resolve("hls").toString()), "hls");
        assertBadInput(nncc("compile", m, "--target", "onnx", "--calib", CALIB.toString(), "--onnx-names", "short",
                "-o", tmp.resolve("o").toString()), "short");
        assertBadInput(nncc("compile", m, "--target", "onnx", "--calib", wrong.toString(), "-o", tmp.resolve("o").toString()), "wrong.npy");
        assertFalse(Files.exists(tmp.resolve("o")), "no output directory on failure");
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")), "temporary files left behind");
        }
    }

    /** Quantizes float samples with a model's input parameters (TFLite rounding), as {@code nncc run} does. */
    static final class Quantized {
        static Tensor input(Graph g, Tensor x) {
            Value in = g.inputs().get(0);
            if (!in.type().dtype().isInteger()) return x;
            float s = in.type().quant().scale(0);
            long zp = in.type().quant().zeroPoint(0);
            float[] v = x.toFloats();
            long[] q = new long[v.length];
            for (int i = 0; i < v.length; i++)
                q[i] = nncc.ir.FixedPoint.quantizeScaled(v[i] / s, zp, in.type().dtype());
            return Tensor.ofLongs(in.type().dtype(), x.shape(), q);
        }
    }
}
