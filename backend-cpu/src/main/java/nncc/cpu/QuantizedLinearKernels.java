package nncc.cpu;

import nncc.ir.DType;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;

/**
 * The lowered integer linear ops QConv and QGemm (TFLite CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED
 * arithmetic): {@code acc = bias + sum((x - inputZp) * w)} exactly in int32 (int64 for i16 input), then the
 * {@link Requantizer} output stage with the op's multipliers, shifts, zero point and clamp. Constant weights and
 * bias are converted to int arrays once. For i16 input the int64 accumulator goes through TFLite's 64-bit
 * MultiplyByQuantizedMultiplier, which has its own (single) rounding; the op's rounding mode applies to int32.
 */
final class QuantizedLinearKernels {
    private QuantizedLinearKernels() {}

    static Kernel qConv(QConv op, NodeContext ctx) {
        boolean wide = checkTypes(ctx, op.accumulator());
        if (wide) requireWideShifts(ctx, op.shift());
        int outChannels = Math.toIntExact(ctx.inputTypes().get(1).shape().dim(0));
        boolean onnx = op.rounding() == nncc.ir.Rounding.ONNX_FLOAT32;
        Requantizer rq = onnx ? Requantizer.onnx(op.onnxScales(), op.multiplier(), op.shift(), op.outputZp(), op.actMin(), op.actMax(), outChannels)
                : Requantizer.of(op.multiplier(), op.shift(), op.rounding(), op.outputZp(), op.actMin(), op.actMax(), outChannels);
        long maxAbsInput = IntegerConvolution.maxAbsInput(ctx.dtype(0), op.inputZp());
        KernelSet kernels = ctx.kernels();
        boolean vector = ctx.vector() && !onnx, wideVector = ctx.vector();
        Parallel parallel = ctx.parallel();
        boolean bytesOut = vector && NdArray.isByteType(op.outType()); // the scalar (reference) set keeps long[] tensors
        IntegerConvolution.Weights constW = ctx.constant(1) == null ? null : weights(ctx.constant(1), maxAbsInput, op.group(), kernels);
        int[] constBias = ctx.constant(2) == null || wide ? null : toInts(ctx.constant(2).longs());
        long constMaxAbsW = constW == null || !wide ? -1 : VectorWideGemm.maxAbs(constW.ints(), 0, constW.ints().length);
        java.util.concurrent.atomic.AtomicReference<WindowGeometry> geometry = new java.util.concurrent.atomic.AtomicReference<>(); // the last input's plans
        return (in, outTypes) -> {
            NdArray x = in[0];
            int[] yShape = outTypes[0].shape().toIntArray();
            WindowGeometry g = WindowGeometry.reuse(geometry.get(), x.shape, yShape, WindowGeometry.kernelOf(in[1].shape), op.strides(),
                    op.pads(), op.dilations());
            geometry.set(g);
            IntegerConvolution.Weights w = constW != null ? constW : weights(in[1], maxAbsInput, op.group(), kernels);
            if (wide) {
                long[] bias = in.length > 2 ? in[2].longs() : null;
                if (wideVector && x.holdsShorts() && op.outType() == DType.I16) { // i16 in and out: buffers kept per thread
                    short[] ys = OutputBuffers.shorts(NdArray.sizeOf(yShape));
                    WideConvolution.convolve(x.int16Shorts(), (int) op.inputZp(), x.shape, w.ints(),
                            constW != null ? constMaxAbsW : VectorWideGemm.maxAbs(w.ints(), 0, w.ints().length), bias, yShape, op.group(), g, rq, ys);
                    return ActivationKernels.one(NdArray.ofShorts(op.outType(), yShape, ys));
                }
                int[] xi = x.holdsShorts() ? IntegerMath.minusZeroPoint(x.int16Shorts(), op.inputZp()) : IntegerMath.minusZeroPoint(x.longs(), op.inputZp());
                long[] acc = IntegerConvolution.accumulate64(xi, x.shape, w.ints(), bias, yShape, op.group(), g, wideVector);
                if (x.isNarrow() && op.outType() == DType.I16) // i16 in, i16 out: requantized straight into shorts
                    return ActivationKernels.one(NdArray.ofShorts(op.outType(), yShape, rq.applyPlanesToShorts(acc, yShape[1], g.outSize)));
                return ActivationKernels.one(NdArray.ofIntegers(op.outType(), yShape, rq.applyPlanes(acc, yShape[1], g.outSize), x.isNarrow()));
            }
            int[] bias = in.length <= 2 ? null : constBias != null ? constBias : toInts(in[2].longs());
            IntegerConvolution.Input input = IntegerConvolution.Input.of(x, op.inputZp(), w, vector);
            if (bytesOut) { // i8/u8 output: requantize straight into bytes
                byte[] yb = OutputBuffers.bytes(NdArray.sizeOf(yShape)); // the sink writes every element
                IntegerConvolution.convolve32(input, x.shape, w, yShape, op.group(), g, new IntegerConvolution.PlaneSink() {
                    @Override public void ints(int n, int c, int[] acc, int from, int positions, int dst) {
                        if (vector) VectorRequantizer.applyRun(rq, c, acc, from, positions, bias == null ? 0 : bias[c], yb, dst);
                        else rq.applyRun(c, acc, from, positions, bias == null ? 0 : bias[c], yb, dst);
                    }

                    @Override public void floats(int n, int c, float[] acc, int from, int positions, int dst) {
                        if (vector) VectorRequantizer.applyRun(rq, c, acc, from, positions, bias == null ? 0 : bias[c], yb, dst);
                        else rq.applyRun(c, acc, from, positions, bias == null ? 0 : bias[c], yb, dst);
                    }
                }, parallel);
                return ActivationKernels.one(NdArray.ofBytes(op.outType(), yShape, yb));
            }
            long[] y = new long[NdArray.sizeOf(yShape)];
            IntegerConvolution.convolve32(input, x.shape, w, yShape, op.group(), g,
                    new IntegerConvolution.PlaneSink() {
                        @Override public void ints(int n, int c, int[] acc, int from, int positions, int dst) {
                            if (vector) VectorRequantizer.applyRun(rq, c, acc, from, positions, bias == null ? 0 : bias[c], y, dst);
                            else rq.applyRun(c, acc, from, positions, bias == null ? 0 : bias[c], y, dst);
                        }

                        @Override public void floats(int n, int c, float[] acc, int from, int positions, int dst) {
                            if (vector) VectorRequantizer.applyRun(rq, c, acc, from, positions, bias == null ? 0 : bias[c], y, dst);
                            else rq.applyRun(c, acc, from, positions, bias == null ? 0 : bias[c], y, dst);
                        }
                    }, parallel);
            return ActivationKernels.one(NdArray.ofIntegers(op.outType(), yShape, y, x.isNarrow()));
        };
    }

