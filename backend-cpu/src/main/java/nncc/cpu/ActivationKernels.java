package nncc.cpu;

import nncc.ir.DType;
import nncc.ir.op.Activation;
import nncc.ir.op.Clip;
import nncc.ir.op.HardSigmoid;
import nncc.ir.op.LeakyRelu;
import nncc.ir.op.Shapes;
import nncc.ir.op.Softmax;

/**
 * Activations (ONNX Relu, LeakyRelu, Clip, Sigmoid, Tanh, HardSigmoid, HardSwish, Softmax). Relu and Clip work
 * on every numeric type; the others on float types, computed in the precision of the storage (float for
 * f32/f16/bf16, double for f64), transcendental functions through double.
 */
final class ActivationKernels {
    private ActivationKernels() {}

    /** A float function given for both storage precisions. */
    interface FloatFunction {
        float apply(float x);

        double apply(double x);
    }

    private static final DType[] FLOATS = {DType.F32, DType.F16, DType.BF16, DType.F64};
    private static final DType[] NUMERIC = {DType.F32, DType.F16, DType.BF16, DType.F64,
            DType.I64, DType.I32, DType.I16, DType.I8, DType.U8};

    static Kernel relu(NodeContext ctx) {
        ctx.requireDType(0, "input X", NUMERIC);
        boolean vector = ctx.vector();
        return (in, outTypes) -> {
            NdArray x = in[0];
            return switch (x.storage()) {
                case FLOAT -> {
                    float[] y;
                    if (vector) VectorRows.relu(x.floats, y = OutputBuffers.floats(x.size()), x.size()); // every element written
                    else {
                        y = new float[x.size()];
                        for (int i = 0; i < y.length; i++) y[i] = Math.max(x.floats[i], 0f);
                    }
                    yield one(NdArray.ofFloats(x.dtype, x.shape, y));
                }
                case DOUBLE -> {
                    double[] y = new double[x.size()];
                    for (int i = 0; i < y.length; i++) y[i] = Math.max(x.doubles[i], 0.0);
                    yield one(NdArray.ofDoubles(x.shape, y));
                }
                case LONG -> {
                    long[] y = new long[x.size()];
                    for (int i = 0; i < y.length; i++) y[i] = Math.max(x.longs()[i], 0L);
                    yield one(NdArray.ofLongs(x.dtype, x.shape, y));
                }
            };
        };
    }

    static Kernel clip(Clip op, NodeContext ctx) {
        ctx.requireDType(0, "input X", NUMERIC);
        float lo = op.min(), hi = op.max();
        long loInt = lo == Float.NEGATIVE_INFINITY ? Long.MIN_VALUE : (long) Math.ceil(lo);
        long hiInt = hi == Float.POSITIVE_INFINITY ? Long.MAX_VALUE : (long) Math.floor(hi);
        FloatFunction f = new FloatFunction() {
            @Override public float apply(float x) { return Math.min(Math.max(x, lo), hi); }

            @Override public double apply(double x) { return Math.min(Math.max(x, lo), hi); }
        };
        return (in, outTypes) -> {
            NdArray x = in[0];
            if (x.storage() != NdArray.Storage.LONG) return one(map(x, f));
            long[] y = new long[x.size()];
            for (int i = 0; i < y.length; i++) y[i] = Math.min(Math.max(x.longs()[i], loInt), hiInt);
            return one(NdArray.ofLongs(x.dtype, x.shape, y));
        };
    }

    static Kernel leakyRelu(LeakyRelu op, NodeContext ctx) {
        float alpha = op.alpha();
        return unary(ctx, new FloatFunction() {
            @Override public float apply(float x) { return x >= 0 ? x : alpha * x; }

            @Override public double apply(double x) { return x >= 0 ? x : alpha * x; }
        });
    }

    static Kernel sigmoid(NodeContext ctx) {
        return unary(ctx, new FloatFunction() {
            @Override public float apply(float x) { return (float) apply((double) x); }

            @Override public double apply(double x) { return 1.0 / (1.0 + Math.exp(-x)); }
        });
    }

    static Kernel tanh(NodeContext ctx) {
        return unary(ctx, new FloatFunction() {
            @Override public float apply(float x) { return (float) Math.tanh(x); }

            @Override public double apply(double x) { return Math.tanh(x); }
        });
    }

