package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.Verifier;
import nncc.ir.io.Npy;
import nncc.ir.op.Dequantize;
import nncc.onnx.OnnxImporter;
import nncc.onnx.export.QdqExporter;
import nncc.passes.Quantizer;
import nncc.passes.TargetProfile;
import nncc.passes.calib.CalibrationData;
import nncc.passes.quant.QuantizationPipeline;
import nncc.passes.quant.QuantizationPipeline.Scheme;
import org.junit.jupiter.api.Test;

/**
 * A researcher's program: import, quantize with calibration data, run and export through the public library API
 * only (no {@code nncc.cli} class), with the onnx target's profile choosing the rounding.
 */
class LibraryApiTest {
    private static Path example(String f) { return TestPaths.example().resolve(f); }

    @Test void quantizeRunAndExportThroughTheLibrary() {
        Graph model = OnnxImporter.load(example("fashion_cnn.onnx"));
        CalibrationData data = CalibrationData.fromNpy(model, example("calib.npy"));
        TargetProfile onnx = TargetProfile.ONNX;
        QuantizationPipeline.Options options = new QuantizationPipeline.Options(8, false, java.util.Set.of(),
                onnx.rounding(), true);
        Quantizer.Result r = Quantizer.quantize(model, data, Quantizer.Config.of(Scheme.INT8).withOptions(options));
        Graph q = r.quantized();
        assertNull(Verifier.firstNotLowered(q), "int8 with float edges is fully lowered inside");
        assertTrue(r.notes().isEmpty(), r.notes().toString());
        assertTrue(r.steps().stream().anyMatch(s -> s.pass().equals("calibrate")));

        Tensor x = Npy.read(example("sample.npy")).sliceBatch(0, 64);
        Tensor yFloat = Interpreter.prepare(model).run(List.of(x)).get(0);
        Tensor yInt = Interpreter.prepare(q).run(List.of(x)).get(0);
        assertTrue(agreeingTop1(yFloat, yInt) >= 62, "int8 predicts as float on at least 62 of 64 images");

        byte[] exported = QdqExporter.export(q, QdqExporter.Activations.UINT8, QdqExporter.Names.COMPACT).model();
        Tensor yOrt = OrtRunner.runFloat(exported, List.of(x)).get(0);
        Node deq = q.producer(q.outputs().get(0));
        assertTrue(deq.op() instanceof Dequantize);
        QuantParams outQ = deq.input(0).type().quant();
        OrtRunner.Agreement a = OrtRunner.lsbAgreement(yOrt, yInt, outQ, DType.I8);
        assertEquals(a.count(), a.withinOneLsb(), "ONNX Runtime runs the exported model within 1 LSB of the reference: " + a);

        // per-layer measurements through the library: every lowered layer's output against the float reference
        Graph reference = Quantizer.prepare(model);
        java.util.Map<String, nncc.passes.analysis.LayerError> errors = Quantizer.layerErrors(reference, q,
                nncc.passes.analysis.LayerErrorMeter.Samples.of(data), 32, 2, Quantizer.Progress.none());
        int measured = 0;
        for (Node n : q.nodes())
            // (the last layer's integer result is %logits.q beside the float interface's %logits: no float twin)
            if ((n.op() instanceof nncc.ir.op.QConv || n.op() instanceof nncc.ir.op.QGemm) && reference.producer(n.output()) != null) {
                measured++;
                nncc.passes.analysis.LayerError e = errors.get(n.output().name());
                assertTrue(e != null && e.elements() > 0, "measured " + n.name());
                assertTrue(e.sqnrDb() > 15 && Double.isFinite(e.sqnrDb()), n.name() + " SQNR " + e.sqnrDb() + " dB");
            }
        assertTrue(measured >= 4, "convs and fully connected layers measured: " + measured);
    }

    @Test void calibrationDataForSchemesThatTakeNoneIsANoteAndMissingDataAnError() {
        Graph model = OnnxImporter.load(example("fashion_cnn.onnx"));
        CalibrationData data = CalibrationData.fromNpy(model, example("calib.npy"));
        Quantizer.Result fp16 = Quantizer.quantize(model, data, Quantizer.Config.of(Scheme.FP16));
        assertEquals(List.of("the fp16 scheme takes no calibration data; --calib is ignored"), fp16.notes());
        ModelException e = assertThrows(ModelException.class, () -> Quantizer.quantize(model, null, Quantizer.Config.of(Scheme.INT8)));
        assertTrue(e.getMessage().contains("needs calibration data"), e.getMessage());
        assertThrows(ModelException.class, () -> TargetProfile.ONNX.requireScheme(Scheme.FP16));
    }