    static Kernel qGemm(QGemm op, NodeContext ctx) {
        boolean wide = checkTypes(ctx, op.accumulator());
        if (wide) requireWideShifts(ctx, op.shift());
        int outputs = Math.toIntExact(ctx.inputTypes().get(1).shape().dim(0));
        Requantizer rq = op.rounding() == nncc.ir.Rounding.ONNX_FLOAT32
                ? Requantizer.onnx(op.onnxScales(), op.multiplier(), op.shift(), op.outputZp(), op.actMin(), op.actMax(), outputs)
                : Requantizer.of(op.multiplier(), op.shift(), op.rounding(), op.outputZp(), op.actMin(), op.actMax(), outputs);
        long maxAbsInput = IntegerConvolution.maxAbsInput(ctx.dtype(0), op.inputZp());
        IntegerConvolution.Weights constW = ctx.constant(1) == null ? null : weights(ctx.constant(1), maxAbsInput);
        int[] constBias = ctx.constant(2) == null || wide ? null : toInts(ctx.constant(2).longs());
        long constMaxAbsW = constW == null || !wide ? -1 : VectorWideGemm.maxAbs(constW.ints(), 0, constW.ints().length);
        KernelSet kernels = ctx.kernels().supported();
        boolean vector = kernels == KernelSet.VECTOR;
        // exact float weights as [K, M], so the product runs [N, K] x [K, M] straight into the output layout
        NdArray cw = ctx.constant(1);
        float[] constWt = constW == null || !constW.usesFloats() ? null
                : transposedWithSlack(constW.exactFloats(), cw.dim(0), cw.size() / Math.max(1, cw.dim(0)));
        // few rows, int32: constant int8 weights transposed as bytes for the vector matrix-vector product
        byte[] constWtBytes = !vector || wide || constW == null ? null : ByteGemv.transposed(constW.ints(), cw.dim(0), cw.size() / Math.max(1, cw.dim(0)));
        return (in, outTypes) -> {
            NdArray x = in[0];
            int n = x.dim(0), k = x.dim(1), m = in[1].dim(0);
            if (constWtBytes != null && n < SMALL_BATCH) { // one int32 sum per output, vectorized over the outputs
                int[] bias = in.length <= 2 ? null : constBias != null ? constBias : toInts(in[2].longs());
                int width = ByteGemv.paddedWidth(m);
                int[] xi = Scratch.ints(Scratch.Slot.INPUT, n * k), acc = Scratch.ints(Scratch.Slot.ACCUMULATORS, width);
                minusZeroPoint(x, op.inputZp(), xi);
                long[] y = new long[n * m];
                for (int i = 0; i < n; i++) {
                    ByteGemv.multiply(xi, i * k, k, constWtBytes, width, acc);
                    for (int j = 0; j < m; j++) y[i * m + j] = rq.apply(acc[j] + (bias == null ? 0 : bias[j]), j);
                }
                return ActivationKernels.one(NdArray.ofIntegers(op.outType(), outTypes[0].shape().toIntArray(), y, x.isNarrow()));
            }
            IntegerConvolution.Weights w = constW != null ? constW : weights(in[1], maxAbsInput);
            if (!wide && w.usesFloats()) {
                float[] wt = constWt != null ? constWt : transposedWithSlack(w.exactFloats(), m, k);
                int[] bias = in.length <= 2 ? null : constBias != null ? constBias : toInts(in[2].longs());
                float[] xf = new float[n * k];
                long zp = op.inputZp();
                for (int i = 0; i < xf.length; i++) xf[i] = x.longs()[i] - zp;
                float[] acc = new float[n * m + ConvKernels.GEMM_SLACK];
                FloatGemm.multiplyAdd(FloatGemm.pack(xf, 0, n, k, kernels), wt, 0, m, m, acc, 0, m);
                long[] y = new long[n * m];
                for (int i = 0; i < n; i++) rq.applyRow(acc, i * m, m, bias, y, i * m);
                return ActivationKernels.one(NdArray.ofIntegers(op.outType(), outTypes[0].shape().toIntArray(), y, x.isNarrow()));
            }
            if (!wide && n < SMALL_BATCH) { // few rows: one int32 dot product per output, weights read row by row
                int[] bias = in.length <= 2 ? null : constBias != null ? constBias : toInts(in[2].longs());
                int[] xi = IntegerMath.minusZeroPoint(x.longs(), op.inputZp());
                long[] y = new long[n * m];
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < m; j++) {
                        int dot = vector ? VectorDot.dot(xi, i * k, w.ints(), j * k, k) : dot(xi, i * k, w.ints(), j * k, k);
                        y[i * m + j] = rq.apply(dot + (bias == null ? 0 : bias[j]), j);
                    }
                return ActivationKernels.one(NdArray.ofIntegers(op.outType(), outTypes[0].shape().toIntArray(), y, x.isNarrow()));
            }
            // [M, K] x [K, N]: the batch is the long inner loop
            int[] xt = transposedMinusZeroPoint(x.longs(), n, k, op.inputZp());
            long[] y = new long[n * m];
            if (wide) {
                long[] acc = new long[m * n];
                if (in.length > 2) for (int j = 0; j < m; j++) java.util.Arrays.fill(acc, j * n, (j + 1) * n, in[2].longs()[j]);
                if (vector) VectorWideGemm.multiplyAdd(m, n, k, w.ints(), 0, k, constW != null ? constMaxAbsW : -1, xt, n, acc);
                else IntegerConvolution.multiplyAddWide(m, n, k, w.ints(), 0, k, xt, n, acc);
                for (int j = 0; j < m; j++) for (int i = 0; i < n; i++) y[i * m + j] = rq.apply(acc[j * n + i], j);
            } else {
                int[] bias = in.length <= 2 ? null : constBias != null ? constBias : toInts(in[2].longs());
                int[] acc = IntegerConvolution.multiply32(w, m, k, xt, n, bias);
                for (int j = 0; j < m; j++) for (int i = 0; i < n; i++) y[i * m + j] = rq.apply(acc[j * n + i], j);
            }
            return ActivationKernels.one(NdArray.ofIntegers(op.outType(), outTypes[0].shape().toIntArray(), y, x.isNarrow()));
        };
    }

    /** Below this many input rows the int32 QGemm takes dot products instead of the batch-inner matrix product. */
    private static final int SMALL_BATCH = 8;

    /** {@code sum a[i] * b[i]} over k elements, int32 with wrap-around (the same integer in any order). */
    static int dot(int[] a, int aOff, int[] b, int bOff, int k) {
        int s0 = 0, s1 = 0, s2 = 0, s3 = 0, p = 0;
        for (; p + 3 < k; p += 4) {
            s0 += a[aOff + p] * b[bOff + p];
            s1 += a[aOff + p + 1] * b[bOff + p + 1];
            s2 += a[aOff + p + 2] * b[bOff + p + 2];
            s3 += a[aOff + p + 3] * b[bOff + p + 3];
        }
        for (; p < k; p++) s0 += a[aOff + p] * b[bOff + p];
        return s0 + s1 + s2 + s3;
    }

    /** Weights [M, ...] prepared for the int32 product (and the exact float product when it applies). */
    static IntegerConvolution.Weights weights(NdArray w, long maxAbsInput) {
        return IntegerConvolution.Weights.of(w.longs(), w.size() / Math.max(1, w.dim(0)), maxAbsInput);
    }

    /** As {@link #weights(NdArray, long)}, with the float form packed per group for {@code kernels}. */
    static IntegerConvolution.Weights weights(NdArray w, long maxAbsInput, int group, KernelSet kernels) {
        return weights(w, maxAbsInput).prepared(group, w.size() / Math.max(1, w.dim(0)), kernels);
    }

    /** Checks input, weight and bias types; true when the op accumulates in int64 (its declared accumulator). */
    private static boolean checkTypes(NodeContext ctx, DType accumulator) {
        ctx.requireDType(0, "input x", DType.I8, DType.U8, DType.I16);
        ctx.requireDType(1, "weight w", DType.I8);
        boolean wide = accumulator == DType.I64;
        if (ctx.hasInput(2)) ctx.requireDType(2, "bias", wide ? DType.I64 : DType.I32);
        return wide;
    }

    /** TFLite's 64-bit requantization takes shifts in [-31, 7] only. */
    private static void requireWideShifts(NodeContext ctx, java.util.List<Integer> shifts) {
        for (int s : shifts)
            if (s > 7) throw ctx.error("shift " + s + " is above 7, the limit of the int64-accumulator requantization of i16 input");
    }

    /** x [n, k] minus the zero point, transposed to [k, n] as int32. */
    static int[] transposedMinusZeroPoint(long[] x, int n, int k, long zp) {
        int[] t = new int[n * k];
        for (int i = 0; i < n; i++) for (int p = 0; p < k; p++) t[p * n + i] = (int) (x[i * k + p] - zp);
        return t;
    }

    /** The [k, m] transpose of [m, k] weights, with the GEMM's slack past the end. */
    private static float[] transposedWithSlack(float[] w, int m, int k) {
        return java.util.Arrays.copyOf(MatrixProduct.transpose(w, 0, m, k), m * k + ConvKernels.GEMM_SLACK);
    }

    /** The elements of integer tensor x minus {@code zeroPoint}, as int32, into {@code r} (bytes and shorts read without a long[] copy). */
    private static void minusZeroPoint(NdArray x, long zeroPoint, int[] r) {
        int n = x.size(), zp = (int) zeroPoint;
        if (x.holdsBytes()) {
            byte[] b = x.int8Bytes();
            if (x.dtype == DType.U8) for (int i = 0; i < n; i++) r[i] = (b[i] & 0xFF) - zp;
            else for (int i = 0; i < n; i++) r[i] = b[i] - zp;
        } else if (x.holdsShorts()) {
            short[] h = x.int16Shorts();
            for (int i = 0; i < n; i++) r[i] = h[i] - zp;
        } else {
            long[] q = x.longs();
            for (int i = 0; i < n; i++) r[i] = (int) (q[i] - zeroPoint);
        }
    }

    static int[] toInts(long[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) r[i] = (int) a[i];
        return r;
    }
}
