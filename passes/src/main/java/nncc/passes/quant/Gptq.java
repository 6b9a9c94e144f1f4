package nncc.passes.quant;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;

/**
 * GPTQ weight rounding (Frantar, Ashkboos, Hoefler, Alistarh, "GPTQ: Accurate Post-Training Quantization for
 * Generative Pre-trained Transformers", 2022), the optimal-brain-quantization update applied column by column.
 * For a layer y = W x with input covariance H (k x k), the output error of rounded weights is
 * {@code (W_q - W) H (W_q - W)^T}; rounding input position i of every row and spreading its error over the
 * positions after i with the i-th row of U, the upper Cholesky factor of H^-1, keeps that error close to the
 * least reachable. The covariance is centred: the mean part of the error is what bias correction then removes.
 *
 * <p>The scale of each row stays that of round-to-nearest ({@code max|w| / qmax}): the element that sets it keeps
 * its code {@code +-qmax}, so the lowering, which recomputes the scale from the rounded weights, finds the same
 * scale and the same codes.
 */
final class Gptq {
    private Gptq() {}

    /** Dampening added to H's diagonal, as a fraction of its mean diagonal (the paper's default). */
    static final double DAMP = 0.01;

    /**
     * Re-rounds rows {@code first .. first+count-1} of {@code w} ([rows, k] row-major floats) into {@code codes}
     * (which hold round-to-nearest codes on entry), given their group's input covariance {@code cov} (k x k).
     */
    static void round(double[] cov, float[] w, long[] codes, int first, int count, int k, WeightQuantizer.Weights q, long qmax) {
        double[] u = inverseCholeskyUpper(cov, k);
        if (u == null) return; // no usable covariance: keep round-to-nearest
        int[] anchor = anchors(w, first, count, k, q.params().isPerAxis());
        double[] row = new double[k];
        for (int r = 0; r < count; r++) {
            int base = (first + r) * k;
            double s = q.scale(first + r);
            for (int i = 0; i < k; i++) row[i] = w[base + i];
            for (int i = 0; i < k; i++) {
                long code;
                if (i == anchor[r]) code = w[base + i] < 0 ? -qmax : qmax;
                else code = Math.max(-qmax, Math.min(qmax, nncc.ir.FixedPoint.roundHalfAway(row[i] / s)));
                codes[base + i] = code;
                double e = (row[i] - code * s) / u[i * k + i];
                if (e == 0) continue;
                for (int j = i + 1; j < k; j++) row[j] -= e * u[i * k + j];
            }
        }
    }

    /**
     * Per row, the position whose code must stay {@code +-qmax} to keep the scale, or -1: per channel the row's
     * first largest |w|; per tensor only the tensor's first largest |w|, in whichever row holds it.
     */
    private static int[] anchors(float[] w, int first, int count, int k, boolean perChannel) {
        int[] anchor = new int[count];
        java.util.Arrays.fill(anchor, -1);
        if (perChannel) {
            for (int r = 0; r < count; r++) {
                int base = (first + r) * k, best = 0;
                for (int i = 1; i < k; i++) if (Math.abs(w[base + i]) > Math.abs(w[base + best])) best = i;
                anchor[r] = best;
            }
            return anchor;
        }
        int best = 0;
        for (int i = 1; i < w.length; i++) if (Math.abs(w[i]) > Math.abs(w[best])) best = i;
        int row = best / k - first;
        if (row >= 0 && row < count) anchor[row] = best % k;
        return anchor;
    }

    /**
     * U with {@code (H + damp I)^-1 = U^T U}, U upper triangular, as a row-major k x k array; inputs that never
     * vary (zero diagonal) get a unit diagonal so they take no error from the others. Null when H is not usable.
     */
    static double[] inverseCholeskyUpper(double[] cov, int k) {
        DMatrixRMaj h = new DMatrixRMaj(k, k);
        double mean = 0;
        for (int i = 0; i < k; i++) mean += cov[i * k + i];
        mean /= k;
        if (!(mean > 0) || !Double.isFinite(mean)) return null;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) h.unsafe_set(i, j, cov[i * k + j]);
        for (int i = 0; i < k; i++) {
            if (!(cov[i * k + i] > 0)) {
                for (int j = 0; j < k; j++) { h.unsafe_set(i, j, 0); h.unsafe_set(j, i, 0); }
                h.unsafe_set(i, i, 1);
            }
            h.unsafe_set(i, i, h.unsafe_get(i, i) + DAMP * mean);
        }
        DMatrixRMaj inv = new DMatrixRMaj(k, k);
        if (!CommonOps_DDRM.invertSPD(h, inv)) return null;
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(k, false);
        if (!chol.decompose(inv)) return null;
        DMatrixRMaj t = chol.getT(null);
        double[] u = new double[k * k];
        for (int i = 0; i < k; i++)
            for (int j = i; j < k; j++) u[i * k + j] = t.unsafe_get(i, j);
        return u;
    }
}
