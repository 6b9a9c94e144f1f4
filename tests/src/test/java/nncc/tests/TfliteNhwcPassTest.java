package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import nncc.cpu.Interpreter;
import nncc.ir.FixedPoint;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.Verifier;
import nncc.ir.io.Npy;
import nncc.ir.op.Layout;
import nncc.ir.op.MaxPool;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QConv;
import nncc.ir.op.Transpose;
import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;
import nncc.onnx.OnnxImporter;
import nncc.passes.calib.CalibrationData;
import nncc.passes.PassManager;
import nncc.passes.PassRegistry;
import nncc.passes.Quantizer;
import nncc.passes.quant.QuantizationPipeline.Scheme;
import nncc.passes.Stage;
import org.junit.jupiter.api.Test;

/**
 * The tflite-nhwc pass on the bundled models, lowered to int8: the NHWC graph computes, on the same images permuted to
 * NHWC, exactly the integers of the NCHW graph (tolerance 0), every conv and pool is {@code layout = nhwc}, no
 * Transpose is left (the classifier's weight columns were permuted instead), and the text IR prints and parses back.
 */
class TfliteNhwcPassTest {
    @Test
    void fashionCnnComputesTheSameIntegersInNhwc() {
        check(TestPaths.example().resolve("fashion_cnn.onnx"), "fashion_cnn");
    }

    @Test
    void mobileNetV2StyleModelComputesTheSameIntegersInNhwc() {
        check(TestPaths.root().resolve("examples/mobilenet_v2/mobilenet_v2.onnx"), "mobilenet_v2-style");
    }

    @Test
    void backendsThatComputeNchwRefuseNhwcOpsNamingTheNode() {
        Graph g = nhwc(quantized(TestPaths.example().resolve("fashion_cnn.onnx")));
        String conv = g.nodes().stream().filter(n -> n.op() instanceof QConv).findFirst().orElseThrow().name();
        List<org.junit.jupiter.api.function.Executable> backends = List.of(
                () -> nncc.hls.HlsGenerator.generate(g, nncc.hls.HlsGenerator.Options.defaults()),
                () -> nncc.javagen.JavaTargetGenerator.generate(g, nncc.javagen.JavaTargetGenerator.Options.defaults()),
                () -> nncc.onnx.export.QdqExporter.export(g, nncc.onnx.export.QdqExporter.Activations.AS_IS, nncc.onnx.export.QdqExporter.Names.IR));
        for (var b : backends) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(nncc.ir.ModelException.class, b);
            assertTrue(e.getMessage().contains(conv) && e.getMessage().contains("layout nhwc"), e.getMessage());
        }
    }

    private static Graph quantized(Path model) {
        Graph f = OnnxImporter.load(model);
        CalibrationData data = CalibrationData.fromNpy(f, TestPaths.example().resolve("calib.npy"));
        return Quantizer.quantize(f, data, Quantizer.Config.of(Scheme.INT8)).quantized();
    }

    private static Graph nhwc(Graph nchw) {
        Graph g = nchw.copy();
        new PassManager(PassRegistry.parse("tflite-nhwc"), PassManager.Options.defaults(), new PrintWriter(Writer.nullWriter()))
                .run(g, Stage.LOWERED);
        return g;
    }

    private static void check(Path model, String label) {
        Graph nchw = quantized(model);
        Graph nhwc = nhwc(nchw);
        Verifier.verify(nhwc);
        assertNull(Verifier.firstNotLowered(nhwc), label + " stays fully lowered");
        int spatial = 0;
        for (Node n : nhwc.nodes()) {
            assertFalse(n.op() instanceof Transpose, label + ": no Transpose is left, found " + n.name());
            Layout l = switch (n.op()) {
                case QConv c -> c.layout();
                case MaxPool p -> p.layout();
                case QAveragePool p -> p.layout();
                default -> null;
            };
            if (l == null) continue;
            assertEquals(Layout.NHWC, l, n.name());
            spatial++;
        }
        assertTrue(spatial > 0);
        String text = IrPrinter.print(nhwc);
        assertTrue(text.contains("layout = nhwc"));
        assertEquals(text, IrPrinter.print(IrParser.parse(text, label + " nhwc.nnir")), "the NHWC text IR parses back");

        Tensor images = Npy.read(TestPaths.example().resolve("sample.npy")).sliceBatch(0, 100);
        Tensor x = codes(nchw.inputs().get(0), images);
        Value in = nhwc.inputs().get(0);
        assertEquals(Layout.permute(nchw.inputs().get(0).type().shape(), Layout.TO_NHWC), in.type().shape(), "the input is NHWC");
        List<Tensor> before = Interpreter.prepare(nchw).run(List.of(x));
        List<Tensor> after = Interpreter.prepare(nhwc).run(List.of(Layout.permute(x, Layout.TO_NHWC)));
        assertEquals(before.size(), after.size());
        for (int i = 0; i < before.size(); i++) assertEquals(before.get(i), after.get(i), label + " output " + i + " bit for bit");
        System.out.printf("%s int8, NCHW vs after tflite-nhwc: %d outputs of %d images identical; %d convs/pools NHWC, no Transpose%n",
                label, before.get(0).numElements(), 100, spatial);
    }

    /** The images as the graph's input takes them: floats, or integer codes quantized with the input's parameters. */
    private static Tensor codes(Value input, Tensor images) {
        if (input.type().dtype().isFloat()) return images;
        QuantParams q = input.type().quant();
        float[] px = images.toFloats();
        long[] c = new long[px.length];
        for (int i = 0; i < px.length; i++) c[i] = FixedPoint.quantizeScaled(px[i] / q.scale(0), q.zeroPoint(0), input.type().dtype());
        return Tensor.ofLongs(input.type().dtype(), images.shape(), c);
    }
}
