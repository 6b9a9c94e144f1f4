package nncc.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;

/**
 * Finds NaN and infinite numbers where they would turn into wrong results with exit 0: float weights and
 * calibration data before quantizing (refused, naming the tensor or file), and model outputs (counted, so
 * {@code run} can warn and {@code eval} can refuse to compute an accuracy from them).
 */
final class NonFinite {
    private NonFinite() {}

    /** How many NaN and infinite values a float tensor holds, and the index of the first. */
    record Count(long nan, long inf, long first) {
        long total() { return nan + inf; }

        static final Count NONE = new Count(0, 0, -1);

        Count plus(Count o, long offset) {
            long f = first >= 0 ? first : o.first >= 0 ? o.first + offset : -1;
            return new Count(nan + o.nan, inf + o.inf, f);
        }
    }

    static Count count(Tensor t) {
        if (!t.dtype().isFloat()) return Count.NONE;
        long nan = 0, inf = 0, first = -1;
        float[] v = t.toFloats();
        for (int i = 0; i < v.length; i++) {
            if (Float.isNaN(v[i])) nan++;
            else if (Float.isInfinite(v[i])) inf++;
            else continue;
            if (first < 0) first = i;
        }
        return new Count(nan, inf, first);
    }

    /** Refuses a model with a NaN or infinite float constant (a weight the quantizer cannot give a scale). */
    static void requireFiniteWeights(Graph g, Path model) {
        java.util.List<Graph.Constant> constants = g.constants();
        Count[] counts = new Count[constants.size()]; // counted on every core, refused in graph order
        java.util.stream.IntStream.range(0, counts.length).parallel().forEach(i -> counts[i] = count(constants.get(i).data()));
        for (int i = 0; i < counts.length; i++) {
            Graph.Constant c = constants.get(i);
            Count n = counts[i];
            if (n.total() > 0)
                throw new ModelException(model.toString(), null, "weight tensor '" + c.value().name() + "' " + c.data().dtype().text()
                        + c.data().shape() + " holds " + describe(n, c.data().numElements()) + "; it cannot be quantized");
        }
    }

    /**
     * Checks a {@code .npy} calibration file for NaN and infinite values. Infinities are refused; NaNs are
     * refused unless {@code allowNan}, when they are counted on {@code err} and the observers skip them. Data
     * that holds no finite value at all is refused either way. Image folders hold finite pixels and pass.
     */
    static void checkCalibration(Path calib, boolean allowNan, PrintWriter err) {
        if (calib == null || Files.isDirectory(calib)) return;
        Npy.Header h = Npy.readHeader(calib);
        if (!h.dtype().isFloat() || h.shape().rank() == 0) return;
        long rows = h.shape().dim(0), total = h.shape().numElements();
        long perRow = rows == 0 ? 0 : total / rows;
        int step = (int) Math.max(1, Math.min(rows, (1 << 22) / Math.max(1, perRow)));
        Count all = Count.NONE;
        for (long r = 0; r < rows; r += step) {
            int n = (int) Math.min(step, rows - r);
            all = all.plus(count(Npy.readRows(calib, h, (int) r, n)), r * perRow);
        }
        if (all.total() == 0) return;
        String what = "calibration data holds " + describe(all, total) + " (sample " + (perRow == 0 ? 0 : all.first() / perRow) + ")";
        if (all.inf() > 0 || all.total() == total || !allowNan)
            throw new ModelException(calib.toString(), null, what + (all.inf() == 0 && all.total() < total
                    ? "; fix the data, or give --allow-nan-calib to calibrate on the finite values only" : "; fix the data"));
        err.println("nncc: warning: " + calib + ": " + what + "; calibrating on the finite values only (--allow-nan-calib)");
        err.flush();
    }

    /** E.g. "2 NaN and 1 infinite values of 64 (first at element 5)". */
    static String describe(Count n, long of) {
        String kinds = n.nan() > 0 && n.inf() > 0 ? n.nan() + " NaN and " + n.inf() + " infinite"
                : n.nan() > 0 ? n.nan() + " NaN" : n.inf() + " infinite";
        return kinds + (n.total() == 1 ? " value" : " values") + " of " + of + " (first at element " + n.first() + ")";
    }
}
