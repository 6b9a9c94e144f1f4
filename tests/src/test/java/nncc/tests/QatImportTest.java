package nncc.tests;

import static nncc.tests.CliTest.nncc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models trained with PyTorch QAT and exported before {@code convert} (scripts/make_torch_qat.py: fake-quantized
 * float weights, PyTorch's ConvBn form with Div, bias Add and BatchNormalization after each conv) lower exactly like
 * pre-quantized models: fold-weight-quantize and fold-qat-batchnorm leave no float node, and nncc's integer output
 * agrees with ONNX Runtime running the same QAT file (in float, with its QuantizeLinear/DequantizeLinear fake-quant)
 * within one LSB on at least 99.9 % of the output elements of 500 test images. The quantity compared is the output
 * codes: ONNX Runtime's logits are a DequantizeLinear of the last fake-quant, mapped back to the int8 grid of nncc's
 * output parameters (the same scale, zero point - 128), against nncc's int8 output codes.
 */
class QatImportTest {
    static final Path SAMPLE = TestPaths.example().resolve("sample.npy");

    @TempDir Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"small_cnn_torch_qat.onnx", "small_cnn_torch_qat_per_channel.onnx"})
    void pytorchQatModelAgreesWithOnnxRuntime(String file) throws Exception {
        Path model = TestPaths.models().resolve(file);
        byte[] bytes = Files.readAllBytes(model);
        Graph g = OnnxImporter.load(bytes, model.toString());
        assertEquals(4L, count(g, "BatchNormalization"), "the export has PyTorch's ConvBn form");
        assertEquals(4L, count(g, "Div"));
        PassResult stats = LowerQdqPass.lowerIfPreQuantized(g);
        System.out.printf("fold-weight-quantize, fold-qat-batchnorm, lower-qdq on %s: %s%n", file, stats.statistics());
        assertEquals(5L, stats.statistics().get("weights quantized"), stats.statistics().toString());
        assertEquals(4L, stats.statistics().get("conv-batchnorm folded"), stats.statistics().toString());
        assertEquals(0L, stats.statistics().get("not folded"), stats.statistics().toString());
        assertEquals(0L, stats.statistics().get("nodes kept"), stats.statistics().toString());
        Map<String, Long> kinds = opCounts(g);
        assertEquals(4L, kinds.getOrDefault("QConv", 0L), kinds.toString());
        assertEquals(1L, kinds.getOrDefault("QGemm", 0L), kinds.toString());
        assertTrue(g.nodes().stream().allMatch(n -> n.op() instanceof nncc.ir.op.LoweredOp
                || n.op() instanceof nncc.ir.op.DataMovementOp), kinds.toString());
        Node fc = g.nodes().stream().filter(n -> n.op() instanceof QGemm).findFirst().orElseThrow();
        assertEquals(file.contains("per_channel"), fc.input(1).type().quant().isPerAxis(), "Linear weights per channel");
        for (Node n : g.nodes())
            if (n.op() instanceof QConv) assertTrue(n.input(1).type().quant().isPerAxis(), "folded rescale per channel: " + n.name());

        Tensor x = Npy.read(SAMPLE);
        assertEquals(500, x.shape().dim(0));
        Tensor xq = QuantizeCliTest.Quantized.input(g, x);
        // ONNX Runtime gets the floats the integers stand for, so both engines start from the same integers
        Tensor xf = OrtRunner.dequantize(xq, g.inputs().get(0).type().quant());
        Tensor ort = OrtRunner.runFloat(bytes, List.of(xf)).get(0);
        Tensor ours = new Interpreter(g).run(List.of(xq)).get(0);
        OrtRunner.Agreement a = OrtRunner.lsbAgreement(ort, ours, g.outputs().get(0).type().quant(), DType.I8);
        System.out.printf("PyTorch QAT %s, 500 images, ORT (float, fake-quant) vs nncc integer reference: %s; ORT ran %s%n",
                file, a, OrtRunner.optimizedOpCounts(bytes, tmp.resolve("ort.onnx")));
        assertTrue(a.fractionWithinOneLsb() >= 0.999, a.toString());
    }

    /** {@code nncc compile --target cpu} takes the QAT export as it is, with no calibration, and says so. */
    @Test
    void compileLowersTheQatExportWithoutCalibration() throws Exception {
        Path model = TestPaths.models().resolve("small_cnn_torch_qat.onnx");
        Path dir = tmp.resolve("c");
        CliTest.Result r = nncc("compile", model.toString(), "--target", "cpu", "-o", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("pre-quantized model lowered with its own parameters: 7 nodes lowered, 0 kept"), r.out());
        Graph compiled = IrParser.parse(dir.resolve("model.nnir"));
        Verifier.verify(compiled);
        assertEquals(4L, count(compiled, "QConv"));
        assertEquals(0L, count(compiled, "BatchNormalization"));
    }

    private static long count(Graph g, String op) {
        return g.nodes().stream().filter(n -> n.op().opName().equals(op)).count();
    }

    private static Map<String, Long> opCounts(Graph g) {
        Map<String, Long> m = new TreeMap<>();
        for (Node n : g.nodes()) m.merge(n.op().opName(), 1L, Long::sum);
        return m;
    }
}
