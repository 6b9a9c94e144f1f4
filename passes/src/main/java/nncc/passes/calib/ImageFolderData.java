package nncc.passes.calib;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;

/**
 * Calibration samples from a folder of PNG, JPEG and BMP images (sorted by file name, so runs are
 * reproducible) for a model with one 4-d float image input. Images are decoded when their batch is asked for,
 * so memory holds one batch, never the folder. See {@link Preprocess} for the conversion to model inputs.
 */
public final class ImageFolderData implements CalibrationData {
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp");

    private final Path folder;
    private final List<Path> images;
    private final Preprocess preprocess;
    private final TensorType inputType;
    private final int channels, height, width;

    private ImageFolderData(Path folder, List<Path> images, Preprocess p, TensorType inputType, int channels, int height, int width) {
        this.folder = folder;
        this.images = List.copyOf(images);
        this.preprocess = p;
        this.inputType = inputType;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    static ImageFolderData open(List<Value> inputs, Path folder, Preprocess p) {
        String where = folder.toString();
        if (inputs.size() != 1)
            throw new ModelException(where, null, "an image folder feeds a model with one input; this one takes "
                    + inputs.size() + ": " + CalibrationData.names(inputs));
        Value input = inputs.get(0);
        TensorType t = input.type();
        if (!t.dtype().isFloat() || t.rank() != 4)
            throw new ModelException(where, null, "input '" + input.name() + "' is " + t + ", not a 4-d float image tensor ("
                    + p.layout() + ")");
        boolean nchw = p.layout() == Preprocess.Layout.NCHW;
        Shape s = t.shape();
        int cDim = nchw ? 1 : 3, hDim = nchw ? 2 : 1, wDim = nchw ? 3 : 2;
        if (s.isSymbolic(cDim) || (s.dim(cDim) != 1 && s.dim(cDim) != 3))
            throw new ModelException(where, null, "input '" + input.name() + "' " + t + " has "
                    + (s.isSymbolic(cDim) ? "a symbolic number of" : String.valueOf(s.dim(cDim))) + " channels in dim " + cDim
                    + " (" + p.layout() + "), not 1 or 3; check the layout");
        int c = (int) s.dim(cDim);
        if (p.channels() == Preprocess.ChannelOrder.GREY && c != 1)
            throw new ModelException(where, null, "channel order GREY needs a 1-channel input, '" + input.name() + "' " + t + " has " + c);
        int h = size(s, hDim, p.height(), "height", input, where), w = size(s, wDim, p.width(), "width", input, where);
        if ((p.mean().length != 1 && p.mean().length != c) || (p.std().length != 1 && p.std().length != c))
            throw new ModelException(where, null, "mean and std need 1 entry" + (c == 1 ? "" : " or " + c) + " for input '" + input.name()
                    + "', got " + p.mean().length + " and " + p.std().length);
        return new ImageFolderData(folder, listImages(folder), p, t, c, h, w);
    }

    private static int size(Shape s, int dim, int given, String what, Value input, String where) {
        if (given > 0) {
            if (!s.isSymbolic(dim) && s.dim(dim) != given)
                throw new ModelException(where, null, "resize " + what + " " + given + " does not match input '" + input.name()
                        + "' " + input.type() + " (" + what + " " + s.dim(dim) + ")");
            return given;
        }
        if (s.isSymbolic(dim))
            throw new ModelException(where, null, "input '" + input.name() + "' " + input.type() + " has a symbolic " + what
                    + "; give the image size to resize to");
        return Math.toIntExact(s.dim(dim));
    }

    private static List<Path> listImages(Path folder) {
        if (!Files.exists(folder)) throw new ModelException(folder.toString(), null, "no such folder");
        if (!Files.isDirectory(folder)) throw new ModelException(folder.toString(), null, "not a folder of images");
        List<Path> found;
        try (Stream<Path> files = Files.list(folder)) {
            found = files.filter(Files::isRegularFile).filter(ImageFolderData::isImage)
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new ModelException(folder.toString(), null, "cannot list folder: " + e.getMessage(), e);
        }
        if (found.isEmpty())
            throw new ModelException(folder.toString(), null, "no images (" + String.join(", ", EXTENSIONS) + ") in folder");
        return found;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    /** The image files, in the order samples are numbered. */
    public List<Path> images() { return images; }

    @Override public String source() { return folder.toString(); }

    @Override public int sampleCount() { return images.size(); }

    @Override public List<Tensor> batch(int start, int count) {
        if (start < 0 || count < 1 || start + count > images.size())
            throw new IllegalArgumentException("samples [" + start + ", " + (start + count) + ") out of 0.." + images.size());
        int per = channels * height * width;
        float[] data = new float[count * per];
        for (int i = 0; i < count; i++) writeSample(images.get(start + i), data, i * per);
        boolean nchw = preprocess.layout() == Preprocess.Layout.NCHW;
        Shape shape = nchw ? Shape.of(count, channels, height, width) : Shape.of(count, height, width, channels);
        return List.of(Tensor.ofFloats(inputType.dtype(), shape, data));
    }

    /** Decodes, converts, resizes and normalizes one image into {@code out} at {@code offset}, in the layout. */
    private void writeSample(Path file, float[] out, int offset) {
        ImagePlanes.Image img = ImagePlanes.read(file);
        float[][] planes = ImagePlanes.channels(img, preprocess.channels(), channels);
        double[] mean = preprocess.mean(), std = preprocess.std();
        boolean nchw = preprocess.layout() == Preprocess.Layout.NCHW;
        int hw = height * width;
        for (int c = 0; c < channels; c++) {
            float[] plane = ImagePlanes.resize(planes[c], img.width(), img.height(), width, height);
            double m = mean[mean.length == 1 ? 0 : c], sd = std[std.length == 1 ? 0 : c];
            for (int i = 0; i < hw; i++) {
                float v = (float) ((plane[i] * preprocess.scale() - m) / sd);
                out[offset + (nchw ? c * hw + i : i * channels + c)] = v;
            }
        }
    }

    @Override public void requireFits(Graph g) {
        boolean fits = g.inputs().size() == 1 && NpyCalibrationData.fits(g.inputs().get(0).type(), batch0Type());
        if (!fits)
            throw new ModelException(folder.toString(), null, "images preprocessed to " + batch0Type() + " (per sample) do not fit the model's inputs "
                    + g.inputs().stream().map(Value::type).toList());
    }

    private TensorType batch0Type() {
        boolean nchw = preprocess.layout() == Preprocess.Layout.NCHW;
        return TensorType.of(inputType.dtype(), nchw ? Shape.of(1, channels, height, width) : Shape.of(1, height, width, channels));
    }

    /** The element type of the produced tensors. */
    public DType dtype() { return inputType.dtype(); }
}
