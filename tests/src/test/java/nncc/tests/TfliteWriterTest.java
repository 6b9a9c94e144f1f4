package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.Graph;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import nncc.tpu.TfliteImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nncc compile --target tpu} on the bundled Fashion-MNIST CNN: the TensorFlow Lite runtime loads the
 * written file and agrees with nncc's integer reference within 1 LSB on the 500 sample images (same accuracy),
 * and nncc's reader reads it back to a graph with identical integer outputs. Weights are per tensor
 * ({@code --per-tensor}): the runtime behind tflite-run predates per-channel FULLY_CONNECTED (op version 12).
 */
class TfliteWriterTest {
    @TempDir Path tmp;

    @Test
    void fashionCnnRunsOnTheTfliteRuntimeLikeNnccsReference() throws Exception {
        Path out = tmp.resolve("tpu");
        CliTest.Result r = CliTest.nncc("compile", TestPaths.example().resolve("fashion_cnn.onnx").toString(), "--target", "tpu",
                "--calib", TestPaths.example().resolve("calib.npy").toString(), "--per-tensor", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        String io = Files.readString(out.resolve("io.json"));
        assertTrue(io.contains("\"shape\": [1, 28, 28, 1]") && io.contains("\"layout\": \"NHWC\""), io);
        String edgetpu = Files.readString(out.resolve("edgetpu_report.json"));
        assertTrue(edgetpu.contains("\"cpu_ops\": 0") && edgetpu.contains("\"partition_at\": null"), edgetpu);
        assertTrue(Files.readString(out.resolve("edgetpu_report.md")).contains("the whole model maps to the Edge TPU"));
        Graph reference = IrParser.parse(Files.readString(out.resolve("model.nnir")), "model.nnir");
        QuantParams in = reference.inputs().get(0).type().quant();

        Tensor images = Npy.read(TestPaths.example().resolve("sample.npy"));
        long[] labels = Npy.read(TestPaths.example().resolve("sample_labels.npy")).toLongs();
        float[] px = images.toFloats();
        int n = (int) images.shape().dim(0);
        long[] codes = new long[px.length];
        byte[] bytes = new byte[px.length];
        for (int i = 0; i < px.length; i++) {
            codes[i] = FixedPoint.quantizeScaled(px[i] / in.scale(0), in.zeroPoint(0), DType.I8);
            bytes[i] = (byte) codes[i]; // one channel: NCHW and NHWC hold the same order
        }
        Interpreter ours = Interpreter.prepare(reference);
        Interpreter reread = Interpreter.prepare(TfliteImporter.load(Files.readAllBytes(out.resolve("model.tflite")), "model.tflite"));
        long[] mine = new long[n * 10], back = new long[n * 10];
        for (int s = 0; s < n; s++) {
            long[] one = java.util.Arrays.copyOfRange(codes, s * 784, (s + 1) * 784);
            System.arraycopy(ours.run(List.of(Tensor.ofLongs(DType.I8, Shape.of(1, 1, 28, 28), one))).get(0).toLongs(), 0, mine, s * 10, 10);
            System.arraycopy(reread.run(List.of(Tensor.ofLongs(DType.I8, Shape.of(1, 28, 28, 1), one))).get(0).toLongs(), 0, back, s * 10, 10);
        }
        assertArrayEquals(mine, back, "the .tflite read back by nncc computes the same integers");

        Path inputFile = tmp.resolve("images.bin");
        Files.write(inputFile, bytes);
        long[] theirs = TfliteRun.run(out.resolve("model.tflite"), List.of(inputFile)).get(0);
        TfliteRun.Agreement a = TfliteRun.Agreement.of(mine, theirs);
        double accOurs = accuracy(mine, labels), accTheirs = accuracy(theirs, labels);
        System.out.printf("fashion_cnn .tflite on the TFLite runtime vs nncc, %d images: %s; top-1 nncc %.4f, TFLite %.4f%n",
                n, a, accOurs, accTheirs);
        assertTrue(n >= 300);
        assertTrue(a.withinOne() >= 0.999, a.toString());
        assertEquals(accOurs, accTheirs, 0.001, "accuracy through the TFLite runtime");
    }

    @Test
    void mobileNetV2StyleModelLoadsOnTheRuntimeAndEveryOpKindAgrees() throws Exception {
        Path out = tmp.resolve("tpu");
        CliTest.Result r = CliTest.nncc("compile", TestPaths.root().resolve("examples/mobilenet_v2/mobilenet_v2.onnx").toString(),
                "--target", "tpu", "--calib", TestPaths.example().resolve("calib.npy").toString(), "--per-tensor", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        Path model = out.resolve("model.tflite");
        TfliteRuntimeCrossCheckTest.assertEveryOpKindWithinOneLsb(model, tmp);
        TfliteRun.Agreement whole = TfliteRuntimeCrossCheckTest.compare(model, TfliteFixtures.load(model), 3, 5, tmp);
        System.out.println("mobilenet_v2-style .tflite end to end vs TFLite runtime (XNNPACK), 3 random int8 inputs: " + whole);
    }

    private static double accuracy(long[] logits, long[] labels) {
        int right = 0;
        for (int s = 0; s < labels.length; s++) {
            int best = 0;
            for (int k = 1; k < 10; k++) if (logits[s * 10 + k] > logits[s * 10 + best]) best = k;
            if (best == labels[s]) right++;
        }
        return (double) right / labels.length;
    }
}
