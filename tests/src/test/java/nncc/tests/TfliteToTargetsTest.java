package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An imported int8 TFLite model (TFLite Micro's person_detect) needs no calibration and goes to every target like
 * any lowered graph: {@code compile --target hls} (C simulation), {@code java} (the emitted program) and {@code cpu}
 * ({@code nncc run --raw} on the written model.nnir) give the .tflite's own integers, element for element, on
 * person.bmp, no_person.bmp and seeded random int8 inputs; {@code --target onnx} writes the QDQ form, which ONNX
 * Runtime runs within 1 LSB of nncc's reference of the written model.nnir and with the same predicted class as the
 * TFLite arithmetic on both images (and micro_speech's export on random inputs).
 */
class TfliteToTargetsTest {
    @TempDir Path tmp;

    private static final String[] IMAGES = {"person.bmp", "no_person.bmp"};

    private static Path model() { return TfliteFixtures.dir().resolve("person_detect.tflite"); }

    /** The two images' pixels as the model's int8 codes (the bytes reinterpreted, as TFLite Micro's test copies them), then random codes. */
    private static List<List<Tensor>> samples(Graph g, int random) {
        Value in = g.inputs().get(0);
        List<List<Tensor>> samples = new ArrayList<>();
        for (String image : IMAGES) {
            byte[] px = TfliteFixtures.bmpPixels(TfliteFixtures.dir().resolve("person_detection").resolve(image));
            long[] codes = new long[px.length];
            for (int i = 0; i < px.length; i++) codes[i] = px[i];
            samples.add(List.of(Tensor.ofLongs(in.type().dtype(), in.type().shape(), codes)));
        }
        samples.addAll(randomSamples(g, random));
        return samples;
    }

    /** Seeded uniform int8 codes for the graph's one input. */
    private static List<List<Tensor>> randomSamples(Graph g, int count) {
        Value in = g.inputs().get(0);
        List<List<Tensor>> samples = new ArrayList<>();
        Random rnd = new Random(96);
        for (int s = 0; s < count; s++) {
            long[] codes = new long[HlsCSim.sampleSize(in)];
            for (int i = 0; i < codes.length; i++) codes[i] = rnd.nextInt(256) - 128;
            samples.add(List.of(Tensor.ofLongs(in.type().dtype(), in.type().shape(), codes)));
        }
        return samples;
    }

    /** {@code nncc compile person_detect.tflite --target T -o OUT} with no calibration; the written model.nnir. */
    private Graph compile(String target, Path out) throws Exception {
        CliTest.Result r = CliTest.nncc("compile", model().toString(), "--target", target, "-o", out.toString());
        assertEquals(0, r.code(), "compile --target " + target + ": " + r.err());
        return IrParser.parse(out.resolve("model.nnir"));
    }

    /** The imported .tflite's integers (TFLite's reference arithmetic) on the samples. */
    private static List<List<long[]>> tfliteIntegers(List<List<Tensor>> samples) {
        return HlsCSim.reference(TfliteFixtures.load(model()), samples);
    }

    @Test void hlsCSimulationGivesTheTfliteIntegers() throws Exception {
        HlsCSim.apTypes();
        Path out = tmp.resolve("hls");
        Graph g = compile("hls", out);
        List<List<Tensor>> samples = samples(g, 8);
        List<List<long[]>> reference = HlsCSim.reference(g, samples);
        HlsCSim.assertSame(tfliteIntegers(samples), reference);
        HlsCSim.assertSame(reference, HlsCSim.run(out, g, samples));
        assertPersonScores(reference);
    }

    @Test void javaProgramGivesTheTfliteIntegers() throws Exception {
        Path out = tmp.resolve("java");
        Graph g = compile("java", out);
        List<List<Tensor>> samples = samples(g, 30);
        List<List<long[]>> reference = HlsCSim.reference(g, samples);
        HlsCSim.assertSame(tfliteIntegers(samples), reference);
        HlsCSim.assertSame(reference, JavaProgram.compile(out, "Model", tmp.resolve("classes")).run(g, samples));
    }

    /** {@code nncc run --raw} on the written model.nnir and on the .tflite itself: the same integers for every sample. */
    @Test void cpuTargetRunsTheTfliteIntegers() throws Exception {
        Path out = tmp.resolve("cpu");
        Graph g = compile("cpu", out);
        List<List<Tensor>> samples = samples(g, 30);
        Path x = tmp.resolve("x.npy"), fromNnir = tmp.resolve("nnir.npy"), fromTflite = tmp.resolve("tflite.npy");
        Npy.write(x, Tensor.concatBatch(samples.stream().map(List::getFirst).toList()));
        CliTest.Result a = CliTest.nncc("run", out.resolve("model.nnir").toString(), "--input", x.toString(), "--output", fromNnir.toString(), "--raw");
        assertEquals(0, a.code(), a.err());
        CliTest.Result b = CliTest.nncc("run", model().toString(), "--input", x.toString(), "--output", fromTflite.toString(), "--raw");
        assertEquals(0, b.code(), b.err());
        Tensor y = Npy.read(fromNnir);
        assertEquals(DType.I8, y.dtype());
        assertEquals(2L * samples.size(), y.shape().numElements());
        assertArrayEquals(Npy.read(fromTflite).toLongs(), y.toLongs());
        long[] expected = tfliteIntegers(samples).stream().flatMapToLong(s -> java.util.Arrays.stream(s.get(0))).toArray();
        assertArrayEquals(expected, y.toLongs());
        System.out.println("--target cpu: nncc run --raw on model.nnir equals the .tflite on " + samples.size() + " samples");
    }

    /**
     * The QDQ export of the imported model in ONNX Runtime against nncc's reference of the written model.nnir (which
     * the onnx profile's onnx-rounding put in ONNX Runtime's requantization arithmetic): within 1 LSB on at least
     * 99.9 % of the output elements, and the same class as the TFLite arithmetic on both images.
     */
    @Test void onnxExportAgreesWithOnnxRuntime() throws Exception {
        Path out = tmp.resolve("onnx");
        Graph g = compile("onnx", out);
        assertTrue(Files.exists(out.resolve("model.onnx")));
        Value in = g.inputs().get(0), y = g.outputs().get(0);
        List<List<Tensor>> samples = samples(g, 300);
        List<List<long[]>> reference = HlsCSim.reference(g, samples), tflite = tfliteIntegers(samples);
        List<long[]> ort = ortOutputs(out, g, samples);
        QuantParams q = y.type().quant();
        for (int s = 0; s < IMAGES.length; s++) {
            long[] o = ort.get(s), t = tflite.get(s).get(0);
            System.out.printf("%s: ONNX Runtime [no person %d, person %d], TFLite arithmetic [%d, %d]%n", IMAGES[s], o[0], o[1], t[0], t[1]);
            assertEquals(argmax(t), argmax(o), IMAGES[s] + ": ONNX Runtime's class against the TFLite arithmetic's");
        }
        OrtRunner.Agreement total = agreement(ort, reference);
        System.out.println("person_detect QDQ export, ONNX Runtime vs nncc's model.nnir over " + samples.size() + " samples: " + total);
        assertTrue(total.fractionWithinOneLsb() >= 0.999, total.toString());
        // for the record (no bound: the .tflite rounds as TFLite's reference kernels, the QDQ model as ONNX Runtime)
        System.out.println("person_detect QDQ export, ONNX Runtime vs the .tflite's own integers: " + agreement(ort, tflite));
        assertPersonScores(tflite);
    }

    /** micro_speech (a 4-class softmax) the same way, on 300 random int8 inputs. */
    @Test void microSpeechOnnxExportAgreesWithOnnxRuntime() throws Exception {
        Path out = tmp.resolve("micro_speech");
        CliTest.Result r = CliTest.nncc("compile", TfliteFixtures.dir().resolve("micro_speech_quantized.tflite").toString(), "--target", "onnx",
                "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        Graph g = IrParser.parse(out.resolve("model.nnir"));
        List<List<Tensor>> samples = randomSamples(g, 300);
        OrtRunner.Agreement total = agreement(ortOutputs(out, g, samples), HlsCSim.reference(g, samples));
        System.out.println("micro_speech QDQ export, ONNX Runtime vs nncc's model.nnir over " + samples.size() + " samples: " + total);
        assertTrue(total.fractionWithinOneLsb() >= 0.999, total.toString());
    }

    /** ONNX Runtime on OUT/model.onnx, each sample's codes fed as the floats they stand for, the output back on its grid. */
    private static List<long[]> ortOutputs(Path out, Graph g, List<List<Tensor>> samples) throws Exception {
        byte[] onnx = Files.readAllBytes(out.resolve("model.onnx"));
        Value in = g.inputs().get(0), y = g.outputs().get(0);
        List<long[]> result = new ArrayList<>();
        for (List<Tensor> sample : samples) {
            Tensor ort = OrtRunner.runFloat(onnx, List.of(OrtRunner.dequantize(sample.get(0), in.type().quant()))).get(0);
            result.add(OrtRunner.onGrid(ort, y.type().quant(), y.type().dtype()));
        }
        return result;
    }

    private static OrtRunner.Agreement agreement(List<long[]> ort, List<List<long[]>> reference) {
        long count = 0, exact = 0, within = 0, max = 0;
        for (int s = 0; s < ort.size(); s++) {
            long[] a = ort.get(s), b = reference.get(s).get(0);
            assertEquals(b.length, a.length, "output elements");
            for (int i = 0; i < a.length; i++) {
                long d = Math.abs(a[i] - b[i]);
                count++;
                if (d == 0) exact++;
                if (d <= 1) within++;
                max = Math.max(max, d);
            }
        }
        return new OrtRunner.Agreement(count, exact, within, max);
    }

    @Test void floatModelWithoutCalibrationIsStillAOneLineError() {
        Path out = tmp.resolve("float");
        CliTest.assertBadInput(CliTest.nncc("compile", TestPaths.example().resolve("fashion_cnn.onnx").toString(), "--target", "onnx",
                "-o", out.toString()), "--calib");
        assertFalse(Files.exists(out), "no output after a failed compile");
    }

    /** TFLite Micro's own expectations on the two images (samples 0 and 1). */
    private static void assertPersonScores(List<List<long[]>> outputs) {
        long[] person = outputs.get(0).get(0), noPerson = outputs.get(1).get(0);
        assertTrue(person[1] > person[0] && noPerson[0] > noPerson[1],
                "person.bmp " + java.util.Arrays.toString(person) + ", no_person.bmp " + java.util.Arrays.toString(noPerson));
    }

    private static int argmax(long[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
