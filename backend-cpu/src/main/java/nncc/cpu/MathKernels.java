package nncc.cpu;

import nncc.ir.DType;
import nncc.ir.op.Gelu;
import nncc.ir.op.LayerNormalization;
import nncc.ir.op.Shapes;

/**
 * Float kernels of the transcendental ops and the normalizations transformers use: Pow, Sqrt, Erf, Gelu and
 * LayerNormalization. Each element is computed in double and rounded once to the tensor's type.
 */
final class MathKernels {
    private MathKernels() {}

    private static final DType[] FLOATS = {DType.F32, DType.F16, DType.BF16, DType.F64};

    static Kernel pow(NodeContext ctx) {
        ctx.requireDType(0, "input X", FLOATS);
        ctx.requireDType(1, "input Y", ctx.dtype(0));
        return (in, outTypes) -> {
            NdArray a = in[0], b = in[1];
            int[] shape = outTypes[0].shape().toIntArray();
            Broadcast p = Broadcast.of(shape, a.shape, b.shape);
            double[] y = new double[p.rows * p.inner];
            for (int r = 0; r < p.rows; r++) {
                int ia = p.aRowOffsets[r], ib = p.bRowOffsets[r], o = r * p.inner;
                for (int j = 0; j < p.inner; j++, ia += p.aInnerStride, ib += p.bInnerStride)
                    y[o + j] = power(a.getDouble(ia), b.getDouble(ib));
            }
            return ActivationKernels.one(of(outTypes[0].dtype(), shape, y));
        };
    }

    /** x^e, with the common exponents exact (a square is x * x, as ONNX Runtime computes it). */
    static double power(double x, double e) {
        if (e == 2) return x * x;
        if (e == 1) return x;
        if (e == 0.5) return Math.sqrt(x);
        return Math.pow(x, e);
    }

    static Kernel sqrt(NodeContext ctx) { return unary(ctx, Math::sqrt); }

    static Kernel erf(NodeContext ctx) { return unary(ctx, MathKernels::erf); }

    static Kernel gelu(Gelu op, NodeContext ctx) {
        return switch (op.approximate()) {
            case NONE -> unary(ctx, x -> 0.5 * x * (1 + erf(x / Math.sqrt(2))));
            case TANH -> unary(ctx, x -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))));
        };
    }

    /** Per outer row: mean and biased variance over the normalized dims, then scale and bias (broadcast to them). */
    static Kernel layerNormalization(LayerNormalization op, NodeContext ctx) {
        ctx.requireDType(0, "input X", FLOATS);
        return (in, outTypes) -> {
            NdArray x = in[0];
            int axis = Shapes.axis(op.axis(), x.rank());
            int inner = NdArray.product(x.shape, axis, x.rank()), outer = x.size() / Math.max(1, inner);
            int[] normalized = java.util.Arrays.copyOfRange(x.shape, axis, x.rank());
            double[] scale = expand(in[1], normalized), bias = in.length > 2 ? expand(in[2], normalized) : new double[inner];
            double[] y = new double[x.size()];
            float[] means = new float[outer], invStd = new float[outer];
            for (int o = 0; o < outer; o++) {
                int base = o * inner;
                double mean = 0;
                for (int j = 0; j < inner; j++) mean += x.getDouble(base + j);
                mean /= inner;
                double var = 0;
                for (int j = 0; j < inner; j++) {
                    double d = x.getDouble(base + j) - mean;
                    var += d * d;
                }
                double inv = 1 / Math.sqrt(var / inner + op.epsilon());
                means[o] = (float) mean;
                invStd[o] = (float) inv;
                for (int j = 0; j < inner; j++) y[base + j] = (x.getDouble(base + j) - mean) * inv * scale[j] + bias[j];
            }
            NdArray[] out = new NdArray[outTypes.length];
            out[0] = of(x.dtype, x.shape, y);
            if (out.length > 1) out[1] = NdArray.ofFloats(DType.F32, outTypes[1].shape().toIntArray(), means);
            if (out.length > 2) out[2] = NdArray.ofFloats(DType.F32, outTypes[2].shape().toIntArray(), invStd);
            return out;
        };
    }

    /** {@code p} broadcast (numpy rules, aligned at the last dim) to {@code shape}, as doubles in row-major order. */
    private static double[] expand(NdArray p, int[] shape) {
        double[] r = new double[NdArray.sizeOf(shape)];
        int[] pShape = new int[shape.length];
        java.util.Arrays.fill(pShape, 1);
        System.arraycopy(p.shape, 0, pShape, shape.length - p.rank(), p.rank());
        int[] strides = NdArray.strides(pShape);
        int[] pos = new int[shape.length];
        for (int i = 0; i < r.length; i++) {
            int k = 0;
            for (int d = 0; d < shape.length; d++) k += pShape[d] == 1 ? 0 : pos[d] * strides[d];
            r[i] = p.getDouble(k);
            WindowGeometry.increment(pos, shape);
        }
        return r;
    }

    /**
     * The error function to double precision: its Taylor series below |x| = 3 (terms alternate and shrink fast
     * enough that the sum keeps about 12 digits), {@code 1 - erfc(x)} from erfc's continued fraction beyond.
     */
    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax < 3) {
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 100; n++) {
                term *= -x2 / n;
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
            }
            return 2 / Math.sqrt(Math.PI) * sum;
        }
        if (ax > 6) return Math.signum(x);
        // erfc(x) = exp(-x^2) / sqrt(pi) * 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / (x + ...)))))
        double f = ax;
        for (int k = 60; k >= 1; k--) f = ax + (k / 2.0) / f;
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        return Math.signum(x) * (1 - erfc);
    }

    private static Kernel unary(NodeContext ctx, java.util.function.DoubleUnaryOperator f) {
        ctx.requireDType(0, "input X", FLOATS);
        return (in, outTypes) -> {
            NdArray x = in[0];
            double[] y = new double[x.size()];
            for (int i = 0; i < y.length; i++) y[i] = f.applyAsDouble(x.getDouble(i));
            return ActivationKernels.one(of(x.dtype, x.shape, y));
        };
    }

    private static NdArray of(DType t, int[] shape, double[] v) {
        if (t == DType.F64) return NdArray.ofDoubles(shape, v);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return NdArray.ofFloats(t, shape, f);
    }
}
