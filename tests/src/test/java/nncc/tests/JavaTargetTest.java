package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import nncc.cli.Main;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import nncc.javagen.JavaTargetGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compile --target java}: the emitted source compiled with javax.tools (plain javac, no nncc on its class
 * path) and run, against nncc's integer interpreter on every output element, tolerance 0: the bundled CNN in int8
 * (double and single rounding) and int16x8 (int64 accumulators, Q15 requantization), the MobileNetV2-style model, and
 * a hand-built graph with the layers those models lack. Also: the emitted {@code main} reads and writes .npy (raw
 * integers, or float input quantized and output dequantized) and two runs write identical bytes; generation is deterministic; an op the target cannot emit is a one-line error naming it.
 */
class JavaTargetTest {
    @TempDir Path dir;

    private static final int IMAGES = 100;

    @Test void fashionCnnInt8IsBitExact() throws Exception {
        bundled(TestPaths.example().resolve("fashion_cnn.onnx"), "--scheme", "int8");
    }

    @Test void fashionCnnInt8SingleRoundingIsBitExact() throws Exception {
        bundled(TestPaths.example().resolve("fashion_cnn.onnx"), "--scheme", "int8", "--rounding", "single");
    }

    @Test void fashionCnnInt16x8IsBitExact() throws Exception {
        bundled(TestPaths.example().resolve("fashion_cnn.onnx"), "--scheme", "int16x8");
    }

    @Test void mobilenetV2IsBitExact() throws Exception {
        bundled(TestPaths.root().resolve("examples/mobilenet_v2/mobilenet_v2.onnx"), "--scheme", "int8");
    }

    /** {@code nncc compile MODEL --target java --calib calib.npy OPTIONS}, then the program against the interpreter. */
    private void bundled(Path model, String... options) throws Exception {
        Path out = dir.resolve("out");
        List<String> args = new ArrayList<>(List.of("compile", model.toString(), "--target", "java", "--calib",
                TestPaths.example().resolve("calib.npy").toString()));
        args.addAll(List.of(options));
        args.addAll(List.of("-o", out.toString()));
        StringWriter o = new StringWriter(), e = new StringWriter();
        assertEquals(0, Main.execute(args.toArray(String[]::new), new PrintWriter(o, true), new PrintWriter(e, true)), "compile: " + e);
        Graph g = IrParser.parse(out.resolve("model.nnir"));
        JavaProgram program = JavaProgram.compile(out, "Model", dir.resolve("classes"));
        assertSame(HlsCSim.reference(g, sampleImages(g, IMAGES)), program.run(g, sampleImages(g, IMAGES)));
    }

