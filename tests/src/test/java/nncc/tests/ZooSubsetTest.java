package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model zoo's CI subset: three small torchvision architectures exported at test time by {@code scripts/zoo_export.py}
 * (Debian python3-torchvision; 64x64 inputs, random weights, nothing committed) taken through the library as
 * {@code scripts/zoo} takes all sixteen: import; float against the float64 reference (nncc's float32 output within
 * max(1e-5, 2x torch's own float32 error) of torch's float64 output, relative to its largest logit, docs/zoo.md's
 * criterion); int8 quantization for the onnx target with no node left in float; and ONNX Runtime's run of the QDQ
 * export within 1 LSB of nncc's integer reference on at least 99.9 % of the outputs.
 */
class ZooSubsetTest {
    static final String MODELS = "resnet18,mobilenet_v2,shufflenet_v2_x0_5";

    @TempDir static Path dir;

    @BeforeAll
    static void export() throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-W", "ignore", TestPaths.root().resolve("scripts/zoo_export.py").toString(),
                dir.toString(), "--size", "64", "--only", MODELS).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int code = p.waitFor();
        assertEquals(0, code, "scripts/zoo_export.py failed (it needs Debian python3-torchvision; scripts/test installs it):\n" + out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "mobilenet_v2", "shufflenet_v2_x0_5"})
    void importFloatQuantizeAndQdqAgreement(String name) {
        Graph g = OnnxImporter.load(dir.resolve(name + ".onnx"));
        Tensor x = Npy.read(dir.resolve(name + ".input.npy"));
        Tensor f64 = Npy.read(dir.resolve(name + ".f64.npy")), torch32 = Npy.read(dir.resolve(name + ".torch32.npy"));
        Tensor ours = Interpreter.prepare(g).run(List.of(x)).get(0);
        Tensor ort = OrtRunner.runFloat(dir.resolve(name + ".onnx"), List.of(x)).get(0);
        double nncc = relative(ours, f64), ortErr = relative(ort, f64), torchErr = relative(torch32, f64);
        System.out.printf("%s float vs torch float64: nncc %.1e, ONNX Runtime %.1e, torch float32 %.1e%n", name, nncc, ortErr, torchErr);
        assertTrue(nncc <= Math.max(1e-5, 2 * torchErr), name + ": nncc float32 " + nncc + " from float64, torch float32 " + torchErr);

        QuantizationPipeline.Options o = new QuantizationPipeline.Options(8, false, Set.of(), TargetProfile.ONNX.rounding(), true);
        Quantizer.Result r = Quantizer.quantize(g, CalibrationData.fromNpy(g, dir.resolve(name + ".calib.npy")),
                Quantizer.Config.of(QuantizationPipeline.Scheme.INT8).withOptions(o));
        Graph q = r.quantized();
        assertNull(Verifier.firstNotLowered(q), name + ": every node lowered to integers");
        byte[] onnx = QdqExporter.export(q, QdqExporter.Activations.UINT8, QdqExporter.Names.COMPACT).model();
        Tensor yInt = Interpreter.prepare(q).run(List.of(x)).get(0);
        Tensor yOrt = OrtRunner.runFloat(onnx, List.of(x)).get(0);
        Node deq = q.producer(q.outputs().get(0));
        assertTrue(deq.op() instanceof Dequantize, "float output behind a Dequantize");
        QuantParams outQ = deq.input(0).type().quant();
        OrtRunner.Agreement a = OrtRunner.lsbAgreement(yOrt, yInt, outQ, DType.I8);
        System.out.println(name + " QDQ in ONNX Runtime vs nncc: " + a);
        assertTrue(a.fractionWithinOneLsb() >= 0.999, name + ": " + a);
    }

    /** max |a - b| over the largest |reference|. */
    static double relative(Tensor a, Tensor reference) {
        float[] x = a.toFloats();
        double[] ref = reference.dtype() == DType.F64 ? reference.toDoubles() : toDoubles(reference.toFloats());
        assertEquals(ref.length, x.length, "output sizes");
        double diff = 0, big = 0;
        for (int i = 0; i < x.length; i++) {
            diff = Math.max(diff, Math.abs(x[i] - ref[i]));
            big = Math.max(big, Math.abs(ref[i]));
        }
        return diff / Math.max(big, Double.MIN_NORMAL);
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
