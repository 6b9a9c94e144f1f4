package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Value;
import nncc.onnx.OnnxImporter;
import nncc.passes.PassManager;
import nncc.passes.Stage;
import nncc.passes.calib.CalibratePass;
import nncc.passes.calib.CalibrationData;
import nncc.passes.calib.CalibrationResult;
import nncc.passes.calib.ObserverKind;
import nncc.passes.calib.QuantChoice;
import nncc.passes.calib.Range;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The calibrate pass end to end on the bundled Fashion-MNIST CNN (BatchNorm already folded by the exporter)
 * with its 256 calibration images, for every observer: each float activation gets quantization parameters
 * (checked by the verifier after the pass), the input's range lies in [0, 1] (the images are pixel / 255),
 * Relu outputs start at 0, and every chosen range lies within the values actually seen.
 */
class CalibrationTest {
    @ParameterizedTest(name = "{0}")
    @EnumSource(ObserverKind.class)
    void everyFloatActivationGetsQuantParams(ObserverKind kind) {
        Graph g = OnnxImporter.load(TestPaths.example().resolve("fashion_cnn.onnx"));
        CalibrationData data = CalibrationData.fromNpy(g, TestPaths.example().resolve("calib.npy"));
        CalibratePass pass = new CalibratePass(CalibratePass.Options.of(data, kind).withHistograms(true));
        StringWriter log = new StringWriter();
        new PassManager(List.of(pass), PassManager.Options.defaults(), new PrintWriter(log)).run(g, Stage.BN_FOLDED);

        CalibrationResult result = pass.result();
        assertEquals(256, result.samples());
        int floats = 0;
        for (Value v : g.inputs()) floats += checkAnnotated(v, result);
        for (Node n : g.nodes()) for (Value v : n.outputs()) floats += checkAnnotated(v, result);
        assertEquals(floats, result.values().size());
        assertEquals(13, floats, "the input and 12 node outputs");

        Range in = result.value("input").range();
        assertTrue(in.min() >= 0 && in.max() <= 1, "input range " + in);
        if (kind == ObserverKind.MINMAX) assertEquals(new Range(0, 1), in);
        for (Node n : g.nodes())
            if (n.op().opName().equals("Relu")) {
                CalibrationResult.ValueCalibration r = result.value(n.output().name());
                assertEquals(0.0, r.range().min(), 0.0, n.name());
                assertEquals(-128, r.quant().zeroPoint(0), n.name());
            }
        for (CalibrationResult.ValueCalibration v : result.values()) {
            assertTrue(v.range().min() >= v.observed().min() && v.range().max() <= v.observed().max(),
                    v.name() + ": chosen " + v.range() + " outside observed " + v.observed());
            assertNotNull(v.histogram(), v.name());
            assertEquals(256L * elementsPerSample(g, v.name()), v.histogram().total(), v.name());
        }
        System.out.printf("%-15s input %s  conv1 %s  relu1 %s  gemm1 %s  logits %s%n", kind.text(),
                in, range(result, "/features/features.0/Conv_output_0"), range(result, "/features/features.2/Relu_output_0"),
                range(result, "/classifier/classifier.1/Gemm_output_0"), range(result, "logits"));
    }

    private static int checkAnnotated(Value v, CalibrationResult result) {
        if (!v.type().dtype().isFloat()) return 0;
        QuantParams q = v.type().quant();
        assertNotNull(q, "%" + v.name() + " has no quantization parameters");
        assertEquals(QuantChoice.forActivation(result.value(v.name()).range(), DType.I8), q, v.name());
        assertTrue(q.zeroPoint(0) >= -128 && q.zeroPoint(0) <= 127 && q.scale(0) > 0, v.name() + " " + q);
        return 1;
    }

    private static long elementsPerSample(Graph g, String value) {
        long[] dims = g.valuesByName().get(value).type().shape().dims();
        long n = 1;
        for (int i = 1; i < dims.length; i++) n *= dims[i];
        return n;
    }

    private static String range(CalibrationResult r, String name) {
        CalibrationResult.ValueCalibration v = r.value(name);
        return v.range() + " (seen " + v.observed() + ")";
    }
}