    static Kernel hardSigmoid(HardSigmoid op, NodeContext ctx) {
        float alpha = op.alpha(), beta = op.beta();
        return unary(ctx, new FloatFunction() {
            @Override public float apply(float x) { return Math.max(0f, Math.min(1f, alpha * x + beta)); }

            @Override public double apply(double x) { return Math.max(0.0, Math.min(1.0, alpha * x + beta)); }
        });
    }

    static Kernel hardSwish(NodeContext ctx) {
        float alpha = 1f / 6f;
        return unary(ctx, new FloatFunction() {
            @Override public float apply(float x) { return x * Math.max(0f, Math.min(1f, alpha * x + 0.5f)); }

            @Override public double apply(double x) { return x * Math.max(0.0, Math.min(1.0, x / 6.0 + 0.5)); }
        });
    }

    private static Kernel unary(NodeContext ctx, FloatFunction f) {
        ctx.requireDType(0, "input X", FLOATS);
        return (in, outTypes) -> one(map(in[0], f));
    }

    private static NdArray map(NdArray x, FloatFunction f) {
        if (x.storage() == NdArray.Storage.DOUBLE) {
            double[] y = new double[x.size()];
            for (int i = 0; i < y.length; i++) y[i] = f.apply(x.doubles[i]);
            return NdArray.ofDoubles(x.shape, y);
        }
        float[] y = new float[x.size()];
        for (int i = 0; i < y.length; i++) y[i] = f.apply(x.floats[i]);
        return NdArray.ofFloats(x.dtype, x.shape, y);
    }

    /** Softmax along one axis: exp(x - max) / sum, the max subtracted for stability; sums in double. */
    static Kernel softmax(Softmax op, NodeContext ctx) {
        ctx.requireDType(0, "input X", FLOATS);
        return (in, outTypes) -> {
            NdArray x = in[0];
            int axis = Shapes.axis(op.axis(), x.rank());
            int outer = NdArray.product(x.shape, 0, axis), n = x.dim(axis);
            int inner = NdArray.product(x.shape, axis + 1, x.rank());
            double[] row = new double[n];
            double[] y = new double[x.size()];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++) {
                    int base = o * n * inner + i;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < n; k++) {
                        row[k] = x.getDouble(base + k * inner);
                        max = Math.max(max, row[k]);
                    }
                    double sum = 0;
                    for (int k = 0; k < n; k++) { row[k] = Math.exp(row[k] - max); sum += row[k]; }
                    for (int k = 0; k < n; k++) y[base + k * inner] = row[k] / sum;
                }
            if (x.storage() == NdArray.Storage.DOUBLE) return one(NdArray.ofDoubles(x.shape, y));
            float[] f = new float[y.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) y[i];
            return one(NdArray.ofFloats(x.dtype, x.shape, f));
        };
    }

    static NdArray[] one(NdArray a) { return new NdArray[] {a}; }

    /** Applies a fused activation (a clamp to [min, max]) to freshly computed float results, in place. */
    static void clampInPlace(Activation a, float[] y) {
        if (a == Activation.NONE) return;
        float lo = a.min(), hi = a.max();
        for (int i = 0; i < y.length; i++) y[i] = Math.min(Math.max(y[i], lo), hi);
    }

    /** As {@link #clampInPlace(Activation, float[])} for double results. */
    static void clampInPlace(Activation a, double[] y) {
        if (a == Activation.NONE) return;
        double lo = a.min(), hi = a.max();
        for (int i = 0; i < y.length; i++) y[i] = Math.min(Math.max(y[i], lo), hi);
    }

    /** As {@link #clampInPlace(Activation, float[])} for integer results: the integers inside [min, max]. */
    static void clampInPlace(Activation a, long[] y) {
        if (a == Activation.NONE) return;
        long lo = (long) Math.ceil(a.min()), hi = a.max() == Float.POSITIVE_INFINITY ? Long.MAX_VALUE : (long) Math.floor(a.max());
        for (int i = 0; i < y.length; i++) y[i] = Math.min(Math.max(y[i], lo), hi);
    }
}
