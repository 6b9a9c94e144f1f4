package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nncc import/inspect/run} on .tflite files (told apart by content), and their one-line errors. */
class TfliteCliTest {
    @TempDir Path tmp;

    @Test
    void importedTextIrRunsLikeTheTfliteFile() throws Exception {
        Path model = TfliteFixtures.dir().resolve("micro_speech_quantized.tflite");
        Path renamed = tmp.resolve("model.bin"); // content, not the extension, says TFLite
        Files.copy(model, renamed);
        Path ir = tmp.resolve("ms.nnir");
        assertEquals(0, CliTest.nncc("import", renamed.toString(), "-o", ir.toString()).code());
        long[] codes = new long[1960];
        for (int i = 0; i < codes.length; i++) codes[i] = (i * 37 % 256) - 128;
        Path x = tmp.resolve("x.npy");
        Npy.write(x, Tensor.ofLongs(DType.I8, Shape.of(1, 1960), codes));
        Path a = tmp.resolve("a.npy"), b = tmp.resolve("b.npy");
        CliTest.Result ra = CliTest.nncc("run", model.toString(), "--input", x.toString(), "--output", a.toString(), "--raw");
        assertEquals(0, ra.code(), ra.err());
        assertEquals(0, CliTest.nncc("run", ir.toString(), "--input", x.toString(), "--output", b.toString(), "--raw").code());
        Tensor ya = Npy.read(a), yb = Npy.read(b);
        assertEquals(DType.I8, ya.dtype());
        assertEquals(Shape.of(1, 4), ya.shape());
        assertArrayEquals(ya.toLongs(), yb.toLongs());
        CliTest.Result inspect = CliTest.nncc("inspect", model.toString());
        assertEquals(0, inspect.code());
        assertTrue(inspect.out().contains("QConv") && inspect.out().contains("QGemm") && inspect.out().contains("QSoftmax"), inspect.out());
    }

    @Test
    void floatRunQuantizesAndDequantizesAtTheEdges() throws Exception {
        // hello_world predicts sin(x): x = 1.5 gives about 0.997 (the int8 model is within a few output steps)
        Path model = TfliteFixtures.dir().resolve("hello_world_int8.tflite");
        Path x = tmp.resolve("x.npy"), y = tmp.resolve("y.npy");
        Npy.write(x, Tensor.ofFloats(Shape.of(1, 1), 1.5f));
        CliTest.Result r = CliTest.nncc("run", model.toString(), "--input", x.toString(), "--output", y.toString());
        assertEquals(0, r.code(), r.err());
        float got = Npy.read(y).toFloats()[0];
        assertEquals(Math.sin(1.5), got, 0.1, "hello_world(1.5)");
    }

    @Test
    void unsupportedOpsAndBrokenFilesAreOneLineErrors() throws Exception {
        Path dir = TfliteFixtures.dir();
        CliTest.assertBadInput(CliTest.nncc("inspect", dir.resolve("keyword_scrambled_8bit.tflite").toString()),
                "op 1", "SVDF", "builtin code 27", "version 3");
        CliTest.assertBadInput(CliTest.nncc("inspect", dir.resolve("trained_lstm_int8.tflite").toString()),
                "UNIDIRECTIONAL_SEQUENCE_LSTM", "builtin code 44");
        Path cut = tmp.resolve("cut.tflite");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(dir.resolve("person_detect.tflite")), 3000));
        Path out = tmp.resolve("cut.nnir");
        CliTest.assertBadInput(CliTest.nncc("import", cut.toString(), "-o", out.toString()), "cut.tflite", "malformed TFLite flatbuffer");
        assertFalse(Files.exists(out), "no output after a failed import");
    }

    @Test
    void importInTheRuntimesArithmeticRunsAsTheTfliteRuntime() throws Exception {
        Path model = TfliteFixtures.dir().resolve("mobilenet_v2_quantized_1x3x224x224.tflite");
        Path ir = tmp.resolve("mnv2.nnir");
        CliTest.Result imported = CliTest.nncc("import", model.toString(), "--tflite-arithmetic", "runtime", "-o", ir.toString());
        assertEquals(0, imported.code(), imported.err());
        byte[] raw = new byte[3 * 224 * 224];
        new java.util.Random(23).nextBytes(raw);
        long[] codes = new long[raw.length];
        for (int i = 0; i < raw.length; i++) codes[i] = raw[i];
        Path x = tmp.resolve("x.npy"), bin = tmp.resolve("x.bin"), y = tmp.resolve("y.npy");
        Npy.write(x, Tensor.ofLongs(DType.I8, Shape.of(1, 3, 224, 224), codes));
        Files.write(bin, raw);
        CliTest.Result r = CliTest.nncc("run", ir.toString(), "--input", x.toString(), "--output", y.toString(), "--raw");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(TfliteRun.run(model, java.util.List.of(bin)).get(0), Npy.read(y).toLongs(),
                "nncc import --tflite-arithmetic runtime, then run: the TFLite runtime's logits");
        CliTest.assertBadInput(CliTest.nncc("import", ir.toString(), "--tflite-arithmetic", "runtime", "-o", tmp.resolve("z.nnir").toString()),
                "mnv2.nnir", "--tflite-arithmetic needs a .tflite model");
    }
}
