package nncc.tests;

import static nncc.tests.CliTest.nncc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.Verifier;
import nncc.ir.io.Npy;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.text.IrParser;
import nncc.onnx.OnnxImporter;
import nncc.passes.PassResult;
import nncc.passes.quant.LowerQdqPass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Models quantized before they reach nncc are lowered by {@code lower-qdq} with their own integers and parameters:
 * nncc's own QDQ export read back gives the graph it was exported from (up to names) and the same integer outputs,
 * bit for bit; and a model quantized by PyTorch (scripts/make_torch_quantized.py) runs on nncc's integer reference
 * within one output LSB of ONNX Runtime on at least 99.9 % of the output elements of 500 test images.
 */
class PreQuantizedModelsTest {
    static final Path SAMPLE = TestPaths.example().resolve("sample.npy");
    static final Path CALIB = TestPaths.example().resolve("calib.npy");

    @TempDir Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"fashion_mnist/fashion_cnn.onnx, uint8", "mobilenet_v2/mobilenet_v2.onnx, uint8",
                "fashion_mnist/fashion_cnn.onnx, int8"})
    void nnccsOwnQdqExportLowersToTheGraphItCameFrom(String model, String activations) throws Exception {
        Path out = tmp.resolve("out");
        CliTest.Result r = nncc("compile", TestPaths.root().resolve("examples").resolve(model).toString(), "--target", "onnx",
                "--calib", CALIB.toString(), "--onnx-activations", activations, "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        Graph original = IrParser.parse(out.resolve("model.nnir"));
        Graph reimported = OnnxImporter.load(Files.readAllBytes(out.resolve("model.onnx")), "model.onnx");
        PassResult stats = LowerQdqPass.lowerIfPreQuantized(reimported);
        System.out.printf("lower-qdq on the QDQ export of %s: %s%n", model, stats.statistics());
        assertEquals(0L, stats.statistics().get("nodes kept"), stats.statistics().toString());
        // the onnx target quantizes in ONNX Runtime's arithmetic (uint8 storage); lower-qdq is target-neutral, so the
        // re-imported graph takes the same legalization
        if (original.nodes().stream().anyMatch(n -> nncc.ir.OnnxArithmetic.uses(n.op())))
            new nncc.passes.quant.OnnxRoundingPass(nncc.passes.quant.OnnxRoundingPass.Options.uint8Storage()).run(reimported);
        assertEquals(CanonicalIr.print(original), CanonicalIr.print(reimported));

        Tensor x = Npy.read(SAMPLE).sliceBatch(0, 100);
        Tensor want = new Interpreter(original).run(List.of(QuantizeCliTest.Quantized.input(original, x))).get(0);
        Tensor got = new Interpreter(reimported).run(List.of(QuantizeCliTest.Quantized.input(reimported, x))).get(0);
        assertEquals(DType.I8, got.dtype());
        assertEquals(want, got, "integer outputs of the re-imported export differ from the original's");
    }

    /** The models of scripts/make_torch_quantized.py and the integer ops each must lower to. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"fashion_cnn_torch_ptq.onnx, QConv=3 QGemm=2 QLut=0",
                "fashion_cnn_torch_ptq_per_channel.onnx, QConv=3 QGemm=2 QLut=0",
                "mobilenet_v2_torch_ptq.onnx, QAdd=6 QConv=29 QGemm=1 QLut=0 QMean=1"})
    void pytorchQuantizedModelAgreesWithOnnxRuntime(String file, String lowered) throws Exception {
        Path model = TestPaths.models().resolve(file);
        byte[] bytes = Files.readAllBytes(model);
        Graph g = OnnxImporter.load(bytes, model.toString());
        PassResult stats = LowerQdqPass.lowerIfPreQuantized(g);
        System.out.printf("lower-qdq on %s: %s%n", file, stats.statistics());
        assertEquals(0L, stats.statistics().get("nodes kept"), stats.statistics().toString());
        assertEquals(0L, stats.statistics().getOrDefault("bias codes rescaled to s_x * s_w", 0L), "biases kept as exported");
        Map<String, Long> kinds = opCounts(g);
        for (String kv : lowered.split(" "))
            assertEquals(Long.parseLong(kv.split("=")[1]), kinds.getOrDefault(kv.split("=")[0], 0L), kinds.toString());
        assertTrue(g.nodes().stream().allMatch(n -> !n.op().opName().endsWith("Linear")), kinds.toString());
        long perChannelWeights = g.nodes().stream().filter(n -> n.op() instanceof QConv || n.op() instanceof QGemm)
                .filter(n -> n.input(1).type().quant().isPerAxis()).count();
        assertEquals(file.contains("per_channel"), perChannelWeights > 0, "per-channel weight layers: " + perChannelWeights);

        Tensor x = Npy.read(SAMPLE);
        assertEquals(500, x.shape().dim(0));
        Value in = g.inputs().get(0), out = g.outputs().get(0);
        Tensor xq = QuantizeCliTest.Quantized.input(g, x);
        // ONNX Runtime gets the floats the integers stand for, so both engines start from the same integers
        Tensor xf = OrtRunner.dequantize(xq, in.type().quant());
        Tensor ort = OrtRunner.runFloat(bytes, List.of(xf)).get(0);
        Tensor ours = new Interpreter(g).run(List.of(xq)).get(0);
        QuantParams yq = out.type().quant();
        OrtRunner.Agreement a = OrtRunner.lsbAgreement(ort, ours, yq, DType.I8);
        System.out.printf("PyTorch-quantized %s, 500 images, ORT vs nncc integer reference: %s%n", file, a);
        assertTrue(a.fractionWithinOneLsb() >= 0.999, a.toString());
        assertTrue(a.maxDiff() <= 1, a.toString());
    }

    /** {@code nncc run} lowers a pre-quantized ONNX model by itself (no --calib) and gives ONNX Runtime's logits. */
    @Test
    void runAndCompileLowerPreQuantizedModelsWithoutCalibration() throws Exception {
        Path model = TestPaths.models().resolve("fashion_cnn_torch_ptq.onnx");
        Path y = tmp.resolve("y.npy"), dir = tmp.resolve("c");
        Tensor x = Npy.read(SAMPLE).sliceBatch(0, 8);
        Path xs = tmp.resolve("x.npy");
        Npy.write(xs, x);
        CliTest.Result r = nncc("run", model.toString(), "--input", xs.toString(), "--output", y.toString());
        assertEquals(0, r.code(), r.err());
        Tensor got = Npy.read(y);
        assertEquals(DType.F32, got.dtype());
        r = nncc("compile", model.toString(), "--target", "cpu", "-o", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("pre-quantized model lowered with its own parameters: 8 nodes lowered, 0 kept"), r.out());
        Graph compiled = IrParser.parse(dir.resolve("model.nnir"));
        Verifier.verify(compiled);
        assertTrue(compiled.nodes().stream().anyMatch(n -> n.op() instanceof QConv));
        assertTrue(compiled.nodes().stream().anyMatch(n -> n.op() instanceof QGemm));
        Tensor ort = OrtRunner.runFloat(Files.readAllBytes(model), List.of(x)).get(0);
        OrtRunner.Agreement a = OrtRunner.lsbAgreement(ort, got, compiled.outputs().get(0).type().quant(), DType.I8);
        assertTrue(a.maxDiff() <= 1, a.toString());

        r = nncc("compile", model.toString(), "--target", "cpu", "--calib", CALIB.toString(), "-o", tmp.resolve("d").toString());
        CliTest.assertBadInput(r, "already quantized");
        r = nncc("quantize", model.toString(), "--calib", CALIB.toString(), "-o", tmp.resolve("q.nnir").toString());
        CliTest.assertBadInput(r, "already quantized");

        // and on to nncc's own QDQ export: ONNX Runtime runs it with the same results as the PyTorch file
        Path onnxDir = tmp.resolve("e");
        r = nncc("compile", model.toString(), "--target", "onnx", "-o", onnxDir.toString());
        assertEquals(0, r.code(), r.err());
        Tensor again = OrtRunner.runFloat(Files.readAllBytes(onnxDir.resolve("model.onnx")), List.of(x)).get(0);
        OrtRunner.Agreement b = OrtRunner.lsbAgreement(ort, again, compiled.outputs().get(0).type().quant(), DType.I8);
        assertTrue(b.maxDiff() <= 1, b.toString());
    }

    private static Map<String, Long> opCounts(Graph g) {
        Map<String, Long> m = new java.util.TreeMap<>();
        for (Node n : g.nodes()) m.merge(n.op().opName(), 1L, Long::sum);
        return m;
    }
}
