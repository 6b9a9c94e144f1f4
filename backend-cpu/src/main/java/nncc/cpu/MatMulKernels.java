package nncc.cpu;

import nncc.ir.DType;
import nncc.ir.op.Gemm;

/**
 * Float matrix products: ONNX Gemm (both transpose flags, alpha, beta, C broadcast to [M, N]) and MatMul
 * (numpy batching with broadcast batch dims, 1-D operands promoted). A constant B of Gemm is transposed
 * once at prepare time so the product always reads B as [K, N], in place, while the (small) activation operand A is
 * packed per run for the kernel set ({@link FloatGemm}). Gemm applies its fused activation.
 */
final class MatMulKernels {
    private MatMulKernels() {}

    private static final DType[] FLOATS = {DType.F32, DType.F16, DType.BF16, DType.F64};

    /**
     * The loop structure of a (batched) matmul: {@code batches} products of [m, k] x [k, n], batch i reading A at
     * {@code aOffsets[i]} and B at {@code bOffsets[i]} and writing [m, n] at {@code i * m * n}.
     */
    record Plan(int m, int k, int n, int batches, int[] aOffsets, int[] bOffsets) {

        /** Plans numpy matmul of shapes a and b (1-D operands promoted to [1, K] and [K, 1]). */
        static Plan of(int[] aShape, int[] bShape) {
            int[] a = aShape.length == 1 ? new int[] {1, aShape[0]} : aShape;
            int[] b = bShape.length == 1 ? new int[] {bShape[0], 1} : bShape;
            int m = a[a.length - 2], k = a[a.length - 1], n = b[b.length - 1];
            int[] aBatch = java.util.Arrays.copyOf(a, a.length - 2), bBatch = java.util.Arrays.copyOf(b, b.length - 2);
            if (bBatch.length == 0) // B shared by every batch: one tall product
                return new Plan(NdArray.product(aBatch, 0, aBatch.length) * m, k, n, 1, new int[] {0}, new int[] {0});
            int r = Math.max(aBatch.length, bBatch.length);
            int[] out = new int[r];
            for (int i = 0; i < r; i++) {
                int ia = i - (r - aBatch.length), ib = i - (r - bBatch.length);
                int da = ia < 0 ? 1 : aBatch[ia], db = ib < 0 ? 1 : bBatch[ib];
                out[i] = da == 1 ? db : da;
            }
            Broadcast walk = Broadcast.of(out, aBatch, bBatch);
            int batches = walk.rows * walk.inner;
            int[] ao = new int[batches], bo = new int[batches];
            for (int row = 0, i = 0; row < walk.rows; row++)
                for (int j = 0; j < walk.inner; j++, i++) {
                    ao[i] = (walk.aRowOffsets[row] + j * walk.aInnerStride) * m * k;
                    bo[i] = (walk.bRowOffsets[row] + j * walk.bInnerStride) * k * n;
                }
            return new Plan(m, k, n, batches, ao, bo);
        }
    }

    static Kernel matMul(NodeContext ctx) {
        ctx.requireDType(0, "input A", FLOATS);
        ctx.requireDType(1, "input B", ctx.dtype(0));
        KernelSet kernels = ctx.kernels().supported();
        return (in, outTypes) -> {
            NdArray a = in[0], b = in[1];
            int[] shape = outTypes[0].shape().toIntArray();
            Plan p = Plan.of(a.shape, b.shape);
            int mn = p.m() * p.n();
            if (a.storage() == NdArray.Storage.DOUBLE) {
                double[] y = new double[p.batches() * mn];
                for (int i = 0; i < p.batches(); i++)
                    MatrixProduct.multiplyAdd(p.m(), p.n(), p.k(), a.doubles, p.aOffsets()[i], p.k(),
                            b.doubles, p.bOffsets()[i], p.n(), y, i * mn, p.n());
                return ActivationKernels.one(NdArray.ofDoubles(shape, y));
            }
            float[] y = new float[p.batches() * mn];
            for (int i = 0; i < p.batches(); i++)
                FloatGemm.multiplyAddRowMajor(a.floats, p.aOffsets()[i], p.m(), p.k(), b.floats, p.bOffsets()[i], p.n(), p.n(), y, i * mn,
                        p.n(), kernels);
            return ActivationKernels.one(NdArray.ofFloats(a.dtype, shape, y));
        };
    }

    static Kernel gemm(Gemm op, NodeContext ctx) {
        ctx.requireDType(0, "input A", FLOATS);
        ctx.requireDType(1, "input B", ctx.dtype(0));
        if (ctx.hasInput(2)) ctx.requireDType(2, "input C", ctx.dtype(0));
        NdArray constB = ctx.constant(1) == null ? null : bAsKByN(ctx.constant(1), op.transB());
        KernelSet kernels = ctx.kernels().supported();
        return (in, outTypes) -> {
            NdArray a = op.transA() ? transpose2d(in[0]) : in[0];
            NdArray b = constB != null ? constB : bAsKByN(in[1], op.transB());
            int m = a.dim(0), k = a.dim(1), n = b.dim(1);
            int[] shape = {m, n};
            NdArray c = in.length > 2 ? in[2] : null;
            Broadcast cWalk = c == null ? null : Broadcast.of(shape, shape, c.shape);
            if (a.storage() == NdArray.Storage.DOUBLE) {
                double[] y = new double[m * n];
                MatrixProduct.multiplyAdd(m, n, k, a.doubles, 0, k, b.doubles, 0, n, y, 0, n);
                double alpha = op.alpha(), beta = op.beta();
                for (int i = 0; i < y.length; i++) y[i] *= alpha;
                if (cWalk != null)
                    for (int r = 0; r < cWalk.rows; r++)
                        for (int j = 0; j < cWalk.inner; j++)
                            y[r * cWalk.inner + j] += beta * c.doubles[cWalk.bRowOffsets[r] + j * cWalk.bInnerStride];
                ActivationKernels.clampInPlace(op.activation(), y);
                return ActivationKernels.one(NdArray.ofDoubles(shape, y));
            }
            float[] y = new float[m * n];
            FloatGemm.multiplyAddRowMajor(a.floats, 0, m, k, b.floats, 0, n, n, y, 0, n, kernels);
            float alpha = op.alpha(), beta = op.beta();
            if (alpha != 1f) for (int i = 0; i < y.length; i++) y[i] *= alpha;
            if (cWalk != null)
                for (int r = 0; r < cWalk.rows; r++)
                    for (int j = 0; j < cWalk.inner; j++)
                        y[r * cWalk.inner + j] += beta * c.floats[cWalk.bRowOffsets[r] + j * cWalk.bInnerStride];
            ActivationKernels.clampInPlace(op.activation(), y);
            return ActivationKernels.one(NdArray.ofFloats(a.dtype, shape, y));
        };
    }

    /** B as a [K, N] matrix: transposed when the op says so. */
    private static NdArray bAsKByN(NdArray b, boolean transposed) { return transposed ? transpose2d(b) : b; }

    static NdArray transpose2d(NdArray x) {
        int rows = x.dim(0), cols = x.dim(1);
        int[] shape = {cols, rows};
        if (x.storage() == NdArray.Storage.DOUBLE)
            return NdArray.ofDoubles(shape, MatrixProduct.transpose(x.doubles, 0, rows, cols));
        return NdArray.ofFloats(x.dtype, shape, MatrixProduct.transpose(x.floats, 0, rows, cols));
    }
}
