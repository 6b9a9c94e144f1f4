package nncc.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * MaxPool with a 2x2 window, stride 2, no padding and an input exactly twice the output (the common "halve the map"
 * pool), a vector of output columns at a time: the max of two input rows, then of each pair of neighbouring columns
 * (two permutes and a blend for floats; for bytes, each pair read as one 16-bit lane). A max does not depend on
 * the order its operands are taken in (Java's NaN-wins, +0 over -0), so the results equal {@link PoolKernels}' scalar
 * loops. Only loaded when {@code jdk.incubator.vector} is present.
 */
final class VectorPairPool {
    private VectorPairPool() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Byte> B2 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S2 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> B1 = ByteVector.SPECIES_128;
    /** The first n lanes of B1, for n in [0, 16]. */
    @SuppressWarnings("unchecked")
    private static final VectorMask<Byte>[] BYTE_PREFIX = new VectorMask[B1.length() + 1];

    static {
        for (int n = 0; n <= B1.length(); n++) BYTE_PREFIX[n] = B1.indexInRange(0, n);
    }

    /** Whether the geometry is the one this class handles (2-D, 2x2, stride 2, no padding or dilation, exact fit). */
    static boolean applies(WindowGeometry g) {
        if (g.rank != 2) return false;
        for (int d = 0; d < 2; d++)
            if (g.kernel[d] != 2 || g.strides[d] != 2 || g.dilations[d] != 1 || g.padBegin[d] != 0 || g.padEnd[d] != 0
                    || g.in[d] != 2 * g.out[d])
                return false;
        return true;
    }

    /** The max of every window of {@code planes} input planes of floats. */
    static float[] max(float[] x, int planes, WindowGeometry g) {
        int outW = g.out[1], inW = g.in[1], rows = planes * g.out[0];
        float[] y = OutputBuffers.floats(rows * outW); // every element written
        for (int r = 0; r < rows; r++) {
            int a = 2 * r * inW, b = a + inW, o = r * outW;
            for (int j = 0; j < outW; j += L) {
                if (b + 2 * j + 2 * L > x.length) { // the last row's tail: reads would pass the array's end
                    for (int q = j; q < outW; q++)
                        y[o + q] = Math.max(Math.max(x[a + 2 * q], x[a + 2 * q + 1]), Math.max(x[b + 2 * q], x[b + 2 * q + 1]));
                    break;
                }
                FloatVector m0 = FloatVector.fromArray(F, x, a + 2 * j).max(FloatVector.fromArray(F, x, b + 2 * j));
                FloatVector m1 = FloatVector.fromArray(F, x, a + 2 * j + L).max(FloatVector.fromArray(F, x, b + 2 * j + L));
                FloatVector v = VectorRows.evenLanes(m0, m1).max(VectorRows.oddLanes(m0, m1));
                // past the row's end the lanes land in the next row's outputs, which are written after these
                if (j + L <= outW || o + j + L <= y.length) v.intoArray(y, o + j);
                else v.intoArray(y, o + j, VectorRows.PREFIX[outW - j]);
            }
        }
        return y;
    }

    /** As {@link #max(float[], int, WindowGeometry)} for i8 bytes, or u8 bytes when {@code unsigned}. */
    static byte[] max(byte[] x, boolean unsigned, int planes, WindowGeometry g) {
        int outW = g.out[1], inW = g.in[1], rows = planes * g.out[0], lanes = B1.length();
        byte flip = unsigned ? (byte) 0x80 : 0;
        byte[] y = OutputBuffers.bytes(rows * outW); // every element written
        for (int r = 0; r < rows; r++) {
            int a = 2 * r * inW, b = a + inW, o = r * outW;
            for (int j = 0; j < outW; j += lanes) {
                if (b + 2 * j + 2 * lanes > x.length) {
                    for (int q = j; q < outW; q++) {
                        int m = Math.max(Math.max(x[a + 2 * q] ^ flip, x[a + 2 * q + 1] ^ flip), Math.max(x[b + 2 * q] ^ flip, x[b + 2 * q + 1] ^ flip));
                        y[o + q] = (byte) (m ^ flip);
                    }
                    break;
                }
                ByteVector m = ByteVector.fromArray(B2, x, a + 2 * j).lanewise(VectorOperators.XOR, flip)
                        .max(ByteVector.fromArray(B2, x, b + 2 * j).lanewise(VectorOperators.XOR, flip));
                ShortVector pairs = m.reinterpretAsShorts();
                ShortVector lo = pairs.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8), hi = pairs.lanewise(VectorOperators.ASHR, 8);
                ByteVector v = ((ByteVector) lo.max(hi).convertShape(VectorOperators.S2B, B1, 0)).lanewise(VectorOperators.XOR, flip);
                if (j + lanes <= outW || o + j + lanes <= y.length) v.intoArray(y, o + j); // as for floats
                else v.intoArray(y, o + j, BYTE_PREFIX[outW - j]);
            }
        }
        return y;
    }
}
