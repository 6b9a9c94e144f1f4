package nncc.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import nncc.ir.Graph;
import nncc.tpu.TfliteImporter;
import org.junit.jupiter.api.Assumptions;

/**
 * TFLite Micro's fixtures under {@code nncc.shared}/fixtures/tflite-micro: missing fixtures skip the test with a
 * message, or fail it when NNCC_REQUIRE_FIXTURES=1 (CI).
 */
final class TfliteFixtures {
    private TfliteFixtures() {}

    static boolean required() { return "1".equals(System.getenv("NNCC_REQUIRE_FIXTURES")); }

    static Path dir() {
        String shared = System.getProperty("nncc.shared", TestPaths.root().resolve("../shared").toString());
        Path d = Path.of(shared, "fixtures", "tflite-micro").toAbsolutePath().normalize();
        if (!Files.isDirectory(d)) unavailable("TFLite Micro fixtures missing at " + d);
        return d;
    }

    static void unavailable(String why) {
        if (required()) throw new AssertionError(why + " (NNCC_REQUIRE_FIXTURES=1)");
        Assumptions.abort(why);
    }

    static Graph load(Path model) {
        try {
            return TfliteImporter.load(Files.readAllBytes(model), model.toString());
        } catch (IOException e) {
            throw new AssertionError("cannot read " + model, e);
        }
    }

    /** The comma-separated integers of a one-line CSV fixture. */
    static long[] csv(Path file) {
        try {
            String s = Files.readString(file).trim();
            return Arrays.stream(s.split("[,\\s]+")).filter(t -> !t.isEmpty()).mapToLong(Long::parseLong).toArray();
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    /**
     * The pixels of an 8-bit greyscale BMP in top-down row order, as raw bytes: what TFLite Micro's
     * person_detection test copies (memcpy) into the model's int8 input.
     */
    static byte[] bmpPixels(Path file) {
        try {
            byte[] b = Files.readAllBytes(file);
            int offset = le32(b, 10), width = le32(b, 18), height = le32(b, 22), bpp = (b[28] & 0xFF) | (b[29] & 0xFF) << 8;
            if (bpp != 8) throw new AssertionError(file + ": " + bpp + " bits per pixel, expected 8");
            int rowSize = (width * 8 + 31) / 32 * 4, rows = Math.abs(height);
            byte[] px = new byte[width * rows];
            for (int r = 0; r < rows; r++) {
                int src = offset + (height > 0 ? rows - 1 - r : r) * rowSize;
                System.arraycopy(b, src, px, r * width, width);
            }
            return px;
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
