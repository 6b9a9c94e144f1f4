package nncc.cpu;

import nncc.ir.DType;
import nncc.ir.op.Activation;

/**
 * Binary elementwise ops with numpy broadcasting (ONNX Add, Sub, Mul, Div, PRelu). f32/f16/bf16 compute in
 * float (f16/bf16 rounded back), f64 in double, integers in 64 bits and then wrap to their type like numpy
 * (uint8 200 + 100 = 44); integer Div truncates toward zero and rejects a zero divisor. Add, Sub and Mul then
 * apply their fused activation (a clamp).
 */
final class ElementwiseKernels {
    private ElementwiseKernels() {}

    /** The arithmetic of one binary op. */
    enum BinaryOp { ADD, SUB, MUL, DIV, PRELU }

    static Kernel binary(BinaryOp op, NodeContext ctx) { return binary(op, Activation.NONE, ctx); }

    /** A binary op followed by a fused activation. */
    static Kernel binary(BinaryOp op, Activation activation, NodeContext ctx) {
        ctx.requireDType(0, "input A", DType.F32, DType.F16, DType.BF16, DType.F64,
                DType.I64, DType.I32, DType.I16, DType.I8, DType.U8);
        ctx.requireDType(1, op == BinaryOp.PRELU ? "slope" : "input B", ctx.dtype(0));
        return (in, outTypes) -> {
            NdArray a = in[0], b = in[1];
            int[] shape = outTypes[0].shape().toIntArray();
            Broadcast plan = Broadcast.of(shape, a.shape, b.shape);
            DType t = outTypes[0].dtype();
            NdArray y = switch (a.storage()) {
                case FLOAT -> {
                    float[] r = floats(op, a.floats, b.floats, plan);
                    ActivationKernels.clampInPlace(activation, r);
                    yield NdArray.ofFloats(t, shape, r);
                }
                case DOUBLE -> {
                    double[] r = doubles(op, a.doubles, b.doubles, plan);
                    ActivationKernels.clampInPlace(activation, r);
                    yield NdArray.ofDoubles(shape, r);
                }
                case LONG -> {
                    long[] r = longs(ctx, op, t, a.longs(), b.longs(), plan);
                    ActivationKernels.clampInPlace(activation, r);
                    yield NdArray.ofLongs(t, shape, r);
                }
            };
            return new NdArray[] {y};
        };
    }

    private static float[] floats(BinaryOp op, float[] a, float[] b, Broadcast p) {
        if (p.rows == 1 && p.aInnerStride == 1 && p.bInnerStride == 1 && p.aRowOffsets[0] == 0 && p.bRowOffsets[0] == 0
                && op != BinaryOp.PRELU)
            return sameShape(op, a, b, p.inner);
        float[] y = new float[p.rows * p.inner];
        int sa = p.aInnerStride, sb = p.bInnerStride;
        for (int r = 0; r < p.rows; r++) {
            int ia = p.aRowOffsets[r], ib = p.bRowOffsets[r], o = r * p.inner;
            switch (op) {
                case ADD -> { for (int j = 0; j < p.inner; j++, ia += sa, ib += sb) y[o + j] = a[ia] + b[ib]; }
                case SUB -> { for (int j = 0; j < p.inner; j++, ia += sa, ib += sb) y[o + j] = a[ia] - b[ib]; }
                case MUL -> { for (int j = 0; j < p.inner; j++, ia += sa, ib += sb) y[o + j] = a[ia] * b[ib]; }
                case DIV -> { for (int j = 0; j < p.inner; j++, ia += sa, ib += sb) y[o + j] = a[ia] / b[ib]; }
                case PRELU -> {
                    for (int j = 0; j < p.inner; j++, ia += sa, ib += sb) y[o + j] = a[ia] < 0 ? b[ib] * a[ia] : a[ia];
                }
            }
        }
        return y;
    }

    /** Operands of the output's shape: unit-stride loops the JIT vectorizes, the same float per element. */
    private static float[] sameShape(BinaryOp op, float[] a, float[] b, int n) {
        float[] y = OutputBuffers.floats(n);
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) y[i] = a[i] + b[i]; }
            case SUB -> { for (int i = 0; i < n; i++) y[i] = a[i] - b[i]; }
            case MUL -> { for (int i = 0; i < n; i++) y[i] = a[i] * b[i]; }
            case DIV -> { for (int i = 0; i < n; i++) y[i] = a[i] / b[i]; }
            case PRELU -> throw new IllegalArgumentException("PRelu takes the broadcast loop");
        }
        return y;
    }

    private static double[] doubles(BinaryOp op, double[] a, double[] b, Broadcast p) {
        double[] y = new double[p.rows * p.inner];
        int sa = p.aInnerStride, sb = p.bInnerStride;
        for (int r = 0; r < p.rows; r++) {
            int ia = p.aRowOffsets[r], ib = p.bRowOffsets[r], o = r * p.inner;
            switch (op) {
                case ADD -> { for (int j = 0; j < p.inner; j++, ia += sa, ib += sb) y[o + j] = a[ia] + b[ib]; }
                case SUB -> { for (int j = 0; j < p.inner; j++, ia += sa, ib += sb) y[o + j] = a[ia] - b[ib]; }
                case MUL -> { for (int j = 0; j < p.inner; j++, ia += sa, ib += sb) y[o + j] = a[ia] * b[ib]; }
                case DIV -> { for (int j = 0; j < p.inner; j++, ia += sa, ib += sb) y[o + j] = a[ia] / b[ib]; }
                case PRELU -> {
                    for (int j = 0; j < p.inner; j++, ia += sa, ib += sb) y[o + j] = a[ia] < 0 ? b[ib] * a[ia] : a[ia];
                }
            }
        }
        return y;
    }

    private static long[] longs(NodeContext ctx, BinaryOp op, DType t, long[] a, long[] b, Broadcast p) {
        long[] y = new long[p.rows * p.inner];
        int sa = p.aInnerStride, sb = p.bInnerStride;
        for (int r = 0; r < p.rows; r++) {
            int ia = p.aRowOffsets[r], ib = p.bRowOffsets[r], o = r * p.inner;
            for (int j = 0; j < p.inner; j++, ia += sa, ib += sb) {
                long x = a[ia], z = b[ib];
                long v = switch (op) {
                    case ADD -> x + z;
                    case SUB -> x - z;
                    case MUL -> x * z;
                    case DIV -> {
                        if (z == 0) throw ctx.error("integer division by zero");
                        yield x / z;
                    }
                    case PRELU -> x < 0 ? z * x : x;
                };
                y[o + j] = IntegerMath.wrap(t, v);
            }
        }
        return y;
    }
}
