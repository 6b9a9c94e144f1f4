package nncc.passes.calib;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import nncc.ir.DType;
import nncc.ir.Limits;
import nncc.ir.ModelException;

/**
 * Decodes one image file into float planes of pixel values in 0..255 and reshapes them for a model: channel
 * conversion (grey, RGB, BGR) and bilinear resizing. Grey images are read from their raster directly (ImageIO's
 * RGB view of a grey image applies a gamma curve), scaled to 0..255 whatever their bit depth; colour and
 * palette images go through {@link BufferedImage#getRGB}, i.e. 8-bit sRGB. Alpha is ignored.
 */
public final class ImagePlanes {
    /** A decoded image: one plane (grey) or three (red, green, blue), each {@code width * height}, row-major. */
    public record Image(int width, int height, float[][] planes) {}

    private ImagePlanes() {}

    static Image read(Path file) {
        byte[] bytes;
        try {
            bytes = java.nio.file.Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelException(file.toString(), null, "cannot read image: " + e.getMessage());
        }
        return read(bytes, file.toString());
    }

    /**
     * Decodes image bytes ({@code name} names them in errors). The size the header declares is checked against
     * {@link Limits} (four float planes' worth) before any pixel is decoded, so a forged header cannot make the
     * decoder allocate gigabytes; anything the decoder rejects is a one-line error.
     */
    public static Image read(byte[] bytes, String name) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext())
                throw new ModelException(name, null, "cannot read image: not a PNG, JPEG or BMP that ImageIO decodes");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0), h = reader.getHeight(0);
                if (w <= 0 || h <= 0) throw new ModelException(name, null, "cannot read image: declared size " + w + "x" + h);
                Limits.checkTensor(name + ": image of " + w + "x" + h + " pixels", DType.F32, 4L * w * h);
                BufferedImage img = reader.read(0);
                if (img == null) throw new ModelException(name, null, "cannot read image: no picture in it");
                return decode(img);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ModelException me) throw me;
            throw new ModelException(name, null, "cannot read image: "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
        }
    }

    static Image decode(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        Raster raster = img.getRaster();
        boolean grey = !(img.getColorModel() instanceof IndexColorModel)
                && img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY && raster.getNumBands() <= 2;
        if (grey) {
            double toByte = 255.0 / ((1L << raster.getSampleModel().getSampleSize(0)) - 1);
            float[] g = new float[w * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) g[y * w + x] = (float) (raster.getSample(x, y, 0) * toByte);
            return new Image(w, h, new float[][] {g});
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] r = new float[w * h], g = new float[w * h], b = new float[w * h];
        for (int i = 0; i < argb.length; i++) {
            r[i] = (argb[i] >> 16) & 0xFF;
            g[i] = (argb[i] >> 8) & 0xFF;
            b[i] = argb[i] & 0xFF;
        }
        return new Image(w, h, new float[][] {r, g, b});
    }

    /**
     * The planes a model with {@code channels} channels takes: for 1 channel the luminance
     * {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601, as PIL's "L" mode without its integer rounding), a grey
     * image as it is; for 3 channels red, green, blue in {@code order} (a grey image repeated).
     */
    static float[][] channels(Image img, Preprocess.ChannelOrder order, int channels) {
        float[][] p = img.planes();
        if (channels == 1) {
            if (p.length == 1) return p;
            float[] y = new float[p[0].length];
            for (int i = 0; i < y.length; i++) y[i] = (float) (0.299 * p[0][i] + 0.587 * p[1][i] + 0.114 * p[2][i]);
            return new float[][] {y};
        }
        if (p.length == 1) return new float[][] {p[0], p[0], p[0]};
        return order == Preprocess.ChannelOrder.BGR ? new float[][] {p[2], p[1], p[0]} : p;
    }

    /**
     * Bilinear resize of a {@code w x h} plane to {@code outW x outH} with half-pixel centres (OpenCV's
     * INTER_LINEAR, PyTorch's {@code interpolate(mode="bilinear", align_corners=False)}; no antialiasing when
     * shrinking): output pixel x samples the input at {@code (x + 0.5) * w / outW - 0.5}, clamped to the image.
     */
    static float[] resize(float[] plane, int w, int h, int outW, int outH) {
        if (w == outW && h == outH) return plane;
        float[] out = new float[outW * outH];
        for (int y = 0; y < outH; y++) {
            double sy = clamp((y + 0.5) * h / outH - 0.5, h - 1);
            int y0 = (int) sy, y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int x = 0; x < outW; x++) {
                double sx = clamp((x + 0.5) * w / outW - 0.5, w - 1);
                int x0 = (int) sx, x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                double top = plane[y0 * w + x0] * (1 - fx) + plane[y0 * w + x1] * fx;
                double bottom = plane[y1 * w + x0] * (1 - fx) + plane[y1 * w + x1] * fx;
                out[y * outW + x] = (float) (top * (1 - fy) + bottom * fy);
            }
        }
        return out;
    }

    private static double clamp(double v, int max) { return Math.max(0, Math.min(v, max)); }
}
