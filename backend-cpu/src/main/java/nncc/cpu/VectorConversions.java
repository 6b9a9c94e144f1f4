package nncc.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Conversions of 8-bit integer tensors a vector at a time, the same values as the scalar loops they stand in for
 * (every result is an exact small integer). Only loaded when {@code jdk.incubator.vector} is present.
 */
final class VectorConversions {
    private VectorConversions() {}

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int N = FS.length();
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, FS.vectorShape());
    private static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class, VectorShape.forBitSize(N * 8));

    /** As {@link IntegerConvolution#bytesMinusZeroPoint}: {@code f[i] = x[i] - zp} for i8 or (unsigned) u8 bytes. */
    static void bytesMinusZeroPoint(byte[] b, boolean unsigned, int zp, float[] f) {
        int i = 0;
        for (; i + N <= b.length; i += N) {
            IntVector v = (IntVector) ByteVector.fromArray(BS, b, i).convertShape(VectorOperators.B2I, IS, 0);
            if (unsigned) v = v.and(0xFF);
            ((FloatVector) v.sub(zp).convertShape(VectorOperators.I2F, FS, 0)).intoArray(f, i);
        }
        for (; i < b.length; i++) f[i] = (unsigned ? b[i] & 0xFF : b[i]) - zp;
    }
}
