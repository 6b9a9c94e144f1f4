package nncc.passes.calib;

import static nncc.passes.calib.CalibrationDataTest.batched;
import static nncc.passes.calib.CalibrationDataTest.inputs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image folders: PNG files with known pixels written to a temporary folder, the tensors checked after
 * preprocessing (hand-computed; float tolerance 1e-6, the rounding of a few float operations on values < 2).
 */
class ImageFolderDataTest {
    @TempDir Path dir;

    void grey(String name, int w, int h, int... pixels) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < pixels.length; i++) img.getRaster().setSample(i % w, i / w, 0, pixels[i]);
        ImageIO.write(img, "png", dir.resolve(name).toFile());
    }

    void rgb(String name, int w, int h, int... rgbs) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < rgbs.length; i++) img.setRGB(i % w, i / w, rgbs[i]);
        ImageIO.write(img, "png", dir.resolve(name).toFile());
    }

    static float[] times(float[] v, double f) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (float) (v[i] * f);
        return r;
    }

    @Test void greyImageAsIsScaledTo01() throws IOException {
        grey("a.png", 2, 2, 0, 51, 255, 102);
        CalibrationData d = CalibrationData.fromImages(inputs(batched(DType.F32, 1, 2, 2)), dir, Preprocess.defaults());
        Tensor t = d.batch(0, 1).get(0);
        assertEquals(Shape.of(1, 1, 2, 2), t.shape());
        assertArrayEquals(new float[] {0, 0.2f, 1, 0.4f}, t.toFloats(), 1e-6f);
    }

    @Test void bilinearResizeWithHalfPixelCentres() throws IOException {
        // 2x2 -> 4x4: sample positions (x + 0.5)/2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1)
        grey("a.png", 2, 2, 0, 100, 200, 40);
        CalibrationData d = CalibrationData.fromImages(inputs(batched(DType.F32, 1, 4, 4)), dir, Preprocess.defaults().withScale(1));
        float[] want = {
            0, 25, 75, 100,              // top row
            50, 58.75f, 76.25f, 85,      // 3/4 top + 1/4 bottom
            150, 126.25f, 78.75f, 55,    // 1/4 top + 3/4 bottom
            200, 160, 80, 40};           // bottom row
        assertArrayEquals(want, d.batch(0, 1).get(0).toFloats(), 1e-4f);
    }

    @Test void rgbMeanStdNchwAndNhwc() throws IOException {
        rgb("a.png", 2, 1, 0xFF8000, 0x0000FF); // (255, 128, 0), (0, 0, 255)
        Preprocess p = Preprocess.defaults().withMeanStd(new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.25, 1});
        // (v/255 - 0.5) / std: R 1 -> 1, 0 -> -1; G 128/255 -> 0.0039216/0.25, 0 -> -2; B 0 -> -0.5, 1 -> 0.5
        float g = (float) ((128 / 255.0 - 0.5) / 0.25);
        Tensor nchw = CalibrationData.fromImages(inputs(batched(DType.F32, 3, 1, 2)), dir, p).batch(0, 1).get(0);
        assertArrayEquals(new float[] {1, -1, g, -2, -0.5f, 0.5f}, nchw.toFloats(), 1e-6f);
        Tensor nhwc = CalibrationData.fromImages(inputs(batched(DType.F32, 1, 2, 3)), dir,
                p.withLayout(Preprocess.Layout.NHWC)).batch(0, 1).get(0);
        assertEquals(Shape.of(1, 1, 2, 3), nhwc.shape());
        assertArrayEquals(new float[] {1, g, -0.5f, -1, -2, 0.5f}, nhwc.toFloats(), 1e-6f);
        Tensor bgr = CalibrationData.fromImages(inputs(batched(DType.F32, 3, 1, 2)), dir,
                Preprocess.defaults().withChannels(Preprocess.ChannelOrder.BGR)).batch(0, 1).get(0);
        assertArrayEquals(new float[] {0, 1, 128 / 255f, 0, 1, 0}, bgr.toFloats(), 1e-6f);
    }

    @Test void colourImageForAOneChannelModelIsLuminance() throws IOException {
        rgb("a.png", 3, 1, 0xFF0000, 0x00FF00, 0x808080);
        Tensor t = CalibrationData.fromImages(inputs(batched(DType.F32, 1, 1, 3)), dir, Preprocess.defaults()).batch(0, 1).get(0);
        assertArrayEquals(new float[] {0.299f, 0.587f, 128 / 255f}, t.toFloats(), 1e-6f);
    }

    @Test void filesAreSortedByNameAndBatched() throws IOException {
        grey("b.png", 1, 1, 20);
        grey("c.PNG", 1, 1, 30);
        grey("a.png", 1, 1, 10);
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        ImageFolderData d = (ImageFolderData) CalibrationData.open(inputs(batched(DType.F32, 1, 1, 1)), dir,
                Preprocess.defaults().withScale(1));
        assertEquals(3, d.sampleCount());
        assertEquals(List.of("a.png", "b.png", "c.PNG"), d.images().stream().map(p -> p.getFileName().toString()).toList());
        assertArrayEquals(new float[] {20, 30}, d.batch(1, 2).get(0).toFloats());
        assertEquals(Shape.of(2, 1, 1, 1), d.batch(1, 2).get(0).shape());
    }

    @Test void bmpAndJpegAreRead() throws IOException {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 4; i++) img.setRGB(i % 2, i / 2, 0x336699);
        ImageIO.write(img, "bmp", dir.resolve("a.bmp").toFile());
        ImageIO.write(img, "jpeg", dir.resolve("b.jpg").toFile());
        CalibrationData d = CalibrationData.fromImages(inputs(batched(DType.F32, 3, 2, 2)), dir, Preprocess.defaults().withScale(1));
        float[] v = d.batch(0, 2).get(0).toFloats();
        for (int i = 0; i < 4; i++) {
            assertEquals(0x33, v[i]);       // the BMP is lossless: R plane
            assertEquals(0x99, v[8 + i]);   // B plane
            assertEquals(0x66, v[12 + 4 + i], 4, "JPEG, lossy: within 4 levels"); // second sample, G plane
        }
    }

    @Test void explicitSizeForASymbolicModel() throws IOException {
        grey("a.png", 2, 2, 0, 100, 200, 40);
        TensorType anySize = TensorType.of(DType.F32, Shape.withSymbols(new long[] {0, 1, 0, 0}, new String[] {"N", null, "H", "W"}));
        ModelException e = assertThrows(ModelException.class, () -> CalibrationData.fromImages(inputs(anySize), dir, Preprocess.defaults()));
        assertTrue(e.getMessage().contains("has a symbolic height; give the image size"), e.getMessage());
        CalibrationData d = CalibrationData.fromImages(inputs(anySize), dir, Preprocess.defaults().withSize(1, 1).withScale(1));
        // 2x2 -> 1x1 samples the centre (0.5, 0.5): the mean of the four pixels
        assertArrayEquals(new float[] {85}, d.batch(0, 1).get(0).toFloats(), 1e-4f);
    }

    @Test void folderErrors() throws IOException {
        Graph g = inputs(batched(DType.F32, 1, 2, 2));
        Path missing = dir.resolve("missing");
        ModelException e = assertThrows(ModelException.class, () -> CalibrationData.fromImages(g, missing, Preprocess.defaults()));
        assertEquals(missing + ": no such folder", e.getMessage());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Files.writeString(empty.resolve("readme.txt"), "x");
        e = assertThrows(ModelException.class, () -> CalibrationData.fromImages(g, empty, Preprocess.defaults()));
        assertEquals(empty + ": no images (.png, .jpg, .jpeg, .bmp) in folder", e.getMessage());
    }

    @Test void unreadableImageIsNamed() throws IOException {
        grey("a.png", 2, 2, 1, 2, 3, 4);
        Path bad = dir.resolve("b.png");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5});
        CalibrationData d = CalibrationData.fromImages(inputs(batched(DType.F32, 1, 2, 2)), dir, Preprocess.defaults());
        d.batch(0, 1);
        ModelException e = assertThrows(ModelException.class, () -> d.batch(0, 2));
        assertTrue(e.getMessage().startsWith(bad + ": cannot read image"), e.getMessage());
    }

    @Test void modelMismatches() throws IOException {
        grey("a.png", 1, 1, 1);
        ModelException e = assertThrows(ModelException.class, () -> CalibrationData.fromImages(
                inputs(batched(DType.F32, 1, 1, 1), batched(DType.F32, 2)), dir, Preprocess.defaults()));
        assertTrue(e.getMessage().contains("an image folder feeds a model with one input; this one takes 2"), e.getMessage());
        e = assertThrows(ModelException.class, () -> CalibrationData.fromImages(inputs(batched(DType.F32, 4, 1, 1)), dir, Preprocess.defaults()));
        assertTrue(e.getMessage().endsWith("input 'x0' f32[?N,4,1,1] has 4 channels in dim 1 (NCHW), not 1 or 3; check the layout"), e.getMessage());
        e = assertThrows(ModelException.class, () -> CalibrationData.fromImages(inputs(batched(DType.F32, 3, 1, 1)), dir,
                Preprocess.defaults().withChannels(Preprocess.ChannelOrder.GREY)));
        assertTrue(e.getMessage().contains("GREY needs a 1-channel input"), e.getMessage());
        e = assertThrows(ModelException.class, () -> CalibrationData.fromImages(inputs(batched(DType.F32, 1, 2, 2)), dir,
                Preprocess.defaults().withSize(3, 3)));
        assertTrue(e.getMessage().contains("resize height 3 does not match"), e.getMessage());
        e = assertThrows(ModelException.class, () -> CalibrationData.fromImages(inputs(batched(DType.F32, 1, 2, 2)), dir,
                Preprocess.defaults().withMeanStd(new double[] {0, 0}, new double[] {1})));
        assertTrue(e.getMessage().contains("mean and std need 1 entry for input"), e.getMessage());
    }
}
