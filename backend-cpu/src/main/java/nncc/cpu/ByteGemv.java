package nncc.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The int32 matrix-vector product of a batch-1 QGemm with int8 weights, a vector of outputs at a time: weights kept
 * transposed as bytes [K, M padded to whole vectors] (a quarter of the int32 copy's memory traffic), widened to int32
 * lanes as they are loaded, and {@code out[j] += x[p] * w[j][p]} over p. int32 multiplies and adds wrap modulo 2^32
 * like {@link QuantizedLinearKernels#dot}'s, so each sum is the same integer in any order. Only loaded when
 * {@code jdk.incubator.vector} is present.
 */
final class ByteGemv {
    private ByteGemv() {}

    private static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Bytes as many as the int lanes. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

    /** Outputs per weight row of {@link #transposed}: m rounded up to whole vectors. */
    static int paddedWidth(int m) { return (m + L - 1) / L * L; }

    /** Weights [m, k] (row-major ints) as bytes [k, {@link #paddedWidth}(m)], zeros past m; null if a weight is outside int8. */
    static byte[] transposed(int[] w, int m, int k) {
        int width = paddedWidth(m);
        byte[] t = new byte[k * width];
        for (int j = 0; j < m; j++)
            for (int p = 0; p < k; p++) {
                int v = w[j * k + p];
                if (v != (byte) v) return null;
                t[p * width + j] = (byte) v;
            }
        return t;
    }

    /** {@code out[j] = sum_p x[xOff + p] * w[j][p]} for j below the padded width (int32, wrapping); w from {@link #transposed}. */
    static void multiply(int[] x, int xOff, int k, byte[] wt, int width, int[] out) {
        int j = 0;
        for (; j + 4 * L <= width; j += 4 * L) {
            IntVector a0 = IntVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int p = 0, row = j; p < k; p++, row += width) {
                IntVector xp = IntVector.broadcast(S, x[xOff + p]);
                a0 = a0.add(widened(wt, row).mul(xp));
                a1 = a1.add(widened(wt, row + L).mul(xp));
                a2 = a2.add(widened(wt, row + 2 * L).mul(xp));
                a3 = a3.add(widened(wt, row + 3 * L).mul(xp));
            }
            a0.intoArray(out, j); a1.intoArray(out, j + L); a2.intoArray(out, j + 2 * L); a3.intoArray(out, j + 3 * L);
        }
        for (; j < width; j += L) {
            IntVector a = IntVector.zero(S);
            for (int p = 0, row = j; p < k; p++, row += width) a = a.add(widened(wt, row).mul(IntVector.broadcast(S, x[xOff + p])));
            a.intoArray(out, j);
        }
    }

    private static IntVector widened(byte[] w, int at) {
        return (IntVector) ByteVector.fromArray(B, w, at).convertShape(VectorOperators.B2I, S, 0);
    }
}