    /** The first {@code count} sample images quantized with the graph input's parameters (TFLite QUANTIZE). */
    private static List<List<Tensor>> sampleImages(Graph g, int count) throws Exception {
        Value input = g.inputs().get(0);
        float[] x = Npy.read(TestPaths.example().resolve("sample.npy")).toFloats();
        int size = HlsCSim.sampleSize(input);
        float scale = input.type().quant().scale(0);
        long zp = input.type().quant().zeroPoint(0);
        DType t = input.type().dtype();
        List<List<Tensor>> samples = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            long[] q = new long[size];
            for (int i = 0; i < size; i++) q[i] = FixedPoint.quantizeScaled(x[s * size + i] / scale, zp, t);
            samples.add(List.of(Tensor.ofLongs(t, input.type().shape().bindSymbols(1), q)));
        }
        return samples;
    }

    @Test void layersTheModelsLackAreBitExact() throws Exception {
        LoweredGraphs b = LoweredGraphs.kernelCoverage(true);
        Graph g = b.g;
        nncc.ir.Verifier.verify(g);
        Path out = dir.resolve("kernels");
        write(JavaTargetGenerator.generate(g, JavaTargetGenerator.Options.defaults()), out);
        JavaProgram program = JavaProgram.compile(out, "Model", dir.resolve("kernel-classes"));
        List<List<Tensor>> samples = new ArrayList<>();
        for (int s = 0; s < 40; s++) samples.add(List.of(b.randomInt8(1, 6, 9, 9)));
        assertSame(HlsCSim.reference(g, samples), program.run(g, samples));
    }

    @Test void mainReadsAndWritesNpyDeterministically() throws Exception {
        Path out = dir.resolve("cli");
        StringWriter o = new StringWriter(), e = new StringWriter();
        assertEquals(0, Main.execute(new String[] {"compile", TestPaths.example().resolve("fashion_cnn.onnx").toString(), "--target", "java",
                "--calib", TestPaths.example().resolve("calib.npy").toString(), "-o", out.toString()}, new PrintWriter(o, true), new PrintWriter(e, true)), e.toString());
        Graph g = IrParser.parse(out.resolve("model.nnir"));
        List<List<Tensor>> samples = sampleImages(g, 20);
        Tensor batch = Tensor.concatBatch(samples.stream().map(List::getFirst).toList());
        Path in = dir.resolve("in.npy");
        Npy.write(in, batch);
        JavaProgram program = JavaProgram.compile(out, "Model", dir.resolve("cli-classes"));
        Path y1 = dir.resolve("y1.npy"), y2 = dir.resolve("y2.npy");
        assertEquals(0, program.main("--input", in.toString(), "--output", y1.toString()));
        assertEquals(0, program.main("--input", in.toString(), "--output", y2.toString()));
        assertArrayEquals(Files.readAllBytes(y1), Files.readAllBytes(y2), "two runs write identical bytes");
        long[] expected = HlsCSim.reference(g, samples).stream().flatMap(s -> s.stream().map(a -> a)).flatMapToLong(java.util.Arrays::stream).toArray();
        Tensor y = Npy.read(y1);
        assertEquals(DType.I8, y.dtype());
        assertEquals(Shape.of(20, 10), y.shape());
        assertArrayEquals(expected, y.toLongs());
        // float input is quantized with the input's parameters; --dequantize gives scale * (q - zp) as float32
        Path floats = dir.resolve("floats.npy"), deq = dir.resolve("deq.npy");
        Tensor images = Npy.read(TestPaths.example().resolve("sample.npy"));
        Npy.write(floats, images.sliceBatch(0, 20));
        assertEquals(0, program.main("--input", floats.toString(), "--output", deq.toString(), "--dequantize"));
        nncc.ir.QuantParams q = g.outputs().get(0).type().quant();
        float[] want = new float[expected.length];
        for (int i = 0; i < want.length; i++) want[i] = (float) ((double) q.scale(0) * (expected[i] - q.zeroPoint(0)));
        assertArrayEquals(want, Npy.read(deq).toFloats());
        // generation is deterministic: the same graph gives the same source and parameter bytes
        var first = JavaTargetGenerator.generate(g, JavaTargetGenerator.Options.defaults());
        var second = JavaTargetGenerator.generate(IrParser.parse(out.resolve("model.nnir")), JavaTargetGenerator.Options.defaults());
        assertEquals(first.source(), second.source());
        assertArrayEquals(first.parameters(), second.parameters());
        assertEquals(first.source(), Files.readString(out.resolve("Model.java")));
    }

    /** {@code nncc verify} on a Java project: agreement (exit 0), then exit 1 after one weight in the resource changes. */
    @Test void verifyRunsTheCompiledProgramAndCatchesACorruptedWeight() throws Exception {
        LoweredGraphs b = new LoweredGraphs("verify", 5);
        Value x = b.input("x", 0.05f, 7, 1, 4, 8, 8);
        Value c1 = b.conv("first", x, 6, 3, 1, 1, 0, -128, 127);
        Value c2 = b.conv("second", c1, 6, 3, 2, 1, -3, -128, 127);
        b.output(b.gemm("fc", b.node("flat", new nncc.ir.op.Flatten(1), c2), 5, 0, -128, 127));
        Path out = dir.resolve("verify");
        write(JavaTargetGenerator.generate(b.g, JavaTargetGenerator.Options.defaults()), out);
        Files.writeString(out.resolve("model.nnir"), nncc.ir.text.IrPrinter.print(b.g));
        Path input = dir.resolve("x.npy");
        Npy.write(input, b.randomInt8(12, 4, 8, 8));
        String[] verify = {"verify", out.toString(), "--input", input.toString()};
        StringWriter o = new StringWriter(), e = new StringWriter();
        assertEquals(0, Main.execute(verify, new PrintWriter(o, true), new PrintWriter(e, true)), o + " " + e);
        assertTrue(o.toString().contains("60 / 60 elements agree over 12 samples") && o.toString().contains("the Java program equals"), o.toString());

        // the resource: magic, array count, then the first array (the first conv's weights): kind byte, length, elements
        byte[] bin = Files.readAllBytes(out.resolve("Model.bin"));
        bin[13] = (byte) (bin[13] ^ 0x40);
        Files.write(out.resolve("Model.bin"), bin);
        StringWriter o2 = new StringWriter(), e2 = new StringWriter();
        assertEquals(1, Main.execute(verify, new PrintWriter(o2, true), new PrintWriter(e2, true)), o2 + " " + e2);
        assertTrue(o2.toString().contains("MISMATCH") && o2.toString().contains("the Java program"), o2.toString());

        StringWriter o3 = new StringWriter(), e3 = new StringWriter();
        assertEquals(2, Main.execute(new String[] {"verify", dir.toString(), "--input", input.toString()}, new PrintWriter(o3, true), new PrintWriter(e3, true)));
        assertEquals(1, e3.toString().strip().lines().count(), e3.toString());
    }

    /** QSoftmax's cases (see {@link LoweredGraphs#softmaxCoverage}) against the interpreter, tolerance 0. */
    @Test void softmaxIsBitExact() throws Exception {
        LoweredGraphs b = LoweredGraphs.softmaxCoverage();
        nncc.ir.Verifier.verify(b.g);
        Path out = dir.resolve("softmax");
        write(JavaTargetGenerator.generate(b.g, JavaTargetGenerator.Options.defaults()), out);
        JavaProgram program = JavaProgram.compile(out, "Model", dir.resolve("softmax-classes"));
        List<List<Tensor>> samples = new ArrayList<>();
        samples.add(b.softmaxSample(true));
        for (int s = 0; s < 30; s++) samples.add(b.softmaxSample(false));
        List<List<long[]>> expected = HlsCSim.reference(b.g, samples);
        HlsCSimTest.assertSoftmaxCasesOccur(b.g, expected);
        assertSame(expected, program.run(b.g, samples));
    }

    @Test void unsupportedOpIsRefusedByName() {
        LoweredGraphs b = new LoweredGraphs("gather", 5);
        Value x = b.input("x", 0.1f, 0, 1, 10);
        Value indices = b.g.addConstant("indices", Tensor.ofLongs(DType.I64, Shape.of(2), 0, 3));
        b.output(b.node("picked", new nncc.ir.op.Gather(1), x, indices));
        ModelException e = assertThrows(ModelException.class, () -> JavaTargetGenerator.generate(b.g, JavaTargetGenerator.Options.defaults()));
        assertTrue(e.getMessage().contains("picked") && e.getMessage().contains("Gather"), e.getMessage());
    }

    @Test void floatModelIsRefusedInOneLine() {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.execute(new String[] {"compile", TestPaths.example().resolve("fashion_cnn.onnx").toString(), "--target", "java",
                "-o", dir.resolve("float").toString()}, new PrintWriter(o, true), new PrintWriter(e, true));
        assertEquals(2, code);
        assertEquals(1, e.toString().strip().lines().count(), e.toString());
        assertTrue(!Files.exists(dir.resolve("float")), "no output left behind");
    }

    private static void write(JavaTargetGenerator.Result r, Path out) throws Exception {
        Files.createDirectories(out);
        for (var f : r.files().entrySet()) Files.write(out.resolve(f.getKey()), f.getValue());
    }

    private static void assertSame(List<List<long[]>> expected, List<List<long[]>> actual) {
        assertEquals(expected.size(), actual.size(), "samples");
        long elements = 0;
        for (int s = 0; s < expected.size(); s++)
            for (int k = 0; k < expected.get(s).size(); k++) {
                assertArrayEquals(expected.get(s).get(k), actual.get(s).get(k), "sample " + s + " output " + k);
                elements += expected.get(s).get(k).length;
            }
        System.out.println("emitted Java equals the reference: " + expected.size() + " samples, " + elements + " elements");
    }
}
