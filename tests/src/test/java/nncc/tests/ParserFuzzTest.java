package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;
import nncc.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A mutational fuzzer for the ONNX, .nnir, .npy, TFLite and image readers (Jazzer is not among the Maven artifacts here).
 * Seed files from the repository are mutated (for ONNX, half of them structure-aware by {@link OnnxMutator}; bit flips, interesting bytes and integers, deleted, duplicated
 * and spliced ranges, and for text: numbers replaced by huge ones, brackets repeated); a reader must either
 * return a graph or tensor or throw a {@link ModelException}. A graph it returns must print as .nnir and read
 * back to the same text. Any other throwable (a RuntimeException, StackOverflowError, OutOfMemoryError) is a
 * crasher: its input is written to {@code target/fuzz-crashers/} and the test fails naming the iteration.
 *
 * <p>Deterministic: iteration {@code i} of format {@code f} mutates with {@code new SplittableRandom(seed(f, i))},
 * so {@code -Dnncc.fuzz.replay=FORMAT:ITERATION} reproduces one case. The time budget per format is
 * {@code -Dnncc.fuzz.seconds} (default 4 s, so CI stays fast); the iteration count reached is printed.
 */
class ParserFuzzTest {
    private static final double SECONDS = Double.parseDouble(System.getProperty("nncc.fuzz.seconds", "4"));

    interface Reader { void read(byte[] input) throws Exception; }

    @Test @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void onnxReader() throws Exception {
        Path models = TestPaths.models(), bad = TestPaths.root().resolve("tests/src/test/resources/malformed");
        fuzz("onnx", List.of(models.resolve("mlp_opset9.onnx"), models.resolve("cnn_convtranspose.onnx"), bad.resolve("conv_batch1.onnx"),
                bad.resolve("pad_2pow40.onnx")), false, bytes -> roundTrips(OnnxImporter.load(bytes, "fuzz.onnx")));
    }

    @Test @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void nnirReader() throws Exception {
        Path bad = TestPaths.root().resolve("tests/src/test/resources/malformed");
        Path fashion = TestPaths.root().resolve("ir/src/test/resources/nncc/ir/text/fashion_cnn.nnir");
        fuzz("nnir", List.of(fashion, bad.resolve("bom.nnir"), bad.resolve("zp_300_on_i8.nnir")), true,
                bytes -> roundTrips(IrParser.parse(new String(bytes, StandardCharsets.UTF_8), "fuzz.nnir")));
    }

    @Test @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void tfliteReader() throws Exception {
        Path micro = TfliteFixtures.dir();
        fuzz("tflite", List.of(micro.resolve("hello_world_int8.tflite"), micro.resolve("micro_speech_quantized.tflite"),
                micro.resolve("seanet/add/add0.tflite")), false,
                bytes -> roundTrips(nncc.tpu.TfliteImporter.load(bytes, "fuzz.tflite")));
    }

    @Test @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void npyReader() throws Exception {
        Path bad = TestPaths.root().resolve("tests/src/test/resources/malformed");
        fuzz("npy", List.of(bad.resolve("calib4.npy"), TestPaths.models().resolve("mlp_opset9.input.npy")), false,
                bytes -> Npy.parse(bytes, "fuzz.npy"));
    }

    /**
     * Image files as calibration folders read them (PNG, JPEG, BMP, grey and colour, made here, plus the TFLite
     * Micro person BMPs): a decoded image or a one-line refusal, never a decoder exception or a forged size that
     * allocates gigabytes.
     */
    @Test @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void imageReader() throws Exception {
        Path dir = Files.createTempDirectory("nncc-fuzz-images");
        List<Path> seeds = new ArrayList<>();
        java.awt.image.BufferedImage grey = new java.awt.image.BufferedImage(8, 6, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        java.awt.image.BufferedImage rgb = new java.awt.image.BufferedImage(7, 5, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 5; y++) for (int x = 0; x < 7; x++) { rgb.setRGB(x, y, x * 0x250000 + y * 0x3300 + 0x40); grey.getRaster().setSample(x, y, 0, 30 * x + y); }
        for (String fmt : List.of("png", "jpg", "bmp"))
            for (var img : List.of(grey, rgb)) {
                Path f = dir.resolve(img.getType() + "." + fmt);
                javax.imageio.ImageIO.write(img, fmt, f.toFile());
                seeds.add(f);
            }
        seeds.add(TfliteFixtures.dir().resolve("person_detection/no_person.bmp"));
        fuzz("image", seeds, false, bytes -> {
            nncc.passes.calib.ImagePlanes.Image img = nncc.passes.calib.ImagePlanes.read(bytes, "fuzz.img");
            assertTrue(img.width() > 0 && img.height() > 0 && img.planes().length >= 1);
        });
    }

    /**
     * Crashers the TFLite fuzzing found (a declared rank of 842,019,423; a negative tensor count; a tensor of a type nncc
     * does not know reaching the size limit check): one-line errors.
     */
    @Test
    void tfliteCrashersAreRefusedWithOneLine() throws Exception {
        Path bad = TestPaths.root().resolve("tests/src/test/resources/malformed");
        for (String f : List.of("tflite_rank_2pow30.tflite", "tflite_negative_tensor_count.tflite", "tflite_unknown_type_size_check.tflite")) {
            byte[] bytes = java.nio.file.Files.readAllBytes(bad.resolve(f));
            nncc.ir.ModelException e = org.junit.jupiter.api.Assertions.assertThrows(nncc.ir.ModelException.class,
                    () -> nncc.tpu.TfliteImporter.load(bytes, f));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(f) && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    private static void roundTrips(Graph g) {
        String once = IrPrinter.print(g);
        assertEquals(once, IrPrinter.print(IrParser.parse(once, "printed.nnir")), "printed graph reads back");
    }

    private static void fuzz(String format, List<Path> seedFiles, boolean text, Reader reader) throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        for (Path p : seedFiles) seeds.add(Files.readAllBytes(p));
        String replay = System.getProperty("nncc.fuzz.replay");
        long first = 0, last = Long.MAX_VALUE;
        if (replay != null) {
            if (!replay.startsWith(format + ":")) return;
            first = last = Long.parseLong(replay.substring(format.length() + 1));
        }
        long deadline = System.nanoTime() + (long) (SECONDS * 1e9);
        long i = first, refused = 0;
        for (; i <= last && (replay != null || System.nanoTime() < deadline); i++) {
            SplittableRandom rnd = new SplittableRandom(seed(format, i));
            byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
            byte[] input = format.equals("onnx") && rnd.nextBoolean() ? OnnxMutator.mutate(seed, rnd) : Mutator.mutate(seed, seeds, rnd, text);
            try {
                reader.read(input);
            } catch (ModelException e) {
                refused++;
                assertTrue(e.getMessage().length() <= ModelException.MAX_MESSAGE + 100, "message clipped");
            } catch (Throwable t) {
                Path dir = TestPaths.root().resolve("tests/target/fuzz-crashers");
                Files.createDirectories(dir);
                Path f = dir.resolve(format + "-" + i + "." + format);
                Files.write(f, input);
                throw new AssertionError(format + " reader crashed on iteration " + i + " (replay with -Dnncc.fuzz.replay="
                        + format + ":" + i + "; input in " + f + "): " + t, t);
            }
        }
        System.out.printf("ParserFuzzTest: %s: %d mutated inputs, %d refused with a ModelException, 0 crashes%n", format, i - first, refused);
    }

    private static long seed(String format, long i) { return format.hashCode() * 0x9E3779B97F4A7C15L + i; }
}
