package nncc.cpu;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The int32 dot product of {@link QuantizedLinearKernels#dot} a vector of lanes at a time: int32 multiplies and adds
 * wrap modulo 2^32 like the scalar ones, so the sum is the same integer whatever the order. Only loaded when
 * {@code jdk.incubator.vector} is present.
 */
final class VectorDot {
    private VectorDot() {}

    private static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED;

    static int dot(int[] a, int aOff, int[] b, int bOff, int k) {
        IntVector acc = IntVector.zero(S);
        int p = 0;
        for (; p + S.length() <= k; p += S.length())
            acc = IntVector.fromArray(S, a, aOff + p).mul(IntVector.fromArray(S, b, bOff + p)).add(acc);
        int sum = acc.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) sum += a[aOff + p] * b[bOff + p];
        return sum;
    }
}
