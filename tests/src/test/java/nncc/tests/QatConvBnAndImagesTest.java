package nncc.tests;

import static nncc.tests.CliTest.assertBadInput;
import static nncc.tests.CliTest.example;
import static nncc.tests.CliTest.nncc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nncc qat} on the bundled CNN with BatchNorm: the ConvBn training form is the default, the written graph is
 * folded (no BatchNorm left), its compiled integer model predicts the fake-quant graph's classes and ONNX Runtime
 * runs its QDQ export within 1 LSB of it; and training
 * from a folder of class folders of PNGs, which trains exactly as the same pixels in a .npy, with one-line errors
 * for an empty class folder, an undecodable image and class folders that differ between training and evaluation.
 */
class QatConvBnAndImagesTest {
    @TempDir Path tmp;

    private Path[] npySplit(int train) throws Exception {
        Tensor x = Npy.read(example("sample.npy")), y = Npy.read(example("sample_labels.npy"));
        Path tx = tmp.resolve("x.npy"), ty = tmp.resolve("y.npy"), ex = tmp.resolve("ex.npy"), ey = tmp.resolve("ey.npy");
        Npy.write(tx, x.sliceBatch(0, train));
        Npy.write(ty, Tensor.ofLongs(DType.I64, Shape.of(train), java.util.Arrays.copyOf(y.toLongs(), train)));
        Npy.write(ex, x.sliceBatch(400, 500));
        Npy.write(ey, Tensor.ofLongs(DType.I64, Shape.of(100), java.util.Arrays.copyOfRange(y.toLongs(), 400, 500)));
        return new Path[] {tx, ty, ex, ey};
    }

    @Test void convBnIsTheDefaultAndTheFoldedGraphIsWhatCompiles() throws Exception {
        Path[] d = npySplit(96);
        Path out = tmp.resolve("qat.nnir");
        String model = example("fashion_cnn_bn.onnx").toString();
        CliTest.Result r = nncc("qat", model, "--train-data", d[0].toString(), "--train-labels", d[1].toString(), "--batch", "32",
                "--lr", "0.002", "--weight-bits", "4", "--freeze-bn-after", "2", "--calib", example("calib.npy").toString(),
                "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("batch norm: ConvBn training form") && r.out().contains("frozen after 2 steps"), r.out());
        String ir = Files.readString(out);
        assertFalse(ir.contains("BatchNormalization") || ir.contains("= Div") || ir.contains("= Mul"), "folded for export");
        assertTrue(ir.contains("bits = 4, narrowRange = true"), "4-bit weight fake-quant on the folded weights");

        Path dir = tmp.resolve("cpu");
        CliTest.Result c = nncc("compile", out.toString(), "--target", "cpu", "-o", dir.toString());
        assertEquals(0, c.code(), c.err());
        Graph fake = IrParser.parse(ir, "qat.nnir"), lowered = IrParser.parse(Files.readString(dir.resolve("model.nnir")), "model.nnir");
        Tensor x = Npy.read(example("sample.npy")).sliceBatch(0, 300);
        float[] f = new Interpreter(fake).run(List.of(x)).get(0).toFloats();
        Tensor yInt = new Interpreter(lowered).run(List.of(QatTest.quantize(x, lowered.inputs().get(0).type().quant()))).get(0);
        QuantParams q = lowered.outputs().get(0).type().quant();
        long[] codes = yInt.toLongs();
        float[] real = new float[codes.length];
        for (int i = 0; i < real.length; i++) real[i] = q.scale(0) * (codes[i] - q.zeroPoint(0));
        int same = 0;
        for (int i = 0; i < 300; i++) if (argmax(f, i, 10) == argmax(real, i, 10)) same++;
        assertTrue(same >= 298, "integer vs fake-quant classes agree on " + same + " of 300");
        byte[] exported = nncc.onnx.export.QdqExporter.export(lowered, nncc.onnx.export.QdqExporter.Activations.AS_IS,
                nncc.onnx.export.QdqExporter.Names.COMPACT).model();
        OrtRunner.Agreement agree = OrtRunner.lsbAgreement(OrtRunner.runFloat(exported, List.of(x)).get(0), yInt, q, DType.I8);
        assertTrue(agree.withinOneLsb() * 1000 >= agree.count() * 999, "ONNX Runtime within 1 LSB: " + agree);

        Path folded = tmp.resolve("fold.nnir");
        CliTest.Result old = nncc("qat", model, "--train-data", d[0].toString(), "--train-labels", d[1].toString(), "--batch", "32",
                "--batchnorm", "fold", "-o", folded.toString());
        assertEquals(0, old.code(), old.err());
        assertTrue(old.out().contains("batch norm: folded before training"), old.out());
        assertBadInput(nncc("qat", example("fashion_cnn.onnx").toString(), "--train-data", d[0].toString(), "--train-labels",
                d[1].toString(), "--batchnorm", "convbn", "-o", tmp.resolve("n.nnir").toString()), "--batchnorm convbn");
        assertBadInput(nncc("qat", model, "--train-data", d[0].toString(), "--train-labels", d[1].toString(), "--batchnorm", "later",
                "-o", tmp.resolve("n.nnir").toString()), "later");
    }

    private static int argmax(float[] v, int row, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) if (v[row * k + j] > v[row * k + best]) best = j;
        return best;
    }

