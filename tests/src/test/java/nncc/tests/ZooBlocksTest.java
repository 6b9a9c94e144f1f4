package nncc.tests;

import static nncc.tests.CliTest.nncc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blocks of the torchvision zoo that needed new ops (cnn_zoo_blocks: ShuffleNetV2's chunk and channel shuffle,
 * DenseNet's BatchNorm after a Concat, ConvNeXt's LayerNorm, GELU and channel-last Linear layers) through
 * {@code nncc quantize} and {@code compile --target onnx}: only LayerNormalization and Gelu stay in float, and ONNX
 * Runtime's run of the QDQ export agrees with nncc's integer reference. (Float agreement with ONNX Runtime and torch
 * is {@link OrtCrossCheckTest}'s, which runs every test model.)
 */
class ZooBlocksTest {
    @TempDir Path tmp;

    static final Path MODEL = TestPaths.models().resolve("cnn_zoo_blocks.onnx");
    static final Path INPUT = TestPaths.models().resolve("cnn_zoo_blocks.input.npy");

    @Test
    void onlyLayerNormAndGeluStayInFloat() throws Exception {
        Path q = tmp.resolve("q.nnir");
        CliTest.Result r = nncc("quantize", MODEL.toString(), "--calib", INPUT.toString(), "-o", q.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Integer> kept = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^- kept in float: (\\w+): (\\d+)$").matcher(r.out());
        while (m.find()) kept.put(m.group(1), Integer.parseInt(m.group(2)));
        assertEquals(Map.of("Gelu", 1, "LayerNormalization", 1), kept, r.out());
        assertTrue(r.out().contains("no integer rule for LayerNormalization"), r.out());
        String ir = Files.readString(q);
        for (String gone : List.of("= BatchNormalization", "= MatMul", "= Erf", "= Pow", "= Sqrt"))
            assertFalse(ir.contains(gone), gone + " left in the int8 graph");
        assertTrue(ir.contains("= Slice"), "the chunk is a Slice of the run-time tensor");
    }

    @Test
    void qdqExportAgreesWithOnnxRuntime() {
        Path dir = tmp.resolve("onnx");
        CliTest.Result r = nncc("compile", MODEL.toString(), "--target", "onnx", "--calib", INPUT.toString(), "-o", dir.toString());
        assertEquals(0, r.code(), r.err());
        Graph g = IrParser.parse(dir.resolve("model.nnir"));
        Tensor x = Npy.read(INPUT);
        Tensor ours = new Interpreter(g).run(List.of(QuantizeCliTest.Quantized.input(g, x))).get(0);
        Tensor ort = OrtRunner.runFloat(dir.resolve("model.onnx"), List.of(x)).get(0);
        Value out = g.outputs().get(0);
        OrtRunner.Agreement a = OrtRunner.lsbAgreement(ort, ours, out.type().quant(), out.type().dtype());
        System.out.println("cnn_zoo_blocks QDQ in ONNX Runtime vs nncc integer reference: " + a);
        assertTrue(a.fractionWithinOneLsb() >= 0.999, a.toString());
    }
}
