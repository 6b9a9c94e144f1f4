package nncc.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * MaxPool with a 2x2 window, stride 2, no padding and an input exactly twice the output (the common "halve the map"
 * pool), a vector of output columns at a time: the max of two input rows, then of each pair of neighbouring columns
 * (floats: with the pair swapped, then each 64-bit pair narrowed to its low half; for bytes, each pair read as one 16-bit lane). A max does not depend on
 * the order its operands are taken in (Java's NaN-wins, +0 over -0), so the results equal {@link PoolKernels}' scalar
 * loops. Only loaded when {@code jdk.incubator.vector} is present.
 */
final class VectorPairPool {
    private VectorPairPool() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Ints in half a float vector: the pair maxima of one float vector. */
    private static final VectorSpecies<Integer> HALF_INTS = VectorSpecies.of(int.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** Lane i takes lane i ^ 1: the other element of its pair. */
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromOp(F, i -> i ^ 1);
    private static final VectorSpecies<Byte> B2 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S2 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> B1 = ByteVector.SPECIES_128;

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
        int outW = g.out[1], inW = g.in[1], rows = planes * g.out[0], half = L / 2;
        float[] y = OutputBuffers.floats(rows * outW); // every element written
        // rows whose vector accesses all stay inside both arrays: the vector loop has no bounds branch (measured: one that
        // only the last row takes doubled the loop's time), the rest go element by element
        int lastJ = (outW - 1) / half * half, vectorRows = 0;
        while (vectorRows < rows && (2 * vectorRows + 1) * inW + 2 * lastJ + L <= x.length && vectorRows * outW + lastJ + half <= y.length) vectorRows++;
        for (int r = 0; r < vectorRows; r++) {
            int a = 2 * r * inW, b = a + inW, o = r * outW;
            for (int j = 0; j < outW; j += half) {
                FloatVector m = FloatVector.fromArray(F, x, a + 2 * j).max(FloatVector.fromArray(F, x, b + 2 * j));
                m = m.max(m.rearrange(SWAP_PAIRS)); // each pair's max in both its lanes
                // the even lanes: each 64-bit pair narrowed to its low 32 bits; past the row's end they land in the next row's outputs, written after these
                ((IntVector) m.reinterpretAsLongs().convertShape(VectorOperators.L2I, HALF_INTS, 0)).reinterpretAsFloats().intoArray(y, o + j);
            }
        }
        for (int r = vectorRows; r < rows; r++) {
            int a = 2 * r * inW, b = a + inW, o = r * outW;
            for (int q = 0; q < outW; q++)
                y[o + q] = Math.max(Math.max(x[a + 2 * q], x[a + 2 * q + 1]), Math.max(x[b + 2 * q], x[b + 2 * q + 1]));
        }
        return y;
    }

    /** As {@link #max(float[], int, WindowGeometry)} for i8 bytes, or u8 bytes when {@code unsigned}. */
    static byte[] max(byte[] x, boolean unsigned, int planes, WindowGeometry g) {
        int outW = g.out[1], inW = g.in[1], rows = planes * g.out[0], lanes = B1.length();
        byte flip = unsigned ? (byte) 0x80 : 0;
        byte[] y = OutputBuffers.bytes(rows * outW); // every element written
        // as for floats: rows whose vector accesses all stay inside both arrays run without a bounds branch, the rest element by element
        int lastJ = (outW - 1) / lanes * lanes, vectorRows = 0;
        while (vectorRows < rows && (2 * vectorRows + 1) * inW + 2 * lastJ + 2 * lanes <= x.length && vectorRows * outW + lastJ + lanes <= y.length) vectorRows++;
        for (int r = 0; r < vectorRows; r++) {
            int a = 2 * r * inW, b = a + inW, o = r * outW;
            for (int j = 0; j < outW; j += lanes) {
                ByteVector m = ByteVector.fromArray(B2, x, a + 2 * j).lanewise(VectorOperators.XOR, flip)
                        .max(ByteVector.fromArray(B2, x, b + 2 * j).lanewise(VectorOperators.XOR, flip));
                ShortVector pairs = m.reinterpretAsShorts();
                ShortVector lo = pairs.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8), hi = pairs.lanewise(VectorOperators.ASHR, 8);
                ByteVector v = ((ByteVector) lo.max(hi).convertShape(VectorOperators.S2B, B1, 0)).lanewise(VectorOperators.XOR, flip);
                v.intoArray(y, o + j); // past the row's end the lanes land in the next row's outputs, written after these
            }
        }
        for (int r = vectorRows; r < rows; r++) {
            int a = 2 * r * inW, b = a + inW, o = r * outW;
            for (int q = 0; q < outW; q++) {
                int m = Math.max(Math.max(x[a + 2 * q] ^ flip, x[a + 2 * q + 1] ^ flip), Math.max(x[b + 2 * q] ^ flip, x[b + 2 * q + 1] ^ flip));
                y[o + q] = (byte) (m ^ flip);
            }
        }
        return y;
    }
}
