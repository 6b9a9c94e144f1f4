package nncc.cpu;

import java.util.Arrays;
import java.util.function.LongBinaryOperator;
import nncc.ir.DType;

/**
 * An elementwise integer function of two 8-bit inputs with an 8-bit output (QAdd, QMul) tabulated once, when the model
 * is prepared: all 65,536 input pairs go through the op's own scalar function, so a lookup gives the very integers the
 * scalar kernel computes, whatever the rounding mode. A run then reads bytes, looks up and writes bytes. Used by the
 * fast kernel set; the scalar set computes every element, so the kernel-set agreement test checks the table.
 */
final class Int8PairTable {
    private final byte[] table;
    private final DType outType;

    private Int8PairTable(byte[] table, DType outType) {
        this.table = table;
        this.outType = outType;
    }

    /** Whether a table applies: both inputs and the output are i8 or u8. */
    static boolean applies(DType a, DType b, DType out) {
        return NdArray.isByteType(a) && NdArray.isByteType(b) && NdArray.isByteType(out);
    }

    /**
     * The lookup kernel of {@code f} for inputs of types {@code a} and {@code b} (f returns values in {@code out}'s
     * range), or {@code otherwise} when f fails on some pair (the scalar kernel then reports it at run time, as before).
     */
    static Kernel kernelOr(DType a, DType b, DType out, LongBinaryOperator f, Kernel otherwise) {
        byte[] t = new byte[1 << 16];
        try {
            for (int i = 0; i < 256; i++) {
                long x = a == DType.U8 ? i : (byte) i;
                for (int j = 0; j < 256; j++) t[i << 8 | j] = (byte) f.applyAsLong(x, b == DType.U8 ? j : (byte) j);
            }
        } catch (RuntimeException e) {
            return otherwise;
        }
        return new Int8PairTable(t, out).kernel();
    }

    /** The kernel: {@code y = f(a, b)} with numpy broadcasting, by lookup. */
    private Kernel kernel() {
        return (in, outTypes) -> {
            byte[] a = in[0].int8Bytes(), b = in[1].int8Bytes();
            int[] shape = outTypes[0].shape().toIntArray();
            if (Arrays.equals(in[0].shape, shape) && Arrays.equals(in[1].shape, shape)) {
                byte[] y = OutputBuffers.bytes(a.length); // every element written
                for (int i = 0; i < y.length; i++) y[i] = table[(a[i] & 0xFF) << 8 | (b[i] & 0xFF)];
                return ActivationKernels.one(NdArray.ofBytes(outType, shape, y));
            }
            Broadcast p = Broadcast.of(shape, in[0].shape, in[1].shape);
            byte[] y = new byte[p.rows * p.inner];
            for (int row = 0; row < p.rows; row++) {
                int ia = p.aRowOffsets[row], ib = p.bRowOffsets[row], o = row * p.inner;
                for (int j = 0; j < p.inner; j++, ia += p.aInnerStride, ib += p.bInnerStride)
                    y[o + j] = table[(a[ia] & 0xFF) << 8 | (b[ib] & 0xFF)];
            }
            return ActivationKernels.one(NdArray.ofBytes(outType, shape, y));
        };
    }
}
