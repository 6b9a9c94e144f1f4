package nncc.tests;

import static nncc.tests.CliTest.assertBadInput;
import static nncc.tests.CliTest.example;
import static nncc.tests.CliTest.nncc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Verifier;
import nncc.ir.io.Npy;
import nncc.ir.op.FakeQuant;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.text.IrParser;
import nncc.onnx.OnnxImporter;
import nncc.onnx.export.QdqExporter;
import nncc.passes.calib.CalibrationData;
import nncc.passes.quant.LowerQdqPass;
import nncc.passes.train.QuantAwareGraph;
import nncc.passes.train.Trainer;
import nncc.passes.train.TrainingOptions;
import nncc.passes.train.TrainingSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quantization-aware training end to end: the fake-quant graph of the bundled CNN with BatchNorm (folded by prepare),
 * fine-tuned a few steps at 4-bit weights, lowers to a fully integer graph (every QConv/QGemm at weightBits 4) whose
 * classes match the fake-quant float graph's, and whose QDQ export runs in ONNX Runtime within 1 LSB of nncc's
 * integer reference; {@code nncc qat} on small .npy data, its report, and its one-line errors.
 */
class QatTest {
    @TempDir Path tmp;

    private static TrainingSet samples(int n) {
        Tensor x = Npy.read(example("sample.npy")).sliceBatch(0, n);
        long[] l = Npy.read(example("sample_labels.npy")).toLongs();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = (int) l[i];
        return new TrainingSet(x.toFloats(), labels, new int[] {1, 28, 28});
    }

    private static int[] classes(float[] logits, int n) {
        int k = logits.length / n;
        int[] c = new int[n];
        for (int i = 0; i < n; i++)
            for (int j = 1; j < k; j++) if (logits[i * k + j] > logits[i * k + c[i]]) c[i] = j;
        return c;
    }

    @Test void trainedFakeQuantGraphLowersToTheIntegerGraphItSimulates() {
        Graph model = OnnxImporter.load(example("fashion_cnn_bn.onnx"));
        Graph qat = QuantAwareGraph.build(model, CalibrationData.fromNpy(model, example("calib.npy")),
                new QuantAwareGraph.Options(4, false, 2));
        assertFalse(IrPrinterText.of(qat).contains("BatchNormalization"), "prepare folded the batch norms");
        assertTrue(qat.nodes().stream().anyMatch(n -> n.op() instanceof FakeQuant f && f.bits() == 4 && f.axis() == 0));
        TrainingOptions o = new TrainingOptions(1, 32, 0.002, nncc.passes.train.Optimizer.Kind.SGD,
                nncc.passes.train.LearningRateSchedule.Kind.COSINE, 0, 0.9, 1, 2, 2, false, Integer.MAX_VALUE,
                TrainingOptions.Augmentation.NONE);
        try (Trainer t = new Trainer(qat, o)) {
            t.trainEpoch(samples(128), 1, null);
            t.writeBack();
        }
        QuantAwareGraph.snapBiases(qat);
        Verifier.verify(qat);

        Graph lowered = IrParser.parse(IrPrinterText.of(qat), "qat.nnir");
        LowerQdqPass.lowerIfPreQuantized(lowered);
        Verifier.requireFullyLowered(lowered);
        long weighted = lowered.nodes().stream().filter(n -> n.op() instanceof QConv || n.op() instanceof QGemm).count();
        assertEquals(5, weighted, "3 convs and 2 gemms");
        for (Node n : lowered.nodes()) {
            if (n.op() instanceof QConv q) assertEquals(4, q.weightBits(), n.name());
            if (n.op() instanceof QGemm q) assertEquals(4, q.weightBits(), n.name());
        }

        int n = 500;
        Tensor x = Npy.read(example("sample.npy")).sliceBatch(0, n);
        float[] fake = new Interpreter(qat).run(List.of(x)).get(0).toFloats();
        QuantParams in = lowered.inputs().get(0).type().quant();
        Tensor xq = quantize(x, in);
        Tensor yInt = new Interpreter(lowered).run(List.of(xq)).get(0);
        QuantParams out = lowered.outputs().get(0).type().quant();
        float[] real = new float[(int) yInt.numElements()];
        long[] codes = yInt.toLongs();
        for (int i = 0; i < real.length; i++) real[i] = out.scale(0) * (codes[i] - out.zeroPoint(0));
        int[] a = classes(fake, n), b = classes(real, n);
        int same = 0;
        for (int i = 0; i < n; i++) if (a[i] == b[i]) same++;
        assertTrue(same >= n - 2, "the integer graph predicts as the fake-quant graph on " + same + " of " + n);
        // logits on one grid: the integer codes are the fake-quant values' codes, up to 1 LSB where a rounding tie
        // in float32 and in fixed point fall apart
        int far = 0;
        for (int i = 0; i < real.length; i++) if (Math.abs(real[i] - fake[i]) > out.scale(0) * 1.01f) far++;
        assertTrue(far <= real.length / 100, far + " of " + real.length + " logits more than 1 LSB apart");

        byte[] exported = QdqExporter.export(lowered, QdqExporter.Activations.AS_IS, QdqExporter.Names.COMPACT).model();
        Tensor yOrt = OrtRunner.runFloat(exported, List.of(x)).get(0);
        OrtRunner.Agreement agree = OrtRunner.lsbAgreement(yOrt, yInt, out, DType.I8);
        assertTrue(agree.withinOneLsb() * 1000 >= agree.count() * 999, "ONNX Runtime within 1 LSB: " + agree);
    }