    /**
     * Weight codes are decided once, by quantize-weights; bias correction and lower-integer read them. The integer
     * weights of the result must be exactly the codes the lowering computed on its own before (nearest rounding of
     * the float weights on max|w| / 127 per channel): compared with that older path (prepare, calibrate,
     * correct-bias, fold-scales, insert-requantize, lower-integer without quantize-weights; calibration observes the
     * float model, as quantize's one forward pass does), layer by layer, and the whole integer model bit for bit on 64
     * images.
     */
    @Test void weightsQuantizedOnceAreTheCodesTheLoweringComputedBefore() {
        Graph model = OnnxImporter.load(example("fashion_cnn.onnx"));
        CalibrationData data = CalibrationData.fromNpy(model, example("calib.npy"));
        Graph once = Quantizer.quantize(model, data, Quantizer.Config.of(Scheme.INT8)).quantized();
        assertTrue(once.constants().stream().noneMatch(c -> c.value().type().dtype().isFloat()), "no float weight left");

        java.io.PrintWriter quiet = new java.io.PrintWriter(java.io.Writer.nullWriter());
        Graph g = model.copy();
        new nncc.passes.PassManager(nncc.passes.PassRegistry.parse("prepare"), nncc.passes.PassManager.Options.defaults(), quiet)
                .run(g, nncc.passes.Stage.of(g));
        new nncc.passes.calib.CalibratePass(nncc.passes.calib.CalibratePass.Options.of(data,
                nncc.passes.calib.ObserverKind.MINMAX)).run(g);
        new nncc.passes.quant.CorrectBiasPass(new nncc.passes.quant.CorrectBiasPass.Options(data, 8, false, 1024, 32,
                nncc.passes.quant.CorrectBiasPass.WeightRounding.NEAREST)).run(g);
        Graph before = QuantizationPipeline.run(model, Scheme.INT8, QuantizationPipeline.Options.defaults(), g).graph();

        List<Node> a = linear(once), b = linear(before);
        assertEquals(b.size(), a.size());
        assertTrue(a.size() >= 4, "the CNN has 3 convs and 2 fully connected layers: " + a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(b.get(i).input(1).type().quant(), a.get(i).input(1).type().quant(), "weight scales of " + a.get(i).name());
            org.junit.jupiter.api.Assertions.assertArrayEquals(before.constantData(b.get(i).input(1)).toLongs(),
                    once.constantData(a.get(i).input(1)).toLongs(), "weight codes of " + a.get(i).name());
        }
        Tensor x = Npy.read(example("sample.npy")).sliceBatch(0, 64);
        QuantParams p = before.inputs().get(0).type().quant();
        float[] v = x.toFloats();
        long[] q = new long[v.length];
        for (int i = 0; i < v.length; i++) q[i] = nncc.ir.FixedPoint.quantizeScaled(v[i] / p.scale(0), p.zeroPoint(0), DType.I8);
        Tensor xq = Tensor.ofLongs(DType.I8, x.shape(), q);
        org.junit.jupiter.api.Assertions.assertArrayEquals(Interpreter.prepare(before).run(List.of(xq)).get(0).toLongs(),
                Interpreter.prepare(once).run(List.of(xq)).get(0).toLongs());
    }

    private static List<Node> linear(Graph g) {
        return g.nodes().stream().filter(n -> n.op() instanceof nncc.ir.op.QConv || n.op() instanceof nncc.ir.op.QGemm).toList();
    }

    private static int agreeingTop1(Tensor a, Tensor b) {
        float[] x = a.toFloats(), y = b.toFloats();
        int classes = Math.toIntExact(a.shape().dim(1)), rows = x.length / classes, same = 0;
        for (int r = 0; r < rows; r++) if (argmax(x, r * classes, classes) == argmax(y, r * classes, classes)) same++;
        return same;
    }

    private static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (v[from + i] > v[from + best]) best = i;
        return best;
    }
}
