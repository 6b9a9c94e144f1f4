package nncc.cpu;

import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.Rounding;
import nncc.ir.op.QAdd;
import nncc.ir.op.QMul;
import java.util.function.LongBinaryOperator;

/**
 * Integer elementwise QAdd and QMul with numpy broadcasting, in TFLite's ADD and MUL arithmetic (int32
 * intermediates, every multiplier and shift an attribute of the op, clamped to the fused activation bounds). Inputs of the
 * same shape take a flat loop, with the Vector API kernel set a vector at a time ({@link VectorElementwise}); with
 * 8-bit inputs and output the fast kernel set looks every element up in the op's {@link Int8PairTable} instead.
 */
final class QuantizedElementwiseKernels {
    private QuantizedElementwiseKernels() {}

    private static final DType[] INPUTS = {DType.I8, DType.U8, DType.I16};

    /**
     * TFLite ADD: {@code a' = mbqm((a - zpA) << leftShift, multiplierA, shiftA)}, likewise b', then
     * {@code y = clamp(mbqm(a' + b', multiplier, shift) + outputZp, actMin, actMax)} ({@code a' - b'} for TFLite SUB).
     */
    static Kernel qAdd(QAdd op, NodeContext ctx) {
        ctx.requireDType(0, "input A", INPUTS);
        ctx.requireDType(1, "input B", INPUTS);
        Rounding r = op.rounding();
        if (r == Rounding.ONNX_FLOAT32) {
            float ra = op.onnxScales().get(0), rb = op.onnxScales().get(1), c = op.onnxScales().get(2);
            return broadcast(op.outType(), null, (x, z) -> nncc.ir.OnnxArithmetic.add(x, z, ra, rb, c, op.onnxOffset(), op.actMin(), op.actMax()));
        }
        int outZp = Math.toIntExact(op.outputZp());
        boolean vector = ctx.vector() && VectorElementwise.supports(op);
        LongBinaryOperator f = (x, z) -> {
            int sa = FixedPoint.multiplyByQuantizedMultiplier((int) (x - op.inputZpA()) * (1 << op.leftShift()),
                    op.multiplierA(), op.shiftA(), r);
            int sb = FixedPoint.multiplyByQuantizedMultiplier((int) (z - op.inputZpB()) * (1 << op.leftShift()),
                    op.multiplierB(), op.shiftB(), r);
            int v = FixedPoint.multiplyByQuantizedMultiplier(op.subtract() ? sa - sb : sa + sb, op.multiplier(), op.shift(), r) + outZp;
            return FixedPoint.clamp(v, op.actMin(), op.actMax());
        };
        Kernel general = broadcast(op.outType(), !vector ? null : (a, b, y, g) -> VectorElementwise.qAdd(op, a, b, y, g), f);
        if (ctx.vector() && Int8PairTable.applies(ctx.dtype(0), ctx.dtype(1), op.outType()))
            return Int8PairTable.kernelOr(ctx.dtype(0), ctx.dtype(1), op.outType(), f, general);
        return general;
    }

    /** TFLite MUL: {@code y = clamp(mbqm((a - zpA) * (b - zpB), multiplier, shift) + outputZp, actMin, actMax)}. */
    static Kernel qMul(QMul op, NodeContext ctx) {
        ctx.requireDType(0, "input A", INPUTS);
        ctx.requireDType(1, "input B", INPUTS);
        Rounding r = op.rounding();
        if (r == Rounding.ONNX_FLOAT32) {
            float s = op.onnxScales().get(0);
            return broadcast(op.outType(), null, (x, z) -> nncc.ir.OnnxArithmetic.mul(x, z, op.inputZpA(), op.inputZpB(), s,
                    op.outputZp(), op.onnxOffset(), op.actMin(), op.actMax()));
        }
        int outZp = Math.toIntExact(op.outputZp());
        boolean vector = ctx.vector() && VectorElementwise.supports(op);
        LongBinaryOperator f = (x, z) -> {
            int product = (int) (x - op.inputZpA()) * (int) (z - op.inputZpB());
            int v = FixedPoint.multiplyByQuantizedMultiplier(product, op.multiplier(), op.shift(), r) + outZp;
            return FixedPoint.clamp(v, op.actMin(), op.actMax());
        };
        Kernel general = broadcast(op.outType(), !vector ? null : (a, b, y, g) -> VectorElementwise.qMul(op, a, b, y, g), f);
        if (ctx.vector() && Int8PairTable.applies(ctx.dtype(0), ctx.dtype(1), op.outType()))
            return Int8PairTable.kernelOr(ctx.dtype(0), ctx.dtype(1), op.outType(), f, general);
        return general;
    }

