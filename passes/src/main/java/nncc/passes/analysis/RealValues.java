package nncc.passes.analysis;

import nncc.ir.QuantParams;
import nncc.ir.Tensor;

/** The real numbers a tensor stands for: integers dequantized with their parameters, floats widened to double. */
public final class RealValues {
    private RealValues() {}

    /**
     * {@code scale * (q - zeroPoint)} per element for an integer tensor with parameters (per axis when they have
     * one), else the elements as they are.
     */
    public static double[] of(Tensor t, QuantParams q) {
        if (q == null || !t.dtype().isInteger()) return t.toDoubles();
        long[] codes = t.toLongs();
        double[] r = new double[codes.length];
        if (!q.isPerAxis()) {
            double s = q.scale(0);
            long zp = q.zeroPoint(0);
            for (int i = 0; i < codes.length; i++) r[i] = s * (codes[i] - zp);
            return r;
        }
        long inner = 1;
        for (int d = q.axis() + 1; d < t.shape().rank(); d++) inner *= t.shape().dim(d);
        int channels = q.count();
        for (int i = 0; i < codes.length; i++) {
            int c = (int) ((i / inner) % channels);
            r[i] = (double) q.scale(c) * (codes[i] - q.zeroPoint(c));
        }
        return r;
    }

    /** Signal-to-quantization-noise ratio in dB, {@code 10 log10(signal / noise)}; +infinity when noise is 0. */
    public static double sqnrDb(double signal, double noise) {
        if (noise == 0) return Double.POSITIVE_INFINITY;
        return 10 * Math.log10(signal / noise);
    }
}
