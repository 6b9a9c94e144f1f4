package nncc.passes.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Tensor;
import nncc.passes.calib.CalibrationData;
import nncc.passes.calib.ImageFolderData;
import nncc.passes.calib.Preprocess;

/**
 * Labelled training data from a folder of class folders (torchvision's ImageFolder layout): every subfolder is a
 * class, numbered in sorted name order, holding PNG/JPEG/BMP images, which are decoded and preprocessed exactly as
 * calibration images are ({@link ImageFolderData}, {@link Preprocess}: resize, pixel scale, mean/std, channel
 * order). Examples are stored class by class in sorted file order; the trainer shuffles them with its seed.
 */
public final class ImageFolderTrainingSet {
    private ImageFolderTrainingSet() {}

    /** The examples and the class names (index = label). */
    public record Loaded(TrainingSet set, List<String> classes) {}

    /** The sorted class subfolder names of {@code root}; an error naming the folder when there are none. */
    public static List<String> classes(Path root) {
        if (!Files.isDirectory(root)) throw new ModelException(root.toString(), null, "not a folder of class folders");
        List<String> names;
        try (Stream<Path> s = Files.list(root)) {
            names = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new ModelException(root.toString(), null, "cannot list folder: " + e.getMessage(), e);
        }
        if (names.isEmpty())
            throw new ModelException(root.toString(), null, "no class subfolders (an image folder for training holds one folder of images per class)");
        return names;
    }

    /**
     * Reads every class folder of {@code root} for {@code model}'s one image input; {@code progress} is told how many
     * images were decoded since its last call. Errors name the folder or image: an empty class folder, an image that
     * does not decode, images that do not fit the model.
     */
    public static Loaded read(Graph model, Path root, Preprocess preprocess, LongConsumer progress) {
        List<String> classes = classes(root);
        List<ImageFolderData> folders = new ArrayList<>();
        long total = 0;
        for (String c : classes) {
            ImageFolderData d = (ImageFolderData) CalibrationData.fromImages(model, root.resolve(c), preprocess);
            d.requireFits(model);
            folders.add(d);
            total += d.sampleCount();
        }
        if (total > Integer.MAX_VALUE) throw new ModelException(root.toString(), null, total + " images are more than one set holds");
        float[] images = null;
        int[] labels = new int[(int) total];
        int[] dims = null;
        int at = 0;
        for (int c = 0; c < folders.size(); c++) {
            ImageFolderData d = folders.get(c);
            for (int first = 0; first < d.sampleCount(); first += 256) {
                int count = Math.min(256, d.sampleCount() - first);
                Tensor t = d.batch(first, count).get(0);
                if (images == null) {
                    long[] shape = t.shape().dims();
                    dims = new int[shape.length - 1];
                    for (int i = 1; i < shape.length; i++) dims[i - 1] = Math.toIntExact(shape[i]);
                    images = new float[Math.multiplyExact((int) total, Math.toIntExact(t.numElements() / count))];
                }
                float[] v = t.toFloats();
                System.arraycopy(v, 0, images, at * (v.length / count), v.length);
                for (int i = 0; i < count; i++) labels[at + i] = c;
                at += count;
                if (progress != null) progress.accept(count);
            }
        }
        return new Loaded(new TrainingSet(images, labels, dims), classes);
    }

    /** An error naming the first class folder where {@code eval}'s classes differ from {@code train}'s, if any. */
    public static void requireSameClasses(Path train, List<String> trainClasses, Path eval, List<String> evalClasses) {
        if (trainClasses.equals(evalClasses)) return;
        // both lists are sorted, so equal sets would be equal lists: name a folder one side lacks
        for (String e : evalClasses)
            if (!trainClasses.contains(e))
                throw new ModelException(eval.resolve(e).toString(), null, "evaluation class folder '" + e + "' is not a class of "
                        + train + " " + trainClasses + "; training and evaluation folders need the same class folders");
        for (String t : trainClasses)
            if (!evalClasses.contains(t))
                throw new ModelException(eval.toString(), null, "evaluation data has no class folder '" + t + "' (class "
                        + trainClasses.indexOf(t) + " of " + train + "); training and evaluation folders need the same class folders");
    }
}