    /** A whole-array form of an elementwise function, for inputs of the same shape: {@code y[i] = f(a[i], b[i])}. */
    @FunctionalInterface
    private interface SameShape {
        void apply(long[] a, long[] b, long[] y, LongBinaryOperator f);
    }

    /** Elements per chunk of {@link #sameShapeShorts}. */
    private static final int CHUNK = 512;
    /** Exactly {@link #CHUNK} long per buffer (the vector form runs over the whole array, so not {@link Scratch}'s). */
    private static final ThreadLocal<long[][]> CHUNKS = ThreadLocal.withInitial(() -> new long[3][CHUNK]);

    /**
     * {@code y[i] = f(a[i], b[i])} for i16 inputs and output held as shorts (16x8 residual adds): whole chunks widened into
     * this thread's long buffers for the vector form, the rest through {@code f}; the output array is the step's own.
     */
    private static short[] sameShapeShorts(short[] a, short[] b, SameShape vector, LongBinaryOperator f) {
        short[] y = OutputBuffers.shorts(a.length);
        long[][] t = CHUNKS.get();
        int i = 0;
        for (; i + CHUNK <= a.length; i += CHUNK) {
            for (int j = 0; j < CHUNK; j++) { t[0][j] = a[i + j]; t[1][j] = b[i + j]; }
            vector.apply(t[0], t[1], t[2], f);
            for (int j = 0; j < CHUNK; j++) y[i + j] = (short) t[2][j];
        }
        for (; i < a.length; i++) y[i] = (short) f.applyAsLong(a[i], b[i]);
        return y;
    }

    /**
     * An elementwise kernel over two broadcast integer inputs, {@code y = f(a, b)} into {@code outType}; inputs of the
     * output's shape take a flat loop, or {@code sameShape} (the Vector API form) when given.
     */
    private static Kernel broadcast(DType outType, SameShape sameShape, LongBinaryOperator f) {
        return (in, outTypes) -> {
            NdArray a = in[0], b = in[1];
            int[] shape = outTypes[0].shape().toIntArray();
            if (java.util.Arrays.equals(a.shape, shape) && java.util.Arrays.equals(b.shape, shape)) {
                if (sameShape != null && outType == DType.I16 && a.holdsShorts() && b.holdsShorts())
                    return ActivationKernels.one(NdArray.ofShorts(outType, shape, sameShapeShorts(a.int16Shorts(), b.int16Shorts(), sameShape, f)));
                long[] y = new long[a.size()];
                if (sameShape != null) sameShape.apply(a.longs(), b.longs(), y, f);
                else for (int i = 0; i < y.length; i++) y[i] = f.applyAsLong(a.longs()[i], b.longs()[i]);
                return ActivationKernels.one(NdArray.ofIntegers(outType, shape, y, a.isNarrow() || b.isNarrow()));
            }
            Broadcast p = Broadcast.of(shape, a.shape, b.shape);
            long[] y = new long[p.rows * p.inner];
            for (int row = 0; row < p.rows; row++) {
                int ia = p.aRowOffsets[row], ib = p.bRowOffsets[row], o = row * p.inner;
                for (int j = 0; j < p.inner; j++, ia += p.aInnerStride, ib += p.bInnerStride)
                    y[o + j] = f.applyAsLong(a.longs()[ia], b.longs()[ib]);
            }
            return ActivationKernels.one(NdArray.ofIntegers(outType, shape, y, a.isNarrow() || b.isNarrow()));
        };
    }
}