    /** Writes images {@code from..to} of sample.npy as 8-bit grey PNGs into DIR/class_L/NNN.png; returns them class-sorted. */
    private static List<Integer> writeFolder(Path dir, int from, int to) throws Exception {
        Tensor x = Npy.read(example("sample.npy"));
        long[] labels = Npy.read(example("sample_labels.npy")).toLongs();
        float[] v = x.toFloats();
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < 10; c++)
            for (int i = from; i < to; i++) if (labels[i] == c) order.add(i);
        for (int i = from; i < to; i++) {
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < 784; p++) img.getRaster().setSample(p % 28, p / 28, 0, Math.round(v[i * 784 + p] * 255f));
            Path cls = Files.createDirectories(dir.resolve("class_" + labels[i]));
            ImageIO.write(img, "png", cls.resolve(String.format("%03d.png", i)).toFile());
        }
        return order;
    }

    @Test void imageFolderTrainsAsTheSamePixelsInANpy() throws Exception {
        Path train = tmp.resolve("train"), eval = tmp.resolve("eval");
        List<Integer> order = writeFolder(train, 0, 120);
        writeFolder(eval, 400, 500);
        Tensor x = Npy.read(example("sample.npy"));
        long[] labels = Npy.read(example("sample_labels.npy")).toLongs();
        float[] v = x.toFloats(), same = new float[order.size() * 784];
        long[] sameLabels = new long[order.size()];
        for (int k = 0; k < order.size(); k++) {
            for (int p = 0; p < 784; p++) same[k * 784 + p] = (float) (Math.round(v[order.get(k) * 784 + p] * 255f) * 0.00392156862745098); // as Preprocess scales
            sameLabels[k] = labels[order.get(k)];
        }
        // folder classes are the sorted folder names class_0..class_9, i.e. the labels themselves
        Path tx = tmp.resolve("same.npy"), ty = tmp.resolve("same_labels.npy");
        Npy.write(tx, Tensor.ofFloats(Shape.of(order.size(), 1, 28, 28), same));
        Npy.write(ty, Tensor.ofLongs(DType.I64, Shape.of(order.size()), sameLabels));
        String model = example("fashion_cnn_bn.onnx").toString(), calib = example("calib.npy").toString();
        Path fromFolder = tmp.resolve("folder.nnir"), fromNpy = tmp.resolve("npy.nnir");
        CliTest.Result r = nncc("qat", model, "--train-data", train.toString(), "--eval-data", eval.toString(), "--batch", "32",
                "--seed", "5", "--augment", "crop:2,hflip", "--calib", calib, "-o", fromFolder.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("training data: 120 images in 10 classes (class_0, class_1,"), r.out());
        assertTrue(r.out().contains("eval loss"), r.out());
        CliTest.Result n = nncc("qat", model, "--train-data", tx.toString(), "--train-labels", ty.toString(), "--batch", "32",
                "--seed", "5", "--augment", "crop:2,hflip", "--calib", calib, "-o", fromNpy.toString());
        assertEquals(0, n.code(), n.err());
        assertEquals(Files.readString(fromNpy), Files.readString(fromFolder), "same pixels, labels, order and seed: same training");
        // a different seed shuffles differently
        Path other = tmp.resolve("other.nnir");
        assertEquals(0, nncc("qat", model, "--train-data", train.toString(), "--batch", "32", "--seed", "6", "--augment", "crop:2,hflip",
                "--calib", calib, "-o", other.toString()).code());
        assertFalse(Files.readString(other).equals(Files.readString(fromFolder)), "the seed decides the order");
    }

    @Test void imageFolderErrorsNameTheFolderOrFile() throws Exception {
        Path train = tmp.resolve("train");
        writeFolder(train, 0, 30);
        String model = example("fashion_cnn_bn.onnx").toString(), out = tmp.resolve("o.nnir").toString();
        Path eval = tmp.resolve("eval");
        writeFolder(eval, 0, 30);
        Files.move(eval.resolve("class_3"), eval.resolve("class_x"));
        assertBadInput(nncc("qat", model, "--train-data", train.toString(), "--eval-data", eval.toString(), "-o", out), "class_x");
        assertBadInput(nncc("qat", model, "--train-data", train.toString(), "--train-labels", example("sample_labels.npy").toString(),
                "-o", out), "class folders");
        Files.createDirectories(train.resolve("class_9_empty"));
        assertBadInput(nncc("qat", model, "--train-data", train.toString(), "-o", out), "11 class folders", "has 10 classes");
        Files.delete(train.resolve("class_9_empty"));
        Path small = tmp.resolve("small");
        Files.createDirectories(small.resolve("b_empty"));
        Files.createDirectories(small.resolve("a"));
        try (var files = Files.list(train.resolve("class_0"))) {
            Path one = files.findFirst().orElseThrow();
            Files.copy(one, small.resolve("a").resolve(one.getFileName()));
        }
        assertBadInput(nncc("qat", model, "--train-data", small.toString(), "-o", out), "b_empty", "no images");
        Path bad = train.resolve("class_2").resolve("broken.png");
        Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        assertBadInput(nncc("qat", model, "--train-data", train.toString(), "-o", out), "broken.png");
        Files.delete(bad);
        Path empty = Files.createDirectories(tmp.resolve("nothing"));
        assertBadInput(nncc("qat", model, "--train-data", empty.toString(), "-o", out), "nothing", "no class subfolders");
        assertFalse(Files.exists(Path.of(out)), "no output after an error");
    }
}
