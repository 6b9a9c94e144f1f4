package nncc.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.passes.train.ImageFolderTrainingSet;
import nncc.passes.train.TrainingSet;

/**
 * Reads labelled training or evaluation data for {@code nncc qat}: inputs as .npy or IDX (as {@link DataFiles}
 * reads them) and integer labels, checking the counts, the labels and that each example has the model input's shape;
 * or a folder of class folders ({@link ImageFolderTrainingSet}).
 */
final class TrainingData {
    private TrainingData() {}

    /** A set and, for an image folder, its class folder names (null for arrays). */
    record Labelled(TrainingSet set, java.util.List<String> classes) {}

    /**
     * {@code data} with {@code labels} (.npy or IDX), or, when {@code data} is a folder, its class folders (labels
     * from the sorted folder names; {@code labels} must then be null), preprocessed by {@code preprocess}.
     */
    static Labelled read(Path data, Path labels, Graph model, nncc.passes.calib.Preprocess preprocess, String what) {
        if (Files.isDirectory(data)) {
            if (labels != null)
                throw new CliException(labels + ": an image folder " + data + " takes its labels from its class folders; leave out the labels option");
            requireClassesFit(data, ImageFolderTrainingSet.classes(data).size(), model);
            ImageFolderTrainingSet.Loaded l;
            try (Progress p = Progress.start("reading " + what + " images", -1, "img")) {
                l = ImageFolderTrainingSet.read(model, data, preprocess, p::step);
            }
            return new Labelled(l.set(), l.classes());
        }
        if (labels == null) throw new CliException(data + ": " + what + " data in a file needs its labels (.npy or IDX)");
        return new Labelled(read(data, labels, model), null);
    }

    /** The model's logits must have a class for every class folder. */
    private static void requireClassesFit(Path data, int classes, Graph model) {
        Shape out = model.outputs().get(0).type().shape();
        if (out.rank() >= 1 && !out.isSymbolic(out.rank() - 1) && out.dim(out.rank() - 1) < classes)
            throw new ModelException(data.toString(), null, classes + " class folders, but the model's output %"
                    + model.outputs().get(0).name() + " " + out + " has " + out.dim(out.rank() - 1) + " classes");
    }

    static TrainingSet read(Path data, Path labels, Graph model) {
        Tensor x = DataFiles.read(data);
        Tensor y = DataFiles.read(labels);
        if (y.dtype().isFloat() || y.shape().rank() != 1)
            throw new ModelException(labels.toString(), null, "labels must be integer [N], got " + y.dtype().text() + y.shape());
        if (!x.dtype().isFloat())
            throw new ModelException(data.toString(), null, "inputs must be float, got " + x.dtype().text() + x.shape());
        if (x.shape().rank() == 0 || x.shape().dim(0) != y.shape().dim(0))
            throw new ModelException(data.toString(), null, "data has " + (x.shape().rank() == 0 ? 0 : x.shape().dim(0))
                    + " samples but " + labels + " has " + y.shape().dim(0) + " labels");
        if (x.shape().dim(0) == 0) throw new ModelException(data.toString(), null, "data has no samples");
        Shape in = model.inputs().get(0).type().shape();
        int[] dims = new int[x.shape().rank() - 1];
        for (int i = 1; i < x.shape().rank(); i++) dims[i - 1] = Math.toIntExact(x.shape().dim(i));
        boolean fits = in.rank() == x.shape().rank();
        for (int i = 1; fits && i < in.rank(); i++) fits = in.isSymbolic(i) || in.dim(i) == x.shape().dim(i);
        if (!fits)
            throw new ModelException(data.toString(), null, "examples of shape " + x.shape() + " do not fit model input %"
                    + model.inputs().get(0).name() + " " + in);
        float[] v = x.toFloats();
        for (int i = 0; i < v.length; i++)
            if (!Float.isFinite(v[i]))
                throw new ModelException(data.toString(), null, "value " + i + " is " + v[i] + "; training data must be finite");
        long[] l = y.toLongs();
        int[] labelsInt = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] < 0 || l[i] > Integer.MAX_VALUE)
                throw new ModelException(labels.toString(), null, "label " + i + " is " + l[i] + "; labels must be >= 0");
            labelsInt[i] = (int) l[i];
        }
        return new TrainingSet(v, labelsInt, dims);
    }
}
