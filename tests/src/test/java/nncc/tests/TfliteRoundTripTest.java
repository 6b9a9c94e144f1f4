package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.tpu.TfliteImporter;
import nncc.tpu.TfliteWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TFLite files read by nncc and written back by its writer: the written file computes the same integers in nncc
 * (read again), and the same numbers as the original on the TFLite runtime. person_detect, which the runtime refuses
 * (a bias's quantized_dimension out of range), loads once nncc has rewritten it, and ranks its test images right.
 */
class TfliteRoundTripTest {
    @TempDir Path tmp;

    private static byte[] rewrite(Path model) throws Exception {
        return TfliteWriter.write(TfliteLegalized.of(TfliteImporter.load(Files.readAllBytes(model), model.toString())));
    }

    @Test
    void writtenFilesComputeTheSameIntegersInNncc() throws Exception {
        Path dir = TfliteFixtures.dir();
        for (String name : List.of("person_detect.tflite", "micro_speech_quantized.tflite", "mobilenet_v2_quantized_1x3x224x224.tflite",
                "seanet/conv/conv0.tflite", "seanet/add/add0.tflite", "seanet/pad/pad0.tflite", "seanet/quantize/quantize0.tflite",
                "seanet/leaky_relu/leaky_relu0.tflite", "seanet/quantize/quantize1.tflite", "seanet/transpose_conv/transpose_conv0.tflite",
                "seanet/transpose_conv/transpose_conv3.tflite")) {
            Path model = dir.resolve(name);
            Graph original = TfliteFixtures.load(model);
            Graph again = TfliteImporter.load(rewrite(model), "rewritten " + name);
            List<Tensor> inputs = randomInputs(original, 3);
            assertEquals(original.inputs().size(), again.inputs().size());
            long[] a = Interpreter.prepare(original).run(inputs).get(0).toLongs();
            long[] b = Interpreter.prepare(again).run(inputs).get(0).toLongs();
            assertArrayEquals(a, b, name + " read back after nncc wrote it");
        }
    }

    @Test
    void theRuntimeComputesTheSameOnWrittenAndOriginalFiles() throws Exception {
        Path dir = TfliteFixtures.dir();
        for (String name : List.of("micro_speech_quantized.tflite", "mobilenet_v2_quantized_1x3x224x224.tflite")) {
            Path model = dir.resolve(name), written = tmp.resolve("written-" + name);
            Files.write(written, rewrite(model));
            Graph g = TfliteFixtures.load(model);
            Value in = g.inputs().get(0);
            byte[] x = new byte[(int) in.type().shape().numElements()];
            new Random(3).nextBytes(x);
            Path input = tmp.resolve(name + ".bin");
            Files.write(input, x);
            long[] original = TfliteRun.run(model, List.of(input)).get(0), rewritten = TfliteRun.run(written, List.of(input)).get(0);
            assertArrayEquals(original, rewritten, name + " on the TFLite runtime, original vs written by nncc");
        }
    }

    /**
     * 16x8 TRANSPOSE_CONV (seanet) read as QConvTranspose and written back: the runtime computes on the written file exactly
     * what nncc computes (which equals TFLite's reference goldens, TfliteConformanceTest). The output_shape input, a
     * run-time tensor in these files, is fed the output's shape.
     */
    @Test
    void theRuntimeComputesNnccsIntegersOnWrittenTransposeConvs() throws Exception {
        Path dir = TfliteFixtures.dir();
        for (String name : List.of("seanet/transpose_conv/transpose_conv0.tflite", "seanet/transpose_conv/transpose_conv3.tflite")) {
            Path model = dir.resolve(name), written = tmp.resolve("written-" + model.getFileName());
            Files.write(written, rewrite(model));
            Graph g = TfliteFixtures.load(model);
            Random rnd = new Random(11);
            List<Path> inputs = new ArrayList<>();
            for (Value v : g.inputs()) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) v.type().shape().numElements() * v.type().dtype().bits() / 8)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                if (v.type().dtype() == nncc.ir.DType.I32) for (long d : g.outputs().get(0).type().shape().dims()) b.putInt((int) d);
                else rnd.nextBytes(b.array());
                Path f = tmp.resolve(inputs.size() + ".bin");
                Files.write(f, b.array());
                inputs.add(f);
            }
            long[] rewritten = TfliteRun.run(written, inputs).get(0);
            List<Tensor> ins = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                Value v = g.inputs().get(i);
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(inputs.get(i))).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                long[] c = new long[(int) v.type().shape().numElements()];
                for (int k = 0; k < c.length; k++) c[k] = v.type().dtype() == nncc.ir.DType.I32 ? b.getInt() : b.getShort();
                ins.add(Tensor.ofLongs(v.type().dtype(), v.type().shape(), c));
            }
            long[] ours = Interpreter.prepare(g).run(ins).get(0).toLongs();
            assertArrayEquals(ours, rewritten, name + " written by nncc, on the TFLite runtime vs nncc");
            System.out.printf("%s written by nncc: the TFLite runtime equals nncc on all %d outputs%n", name, ours.length);
        }
    }

    @Test
    void personDetectLoadsOnTheRuntimeOnceRewritten() throws Exception {
        Path dir = TfliteFixtures.dir(), written = tmp.resolve("person_detect.tflite");
        Files.write(written, rewrite(dir.resolve("person_detect.tflite")));
        long[][] scores = new long[2][];
        String[] images = {"person.bmp", "no_person.bmp"};
        for (int i = 0; i < 2; i++) {
            Path bin = tmp.resolve(images[i] + ".bin");
            Files.write(bin, TfliteFixtures.bmpPixels(dir.resolve("person_detection").resolve(images[i])));
            scores[i] = TfliteRun.run(written, List.of(bin)).get(0);
        }
        System.out.printf("person_detect rewritten by nncc, TFLite runtime: person.bmp -> [%d, %d]; no_person.bmp -> [%d, %d]%n",
                scores[0][0], scores[0][1], scores[1][0], scores[1][1]);
        assertTrue(scores[0][1] > scores[0][0] && scores[1][0] > scores[1][1], "TFLite Micro's person_detection expectations");
    }

    private static List<Tensor> randomInputs(Graph g, long seed) {
        Random rnd = new Random(seed);
        List<Tensor> r = new ArrayList<>();
        for (Value v : g.inputs()) {
            long[] codes = new long[(int) v.type().shape().numElements()];
            long lo = v.type().dtype().minValue(), span = v.type().dtype().maxValue() - lo + 1;
            for (int i = 0; i < codes.length; i++) codes[i] = lo + Math.floorMod(rnd.nextLong(), span);
            r.add(Tensor.ofLongs(v.type().dtype(), v.type().shape(), codes));
        }
        return r;
    }
}
