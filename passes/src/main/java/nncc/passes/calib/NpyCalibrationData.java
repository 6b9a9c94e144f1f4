package nncc.passes.calib;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.io.Npy;

/**
 * Calibration samples from {@code .npy} files, one per graph input, each {@code [N, ...]} with the input's
 * dtype and non-batch dims. Only the headers are read when opened; every batch is read from disk when asked
 * for, so calibration memory does not grow with the number of samples.
 */
public final class NpyCalibrationData implements CalibrationData {
    private final List<Path> files;
    private final List<Npy.Header> headers;
    private final int samples;

    private NpyCalibrationData(List<Path> files, List<Npy.Header> headers, int samples) {
        this.files = List.copyOf(files);
        this.headers = List.copyOf(headers);
        this.samples = samples;
    }

    static NpyCalibrationData open(List<Value> inputs, List<Path> files) {
        if (files.size() != inputs.size())
            throw new ModelException("the model takes " + inputs.size() + " input(s) " + CalibrationData.names(inputs)
                    + " but " + files.size() + " calibration file(s) were given; give one .npy per input, in order");
        List<Npy.Header> headers = new ArrayList<>();
        long samples = -1;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            Npy.Header t = Npy.readHeader(f);
            requireFits(inputs.get(i), t, f.toString());
            long n = t.shape().dim(0);
            if (samples >= 0 && n != samples)
                throw new ModelException(f.toString(), null, "holds " + n + " samples but " + files.get(0) + " holds " + samples
                        + "; every input needs the same number of calibration samples");
            samples = n;
            headers.add(t);
        }
        return new NpyCalibrationData(files, headers, Math.toIntExact(samples));
    }

    /** Checks a whole-file tensor {@code [N, ...]} against a graph input's type. */
    private static void requireFits(Value input, Npy.Header t, String file) {
        TensorType want = input.type();
        if (t.shape().rank() > 0 && t.shape().dim(0) == 0)
            throw new ModelException(file, null, "empty .npy (" + t.dtype().text() + t.shape() + "): no calibration samples");
        if (!fits(want, TensorType.of(t.dtype(), t.shape())))
            throw new ModelException(file, null, "does not fit input '" + input.name() + "' of type " + want + ": expected "
                    + want.dtype().text() + samplesOf(want.shape()) + " (N samples), got " + t.dtype().text() + t.shape());
    }

    /** Whether a concrete {@code [N, ...]} type matches {@code want} in dtype, rank and every dim but the first. */
    static boolean fits(TensorType want, TensorType actual) {
        Shape w = want.shape(), a = actual.shape();
        if (want.dtype() != actual.dtype() || w.rank() != a.rank() || w.rank() == 0) return false;
        for (int i = 1; i < w.rank(); i++) if (!w.isSymbolic(i) && w.dim(i) != a.dim(i)) return false;
        return true;
    }

    /** The input shape with its first dim shown as the sample count, e.g. {@code [N,1,28,28]}. */
    static String samplesOf(Shape s) {
        String text = s.toString();
        int comma = text.indexOf(',');
        return "[N" + (comma < 0 ? "]" : text.substring(comma));
    }

    @Override public String source() {
        return files.size() == 1 ? files.get(0).toString() : files.stream().map(Path::toString).toList().toString();
    }

    @Override public int sampleCount() { return samples; }

    @Override public List<Tensor> batch(int start, int count) {
        if (start < 0 || count < 1 || start + count > samples)
            throw new IllegalArgumentException("samples [" + start + ", " + (start + count) + ") out of 0.." + samples);
        List<Tensor> batch = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) batch.add(Npy.readRows(files.get(i), headers.get(i), start, count));
        return batch;
    }

    @Override public void requireFits(Graph g) {
        List<Value> inputs = g.inputs();
        if (inputs.size() != headers.size())
            throw new ModelException("the model takes " + inputs.size() + " input(s) " + CalibrationData.names(inputs)
                    + " but the calibration data " + source() + " feeds " + headers.size());
        for (int i = 0; i < inputs.size(); i++) requireFits(inputs.get(i), headers.get(i), files.get(i).toString());
    }
}
