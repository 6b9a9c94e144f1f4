package nncc.cpu;

import jdk.incubator.vector.LongVector;
import nncc.ir.Rounding;
import nncc.ir.op.QAdd;
import nncc.ir.op.QMul;

/**
 * Same-shape QAdd and QMul a vector of elements at a time, through {@link VectorRequantizer}'s lane-wise
 * MultiplyByQuantizedMultiplier: the same int32 arithmetic, wrap-arounds included, as the scalar kernels in
 * {@link QuantizedElementwiseKernels}, so the same integers. Elements past a vector multiple take the scalar
 * function. Only loaded when {@code jdk.incubator.vector} is present.
 */
final class VectorElementwise {
    private VectorElementwise() {}

    private static final int N = VectorRequantizer.LS.length();

    /** Whether every multiplier of {@code op} is one the vector form reproduces. */
    static boolean supports(QAdd op) {
        Rounding r = op.rounding();
        return VectorRequantizer.supports(op.multiplierA(), op.shiftA(), r) && VectorRequantizer.supports(op.multiplierB(), op.shiftB(), r)
                && VectorRequantizer.supports(op.multiplier(), op.shift(), r);
    }

    static boolean supports(QMul op) { return VectorRequantizer.supports(op.multiplier(), op.shift(), op.rounding()); }

    /** {@code y[i] = scalar(a[i], b[i])} for QAdd, vectors first. */
    static void qAdd(QAdd op, long[] a, long[] b, long[] y, java.util.function.LongBinaryOperator scalar) {
        Rounding r = op.rounding();
        int i = 0;
        for (; i + N <= y.length; i += N) {
            LongVector x = VectorRequantizer.wrap32(LongVector.fromArray(VectorRequantizer.LS, a, i).sub(op.inputZpA()));
            LongVector z = VectorRequantizer.wrap32(LongVector.fromArray(VectorRequantizer.LS, b, i).sub(op.inputZpB()));
            // (int) (x - zp) * (1 << leftShift), an int32 product
            LongVector sa = VectorRequantizer.multiplyByQuantizedMultiplier(VectorRequantizer.wrap32(x.mul(1L << op.leftShift())),
                    op.multiplierA(), op.shiftA(), r);
            LongVector sb = VectorRequantizer.multiplyByQuantizedMultiplier(VectorRequantizer.wrap32(z.mul(1L << op.leftShift())),
                    op.multiplierB(), op.shiftB(), r);
            LongVector v = VectorRequantizer.multiplyByQuantizedMultiplier(VectorRequantizer.wrap32(sa.add(sb)), op.multiplier(), op.shift(), r);
            VectorRequantizer.wrap32(v.add(op.outputZp())).max(op.actMin()).min(op.actMax()).intoArray(y, i);
        }
        for (; i < y.length; i++) y[i] = scalar.applyAsLong(a[i], b[i]);
    }

    /** {@code y[i] = scalar(a[i], b[i])} for QMul, vectors first. */
    static void qMul(QMul op, long[] a, long[] b, long[] y, java.util.function.LongBinaryOperator scalar) {
        int i = 0;
        for (; i + N <= y.length; i += N) {
            LongVector x = VectorRequantizer.wrap32(LongVector.fromArray(VectorRequantizer.LS, a, i).sub(op.inputZpA()));
            LongVector z = VectorRequantizer.wrap32(LongVector.fromArray(VectorRequantizer.LS, b, i).sub(op.inputZpB()));
            LongVector v = VectorRequantizer.multiplyByQuantizedMultiplier(VectorRequantizer.wrap32(x.mul(z)), op.multiplier(), op.shift(),
                    op.rounding());
            VectorRequantizer.wrap32(v.add(op.outputZp())).max(op.actMin()).min(op.actMax()).intoArray(y, i);
        }
        for (; i < y.length; i++) y[i] = scalar.applyAsLong(a[i], b[i]);
    }
}
