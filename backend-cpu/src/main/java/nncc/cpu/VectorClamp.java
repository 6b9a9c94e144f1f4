package nncc.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Relu of a float tensor into another array, a vector at a time: lanewise max with 0 is {@code Math.max(x, 0f)} per
 * element (NaN stays NaN, -0 becomes +0), the scalar kernel's own expression. Only loaded when {@code jdk.incubator.vector}
 * is present.
 */
final class VectorClamp {
    private VectorClamp() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** {@code y[i] = Math.max(x[i], 0f)} for i in [0, n). */
    static void relu(float[] x, float[] y, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) FloatVector.fromArray(S, x, i).max(zero).intoArray(y, i);
        for (; i < n; i++) y[i] = Math.max(x[i], 0f);
    }
}
