package nncc.tests;

import nncc.ir.Tensor;

/** Numeric comparison helpers with the tolerances the tests state. */
final class Compare {
    private Compare() {}

    /** Max |a - b| over all elements (shapes must have equal element counts). */
    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("element counts differ: " + a.length + " vs " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.isNaN(a[i]) != Float.isNaN(b[i])) return Double.POSITIVE_INFINITY;
            if (Float.isNaN(a[i])) continue;
            if (a[i] == b[i]) continue; // also equal infinities
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    /**
     * numpy.testing.assert_allclose semantics: |actual - expected| <= atol + rtol * |expected| everywhere; returns a
     * description of the first violation, or null when all close. NaNs must match NaNs.
     */
    static String allClose(Tensor actual, Tensor expected, double rtol, double atol) {
        if (!actual.shape().equals(expected.shape()))
            return "shape " + actual.shape() + " != expected " + expected.shape();
        if (actual.dtype().isFloat() || expected.dtype().isFloat()) {
            double[] a = actual.toDoubles(), e = expected.toDoubles();
            for (int i = 0; i < a.length; i++) {
                if (Double.isNaN(e[i]) && Double.isNaN(a[i])) continue;
                if (e[i] == a[i]) continue;
                if (!(Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i])))
                    return "element " + i + ": got " + a[i] + ", expected " + e[i];
            }
        } else {
            long[] a = actual.toLongs(), e = expected.toLongs();
            for (int i = 0; i < a.length; i++)
                if (a[i] != e[i]) return "element " + i + ": got " + a[i] + ", expected " + e[i];
        }
        return null;
    }
}
