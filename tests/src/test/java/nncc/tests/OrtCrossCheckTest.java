package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * nncc's float CPU reference against ONNX Runtime on PyTorch-exported CNNs (scripts/make_test_models.py and
 * the bundled example, with and without BatchNormalization nodes). Tolerance 1e-4 max abs difference: both
 * engines compute in float32 but sum in different orders.
 */
class OrtCrossCheckTest {
    static final double TOLERANCE = 1e-4;

    static Stream<String> models() throws Exception {
        try (Stream<Path> s = Files.list(TestPaths.models())) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx"))
                    .map(n -> n.substring(0, n.length() - 5))
                    // the models of scripts/make_test_models.py, which writes PyTorch's output beside each; the others
                    // (PyTorch-quantized and QAT exports, the HLS MLP) have tests of their own (PreQuantizedModelsTest,
                    // QatImportTest, HlsAcceptanceTest)
                    .filter(n -> Files.exists(TestPaths.models().resolve(n + ".torch_output.npy"))).sorted().toList();
            assertTrue(names.size() >= 5, "expected the test models of scripts/make_test_models.py, found " + names);
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void agreesWithOnnxRuntimeAndTorch(String name) throws Exception {
        Path model = TestPaths.models().resolve(name + ".onnx");
        Tensor input = Npy.read(TestPaths.models().resolve(name + ".input.npy"));
        float[] ours = nncc(model, input);
        float[] ort = ort(model, input);
        double d = Compare.maxAbsDiff(ours, ort);
        System.out.printf("%-20s max|nncc - onnxruntime| = %.3g%n", name, d);
        assertTrue(d <= TOLERANCE, name + ": nncc vs ONNX Runtime differ by " + d);
        float[] torch = Npy.read(TestPaths.models().resolve(name + ".torch_output.npy")).toFloats();
        assertTrue(Compare.maxAbsDiff(ours, torch) <= TOLERANCE, name + ": nncc vs torch differ by " + Compare.maxAbsDiff(ours, torch));
    }

    @Test
    void exampleModelsAgreeWithOnnxRuntime() throws Exception {
        Tensor sample = Npy.read(TestPaths.example().resolve("sample.npy")).sliceBatch(0, 64);
        for (String name : List.of("fashion_cnn", "fashion_cnn_bn")) {
            Path model = TestPaths.example().resolve(name + ".onnx");
            double d = Compare.maxAbsDiff(nncc(model, sample), ort(model, sample));
            System.out.printf("%-20s max|nncc - onnxruntime| = %.3g (64 images)%n", name, d);
            assertTrue(d <= TOLERANCE, name + ": nncc vs ONNX Runtime differ by " + d);
        }
    }

    static float[] nncc(Path model, Tensor input) {
        Graph g = OnnxImporter.load(model);
        TextRoundTrip.check(g, model.getFileName().toString());
        List<Tensor> out = new Interpreter(g).run(List.of(input));
        return out.get(0).toFloats();
    }

    static float[] ort(Path model, Tensor input) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model.toString(), opts);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.toFloats()), input.shape().dims());
                 OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), x))) {
                OnnxTensor y = (OnnxTensor) r.get(0);
                FloatBuffer fb = y.getFloatBuffer();
                float[] out = new float[fb.remaining()];
                fb.get(out);
                assertEquals(1, s.getNumOutputs() >= 1 ? 1 : 0);
                return out;
            }
        }
    }
}
