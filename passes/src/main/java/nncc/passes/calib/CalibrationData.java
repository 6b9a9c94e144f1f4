package nncc.passes.calib;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Tensor;
import nncc.ir.Value;

/**
 * A source of calibration samples for a graph's inputs, read in batches by sample index. Every sample has the
 * graph inputs' types without their leading (batch) dimension; a batch of {@code count} samples is one tensor
 * per graph input with leading dimension {@code count}. Implementations are thread-safe, so calibration
 * threads read their own batches.
 *
 * <p>Two sources: {@code .npy} files (one per graph input, leading dimension N), read whole when opened
 * (calibration sets are a few hundred samples; batches are slices of that tensor), and folders of images,
 * decoded a batch at a time so a large folder never sits in memory.
 */
public sealed interface CalibrationData permits NpyCalibrationData, ImageFolderData {
    /** Where the samples come from (a file, files or a folder), for messages. */
    String source();

    /** The number of samples, at least 1. */
    int sampleCount();

    /** Samples {@code [start, start + count)}: one tensor per graph input, in the graph's input order. */
    List<Tensor> batch(int start, int count);

    /** Throws a {@link ModelException} unless these samples fit the inputs of {@code g} (dtype, rank, non-batch dims). */
    void requireFits(Graph g);

    /** One {@code .npy} file per graph input, in the graph's input order. */
    static CalibrationData fromNpy(Graph g, List<Path> files) { return NpyCalibrationData.open(g.inputs(), files); }

    /** A {@code .npy} file for a graph with one input. */
    static CalibrationData fromNpy(Graph g, Path file) { return fromNpy(g, List.of(file)); }

    /** A folder of PNG, JPEG and BMP images for a graph with one image input, preprocessed by {@code p}. */
    static CalibrationData fromImages(Graph g, Path folder, Preprocess p) { return ImageFolderData.open(g.inputs(), folder, p); }

    /** A folder of images (preprocessed by {@code p}) or else a {@code .npy} file, whichever {@code path} is. */
    static CalibrationData open(Graph g, Path path, Preprocess p) {
        return Files.isDirectory(path) ? fromImages(g, path, p) : fromNpy(g, path);
    }

    /** The graph inputs' names, for messages. */
    static String names(List<Value> inputs) { return inputs.stream().map(v -> "'" + v.name() + "'").toList().toString(); }
}
