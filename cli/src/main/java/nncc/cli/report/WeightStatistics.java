package nncc.cli.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import nncc.cli.report.QuantReportData.Bins;
import nncc.cli.report.QuantReportData.WeightStats;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.passes.analysis.RealValues;

/**
 * Statistics of the quantized weight tensors: every constant of the quantized graph stored as 8 bits or fewer
 * with quantization parameters (int8 weights; int32 biases are left out), or as float16 with rank 2 or more,
 * that has a float constant of the same name in the float graph.
 */
final class WeightStatistics {
    private WeightStatistics() {}

    /** One entry per quantized weight, in the quantized graph's constant order. {@code weightBits} sets the grid. */
    static List<WeightStats> of(Graph floatGraph, Graph quantGraph, int weightBits) {
        List<WeightStats> r = new ArrayList<>();
        for (Graph.Constant c : quantGraph.constants()) {
            Tensor stored = c.data();
            QuantParams q = c.value().type().quant();
            boolean integerWeight = stored.dtype().isInteger() && stored.dtype().bits() <= 8 && q != null;
            boolean halfWeight = stored.dtype() == DType.F16 && stored.shape().rank() >= 2;
            Graph.Constant f = floatGraph.constant(c.value().name());
            if (!(integerWeight || halfWeight) || f == null || !f.data().dtype().isFloat()) continue;
            r.add(stats(c.value().name(), reader(quantGraph, c.value().name()), f.data(), stored, q,
                    integerWeight ? (1L << (weightBits - 1)) - 1 : 0));
        }
        return r;
    }

    private static String reader(Graph g, String constant) {
        for (Node n : g.nodes())
            if (n.inputs().stream().anyMatch(v -> v.name().equals(constant))) return n.name();
        return "";
    }

    private static WeightStats stats(String name, String layer, Tensor floats, Tensor stored, QuantParams q, long qmax) {
        double[] w = floats.toDoubles();
        double maxAbs = 0;
        for (double x : w) maxAbs = Math.max(maxAbs, Math.abs(x));
        double sqnr = Double.NaN;
        if (floats.numElements() == stored.numElements()) {
            double[] y = RealValues.of(stored, q);
            double signal = 0, noise = 0;
            for (int i = 0; i < w.length; i++) {
                signal += w[i] * w[i];
                noise += (w[i] - y[i]) * (w[i] - y[i]);
            }
            sqnr = RealValues.sqnrDb(signal, noise);
        }
        if (q == null || qmax == 0) {
            double width = maxAbs > 0 ? maxAbs / 64 : 1;
            return new WeightStats(name, layer, stored.dtype().text(), w.length, maxAbs, Double.NaN, Double.NaN, Double.NaN,
                    0, 0, Double.NaN, sqnr, histogram(w, (int) Math.ceil(maxAbs / width) + 1, width));
        }
        float[] scales = q.scales();
        float[] sorted = scales.clone();
        Arrays.sort(sorted);
        long edges = 0;
        for (long code : stored.toLongs()) if (code == qmax || code == -qmax) edges++;
        double[] steps = new double[w.length]; // each weight in steps of its own channel's scale
        long inner = w.length / scales.length;
        for (int i = 0; i < w.length; i++) steps[i] = w[i] / scales[q.isPerAxis() ? (int) (i / inner) % scales.length : 0];
        return new WeightStats(name, layer, stored.dtype().text(), w.length, maxAbs, sorted[0], sorted[sorted.length / 2],
                sorted[sorted.length - 1], scales.length, qmax, (double) edges / w.length, sqnr, histogram(steps, (int) qmax + 2, 1));
    }

    /** {@code 2 * side + 1} bins {@code width} wide centred on multiples of the width (for steps: one bin per code). */
    private static Bins histogram(double[] xs, int side, double width) {
        long[] counts = new long[2 * side + 1];
        double lo = -(side + 0.5) * width;
        for (double x : xs) {
            int b = (int) Math.floor((x - lo) / width);
            counts[Math.max(0, Math.min(counts.length - 1, b))]++;
        }
        return new Bins(lo, -lo, counts);
    }
}