    /** The Quantize rule: float32 division, ties away from zero, saturated to int8. */
    static Tensor quantize(Tensor x, QuantParams p) {
        float[] v = x.toFloats();
        long[] q = new long[v.length];
        for (int i = 0; i < v.length; i++) q[i] = FixedPoint.quantizeScaled(v[i] / p.scale(0), p.zeroPoint(0), DType.I8);
        return Tensor.ofLongs(DType.I8, x.shape(), q);
    }

    @Test void qatCommandTrainsReportsAndCompiles() throws Exception {
        Tensor x = Npy.read(example("sample.npy"));
        Tensor y = Npy.read(example("sample_labels.npy"));
        Path tx = tmp.resolve("x.npy"), ty = tmp.resolve("y.npy"), ex = tmp.resolve("ex.npy"), ey = tmp.resolve("ey.npy");
        Npy.write(tx, x.sliceBatch(0, 96));
        Npy.write(ty, Tensor.ofLongs(DType.I64, Shape.of(96), java.util.Arrays.copyOf(y.toLongs(), 96)));
        Npy.write(ex, x.sliceBatch(400, 500));
        Npy.write(ey, Tensor.ofLongs(DType.I64, Shape.of(100), java.util.Arrays.copyOfRange(y.toLongs(), 400, 500)));
        Path out = tmp.resolve("qat.nnir"), report = tmp.resolve("report");
        CliTest.Result r = nncc("qat", example("fashion_cnn.onnx").toString(), "--train-data", tx.toString(), "--train-labels",
                ty.toString(), "--eval-data", ex.toString(), "--eval-labels", ey.toString(), "--epochs", "2", "--batch", "32",
                "--lr", "0.002", "--weight-bits", "4", "--optimizer", "adam", "--schedule", "onecycle", "--augment", "crop:2",
                "--report", report.toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("float: eval accuracy"), r.out());
        assertTrue(r.out().contains("epoch 1: loss") && r.out().contains("epoch 2: loss"), r.out());
        String ir = Files.readString(out);
        assertTrue(ir.contains("FakeQuant {") && ir.contains("bits = 4"), "the output is the fake-quant graph");
        String html = Files.readString(report.resolve("report.html"));
        assertTrue(html.contains("<svg") && html.contains("float 0."), "accuracy chart with the float line");

        CliTest.Result ev = nncc("eval", out.toString(), "--data", ex.toString(), "--labels", ey.toString());
        assertEquals(0, ev.code(), ev.err());
        assertTrue(ev.out().startsWith("top1="), ev.out());
        Path dir = tmp.resolve("cpu");
        CliTest.Result c = nncc("compile", out.toString(), "--target", "cpu", "-o", dir.toString());
        assertEquals(0, c.code(), c.err());
        String lowered = Files.readString(dir.resolve("model.nnir"));
        assertFalse(lowered.contains("FakeQuant") || lowered.contains("= Conv "), "fully lowered");
        assertTrue(lowered.contains("weightBits = 4"), "4-bit weights in the lowered IR");
    }

    @Test void badInputGivesOneLineErrors() throws Exception {
        Path tx = tmp.resolve("x.npy"), ty = tmp.resolve("y.npy"), out = tmp.resolve("o.nnir");
        Npy.write(tx, Npy.read(example("sample.npy")).sliceBatch(0, 8));
        Npy.write(ty, Tensor.ofLongs(DType.I64, Shape.of(5), 0, 1, 2, 3, 4));
        String model = example("fashion_cnn.onnx").toString();
        assertBadInput(nncc("qat", model, "--train-data", tx.toString(), "--train-labels", ty.toString(), "-o", out.toString()),
                "8 samples", "5 labels");
        assertBadInput(nncc("qat", model, "--train-data", tx.toString(), "--train-labels", ty.toString(), "--weight-bits", "9",
                "-o", out.toString()), "--weight-bits", "9");
        assertBadInput(nncc("qat", model, "--train-data", tx.toString(), "--train-labels", ty.toString(), "--optimizer", "rmsprop",
                "-o", out.toString()), "rmsprop");
        assertBadInput(nncc("qat", model, "--train-data", tx.toString(), "--train-labels", ty.toString(), "--augment", "crop:x",
                "-o", out.toString()), "crop:PAD");
        assertBadInput(nncc("qat", model, "--train-data", tx.toString(), "--train-labels", ty.toString(), "-o",
                tmp.resolve("o.onnx").toString()), ".nnir");
        assertFalse(Files.exists(out), "no output after an error");
    }

    /** Printing helper (IrPrinter) with a short name for the assertions above. */
    static final class IrPrinterText {
        static String of(Graph g) { return nncc.ir.text.IrPrinter.print(g); }
    }
}
