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
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import nncc.tpu.TfliteImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nncc compile --target tpu} (the tpu profile: per-channel conv weights, per-tensor FULLY_CONNECTED weights,
 * single rounding) on the bundled Fashion-MNIST CNN and the MobileNetV2-style example: the TensorFlow Lite runtime
 * loads the written file and agrees with nncc's integer reference within 1 LSB on the 500 sample images, with the
 * same accuracy, and nncc's reader reads it back (with the same rounding) to a graph with identical integer outputs.
 */
class TfliteWriterTest {
    @TempDir Path tmp;

    @Test
    void fashionCnnRunsOnTheTfliteRuntimeLikeNnccsReference() throws Exception {
        Path out = compile(TestPaths.example().resolve("fashion_cnn.onnx"));
        String io = Files.readString(out.resolve("io.json"));
        assertTrue(io.contains("\"shape\": [1, 28, 28, 1]") && io.contains("\"layout\": \"NHWC\""), io);
        String edgetpu = Files.readString(out.resolve("edgetpu_report.json"));
        assertTrue(edgetpu.contains("\"cpu_ops\": 0") && edgetpu.contains("\"partition_at\": null"), edgetpu);
        assertTrue(Files.readString(out.resolve("edgetpu_report.md")).contains("the whole model maps to the Edge TPU"));
        agreeOnSampleImages(out, "fashion_cnn");
    }

    @Test
    void mobileNetV2StyleModelRunsOnTheTfliteRuntimeLikeNnccsReference() throws Exception {
        Path out = compile(TestPaths.root().resolve("examples/mobilenet_v2/mobilenet_v2.onnx"));
        String nnir = Files.readString(out.resolve("model.nnir"));
        assertTrue(nnir.contains("QMean {axes = [1, 2], keepDims = true") && nnir.contains("rounding = single_round"), "tpu profile numbers");
        agreeOnSampleImages(out, "mobilenet_v2-style");
    }

    @Test
    void uint8EdgesRunOnTheRuntimeLikeNnccsReference() throws Exception {
        Path out = compile(TestPaths.example().resolve("fashion_cnn.onnx"), "--io-type", "uint8");
        String io = Files.readString(out.resolve("io.json"));
        assertTrue(io.contains("\"dtype\": \"uint8\"") && !io.contains("\"dtype\": \"int8\""), io);
        Graph reference = IrParser.parse(Files.readString(out.resolve("model.nnir")), "model.nnir");
        assertEquals(DType.U8, reference.inputs().get(0).type().dtype());
        assertEquals(DType.U8, reference.outputs().get(0).type().dtype());
        QuantParams in = reference.inputs().get(0).type().quant();
        float[] px = Npy.read(TestPaths.example().resolve("sample.npy")).toFloats();
        int n = px.length / 784;
        long[] codes = new long[px.length];
        byte[] bytes = new byte[px.length];
        for (int i = 0; i < px.length; i++) {
            codes[i] = FixedPoint.quantizeScaled(px[i] / in.scale(0), in.zeroPoint(0), DType.U8);
            bytes[i] = (byte) codes[i];
        }
        long[] mine = Interpreter.prepare(reference).run(List.of(Tensor.ofLongs(DType.U8, Shape.of(n, 28, 28, 1), codes))).get(0).toLongs();
        Path inputFile = tmp.resolve("images_u8.bin");
        Files.write(inputFile, bytes);
        long[] theirs = TfliteRun.run(out.resolve("model.tflite"), List.of(inputFile)).get(0);
        TfliteRun.Agreement a = TfliteRun.Agreement.of(mine, theirs);
        System.out.printf("fashion_cnn .tflite with uint8 edges on the TFLite runtime vs nncc, %d images: %s%n", n, a);
        for (long v : theirs) assertTrue(v >= 0 && v <= 255, "uint8 output " + v);
        assertTrue(a.withinOne() >= 0.999, a.toString());
    }

    private Path compile(Path model, String... extra) {
        Path out = tmp.resolve("tpu");
        List<String> args = new java.util.ArrayList<>(List.of("compile", model.toString(), "--target", "tpu",
                "--calib", TestPaths.example().resolve("calib.npy").toString(), "-o", out.toString()));
        args.addAll(List.of(extra));
        CliTest.Result r = CliTest.nncc(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return out;
    }

    /** The 500 sample images through nncc's IR, the .tflite read back by nncc, and the TFLite runtime. */
    private void agreeOnSampleImages(Path out, String label) throws Exception {
        Graph reference = IrParser.parse(Files.readString(out.resolve("model.nnir")), "model.nnir");
        // FULLY_CONNECTED weights per tensor (the file loads on runtimes without per-channel FC, op version 12);
        // conv weights per channel
        for (var node : reference.nodes()) {
            if (node.op() instanceof nncc.ir.op.QGemm) assertEquals(1, node.input(1).type().quant().count(), node.name());
            if (node.op() instanceof nncc.ir.op.QConv) assertTrue(node.input(1).type().quant().count() > 1, node.name());
        }
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
        Interpreter reread = Interpreter.prepare(TfliteImporter.load(Files.readAllBytes(out.resolve("model.tflite")), "model.tflite",
                Rounding.SINGLE_ROUND));
        long[] mine = ours.run(List.of(Tensor.ofLongs(DType.I8, Shape.of(n, 28, 28, 1), codes))).get(0).toLongs();
        long[] back = new long[mine.length];
        for (int s = 0; s < n; s++) {
            long[] one = java.util.Arrays.copyOfRange(codes, s * 784, (s + 1) * 784);
            System.arraycopy(reread.run(List.of(Tensor.ofLongs(DType.I8, Shape.of(1, 28, 28, 1), one))).get(0).toLongs(), 0, back, s * 10, 10);
        }
        assertArrayEquals(mine, back, "the .tflite read back by nncc computes the same integers");

        Path inputFile = tmp.resolve("images.bin");
        Files.write(inputFile, bytes);
        long[] theirs = TfliteRun.run(out.resolve("model.tflite"), List.of(inputFile)).get(0);
        TfliteRun.Agreement a = TfliteRun.Agreement.of(mine, theirs);
        long exact = java.util.stream.IntStream.range(0, mine.length).filter(i -> mine[i] == theirs[i]).count();
        int sameTop1 = 0;
        for (int s = 0; s < n; s++) if (argmax(mine, s) == argmax(theirs, s)) sameTop1++;
        double accOurs = accuracy(mine, labels), accTheirs = accuracy(theirs, labels);
        System.out.printf("%s .tflite on the TFLite runtime vs nncc, %d images: %s, %.2f %% exact; same top-1 on %d; top-1 nncc %.4f, TFLite %.4f%n",
                label, n, a, 100.0 * exact / mine.length, sameTop1, accOurs, accTheirs);
        assertTrue(n >= 300);
        assertTrue(a.withinOne() >= 0.999, a.toString());
        assertEquals(accOurs, accTheirs, 0.001, "accuracy through the TFLite runtime");
    }

    private static int argmax(long[] logits, int s) {
        int best = 0;
        for (int k = 1; k < 10; k++) if (logits[s * 10 + k] > logits[s * 10 + best]) best = k;
        return best;
    }

    private static double accuracy(long[] logits, long[] labels) {
        int right = 0;
        for (int s = 0; s < labels.length; s++) if (argmax(logits, s) == labels[s]) right++;
        return (double) right / labels.length;
    }
}
