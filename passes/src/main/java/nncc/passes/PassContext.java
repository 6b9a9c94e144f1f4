package nncc.passes;

import java.nio.file.Path;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.passes.calib.CalibrationData;
import nncc.passes.calib.Preprocess;

/**
 * The data sources passes may read, given to their factories: calibration data (a {@code .npy} file or an image
 * folder with its preprocessing) and the thread count. A pass that needs a source the context lacks fails with a
 * one-line error naming the pass and the option that supplies it.
 */
public record PassContext(Path calibration, Preprocess preprocess, int threads) {
    public PassContext {
        if (threads < 1) throw new ModelException("threads must be >= 1, got " + threads);
    }

    /** No data sources, two threads. */
    public static PassContext none() { return new PassContext(null, null, 2); }

    /** Calibration from {@code path} (a .npy file or an image folder, preprocessed by {@code p}; null for .npy). */
    public static PassContext withCalibration(Path path, Preprocess p) { return new PassContext(path, p, 2); }

    /** The calibration data opened against {@code g}'s inputs, or an error naming {@code pass}. */
    public CalibrationData calibrationData(Graph g, String pass) {
        if (calibration == null)
            throw new ModelException("pass '" + pass + "' needs calibration data: give it with --calib FILE.npy|IMAGE_DIR");
        return CalibrationData.open(g, calibration, preprocess == null ? Preprocess.defaults() : preprocess);
    }
}
