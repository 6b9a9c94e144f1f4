package nncc.cpu;

import java.util.Arrays;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.op.ConvInteger;
import nncc.ir.op.QLinearConv;
import nncc.ir.op.QLinearMatMul;

/**
 * Integer convolution and matmul (ONNX ConvInteger, MatMulInteger, QLinearConv, QLinearMatMul): int32
 * accumulation of (x - x_zp) * (w - w_zp) with two's-complement wrap-around, w_zp per tensor or per output
 * channel (column for matmul). The QLinear ops then requantize exactly as ONNX's reference does: the int32
 * accumulator (plus bias) times the float32 multiplier x_scale * w_scale / y_scale, evaluated in double,
 * rounded half to even, plus y_zp, saturated to the output type.
 */
final class IntegerLinearKernels {
    private IntegerLinearKernels() {}

    static Kernel convInteger(ConvInteger op, NodeContext ctx) {
        ctx.requireInt8(0, "input x");
        ctx.requireInt8(1, "weight w");
        int[] constW = packedWeights(ctx, 1, 3);
        return (in, outTypes) -> {
            int[] yShape = outTypes[0].shape().toIntArray();
            int[] w = constW != null ? constW : minusChannelZeroPoints(ctx, in[1], in[3].longView());
            int[] acc = convolve(in[0], scalarZeroPoint(ctx, in[2], "x_zero_point"), in[1].shape, w, null, yShape,
                    op.group(), op.strides(), op.pads(), op.dilations());
            return ActivationKernels.one(NdArray.ofLongs(DType.I32, yShape, toLongs(acc)));
        };
    }

    static Kernel qLinearConv(QLinearConv op, NodeContext ctx) {
        ctx.requireInt8(0, "input x");
        ctx.requireInt8(3, "weight w");
        if (ctx.hasInput(8)) ctx.requireDType(8, "bias", DType.I32);
        int[] constW = packedWeights(ctx, 3, 5);
        DType outType = op.outType();
        return (in, outTypes) -> {
            int[] yShape = outTypes[0].shape().toIntArray();
            int[] w = constW != null ? constW : minusChannelZeroPoints(ctx, in[3], in[5].longView());
            int[] bias = in.length > 8 ? toInts(in[8].longs()) : null;
            int[] acc = convolve(in[0], scalarZeroPoint(ctx, in[2], "x_zero_point"), in[3].shape, w, bias, yShape,
                    op.group(), op.strides(), op.pads(), op.dilations());
            int channels = yShape[1], positions = NdArray.product(yShape, 2, yShape.length);
            float[] multipliers = multipliers(ctx, in[1], in[4], in[6], channels);
            long yZp = scalarZeroPoint(ctx, in[7], "y_zero_point");
            long[] q = new long[acc.length];
            for (int i = 0; i < q.length; i++)
                q[i] = IntegerMath.roundHalfEvenAndSaturate((double) acc[i] * multipliers[(i / positions) % channels], yZp, outType);
            return ActivationKernels.one(NdArray.ofLongs(outType, yShape, q));
        };
    }

    static Kernel matMulInteger(NodeContext ctx) {
        ctx.requireInt8(0, "input a");
        ctx.requireInt8(1, "input b");
        return (in, outTypes) -> {
            int[] acc = matMul(ctx, in[0], in[2], in[1], in[3]);
            return ActivationKernels.one(NdArray.ofLongs(DType.I32, outTypes[0].shape().toIntArray(), toLongs(acc)));
        };
    }

    static Kernel qLinearMatMul(QLinearMatMul op, NodeContext ctx) {
        ctx.requireInt8(0, "input a");
        ctx.requireInt8(3, "input b");
        DType outType = op.outType();
        return (in, outTypes) -> {
            int[] acc = matMul(ctx, in[0], in[2], in[3], in[5]);
            int[] shape = outTypes[0].shape().toIntArray();
            int n = in[3].rank() == 1 ? 1 : in[3].dim(in[3].rank() - 1);
            float[] multipliers = multipliers(ctx, in[1], in[4], in[6], n);
            long yZp = scalarZeroPoint(ctx, in[7], "y_zero_point");
            long[] q = new long[acc.length];
            for (int i = 0; i < q.length; i++)
                q[i] = IntegerMath.roundHalfEvenAndSaturate((double) acc[i] * multipliers[i % n], yZp, outType);
            return ActivationKernels.one(NdArray.ofLongs(outType, shape, q));
        };
    }

    /** (a - a_zp) x (b - b_zp) in int32; a_zp per tensor or per row of a, b_zp per tensor or per column of b. */
    private static int[] matMul(NodeContext ctx, NdArray a, NdArray aZp, NdArray b, NdArray bZp) {
        MatMulKernels.Plan p = MatMulKernels.Plan.of(a.shape, b.shape);
        int rows = a.rank() == 1 ? 1 : a.dim(a.rank() - 2), k = p.k(), n = p.n();
        long[] az = aZp.longView(), bz = bZp.longView();
        if (az.length != 1 && az.length != rows) throw ctx.error("a_zero_point has " + az.length + " values for " + rows + " rows");
        if (bz.length != 1 && bz.length != n) throw ctx.error("b_zero_point has " + bz.length + " values for " + n + " columns");
        int[] ai = new int[a.size()], bi = new int[b.size()];
        for (int i = 0; i < ai.length; i++) ai[i] = (int) (a.longs()[i] - az[az.length == 1 ? 0 : (i / k) % rows]);
        for (int i = 0; i < bi.length; i++) bi[i] = (int) (b.longs()[i] - bz[bz.length == 1 ? 0 : i % n]);
        int mn = p.m() * n;
        int[] acc = new int[p.batches() * mn];
        for (int i = 0; i < p.batches(); i++)
            MatrixProduct.multiplyAdd(p.m(), n, k, ai, p.aOffsets()[i], k, bi, p.bOffsets()[i], n, acc, i * mn, n);
        return acc;
    }

    /** int32 convolution of x - xZp with prepared weights w [M, C/group * k...] (already minus their zero points). */
    static int[] convolve(NdArray x, long xZp, int[] wShape, int[] w, int[] bias, int[] yShape, int group,
                          List<Integer> strides, List<Integer> pads, List<Integer> dilations) {
        WindowGeometry g = WindowGeometry.of(x.shape, yShape, WindowGeometry.kernelOf(wShape), strides, pads, dilations);
        int batch = x.dim(0), channels = x.dim(1), outChannels = yShape[1];
        int cg = channels / group, mg = outChannels / group;
        int taps = g.kernelSize, positions = g.outSize, inSize = g.inSize, rows = cg * taps;
        WindowGeometry.Rows plan = g.rows();
        int chunk = ConvKernels.imagesPerChunk(batch, positions, rows);
        int[] col = new int[rows * chunk * positions];
        int[] acc = new int[mg * chunk * positions];
        int[] y = new int[batch * outChannels * positions];
        long[] xs = x.longs();
        for (int n0 = 0; n0 < batch; n0 += chunk) {
            int images = Math.min(chunk, batch - n0), cols = images * positions;
            for (int grp = 0; grp < group; grp++) {
                for (int i = 0; i < images; i++)
                    for (int c = 0; c < cg; c++)
                        im2col(xs, xZp, ((n0 + i) * channels + grp * cg + c) * inSize, plan, col, c * taps * cols + i * positions, cols);
                for (int m = 0; m < mg; m++)
                    Arrays.fill(acc, m * cols, (m + 1) * cols, bias == null ? 0 : bias[grp * mg + m]);
                MatrixProduct.multiplyAdd(mg, cols, rows, w, grp * mg * rows, rows, col, 0, cols, acc, 0, cols);
                for (int i = 0; i < images; i++)
                    for (int m = 0; m < mg; m++)
                        System.arraycopy(acc, m * cols + i * positions, y, ((n0 + i) * outChannels + grp * mg + m) * positions, positions);
            }
        }
        return y;
    }

    /** As {@link ConvKernels#im2col}, for integers minus the input zero point (padding contributes 0). */
    private static void im2col(long[] x, long zp, int src, WindowGeometry.Rows plan, int[] col, int dst, int cols) {
        int len = plan.rowLength(), s = plan.stride(), rows = plan.rowsPerTap();
        for (int t = 0; t < plan.lo().length; t++) {
            int lo = plan.lo()[t], hi = plan.hi()[t];
            for (int r = 0; r < rows; r++) {
                int d = dst + t * cols + r * len, off = plan.inputOffsets()[t * rows + r];
                if (off == WindowGeometry.NO_ROW) { Arrays.fill(col, d, d + len, 0); continue; }
                Arrays.fill(col, d, d + lo, 0);
                for (int ow = lo; ow < hi; ow++) col[d + ow] = (int) (x[src + off + ow * s] - zp);
                Arrays.fill(col, d + hi, d + len, 0);
            }
        }
    }

    /** Weights minus their zero points, prepared once when both are constants (else null). */
    private static int[] packedWeights(NodeContext ctx, int wInput, int zpInput) {
        NdArray w = ctx.constant(wInput), zp = ctx.constant(zpInput);
        return w == null || zp == null ? null : minusChannelZeroPoints(ctx, w, zp.longView());
    }

    /** w [M, ...] minus a zero point per tensor or per output channel (dim 0), as int32. */
    private static int[] minusChannelZeroPoints(NodeContext ctx, NdArray w, long[] zp) {
        int channels = w.dim(0), per = w.size() / Math.max(1, channels);
        if (zp.length != 1 && zp.length != channels)
            throw ctx.error("weight zero point has " + zp.length + " values for " + channels + " output channels");
        int[] r = new int[w.size()];
        for (int i = 0; i < r.length; i++) r[i] = (int) (w.longs()[i] - zp[zp.length == 1 ? 0 : i / per]);
        return r;
    }

    /** Per output channel: the float32 product x_scale * w_scale[c] / y_scale, as numpy computes it. */
    private static float[] multipliers(NodeContext ctx, NdArray xScale, NdArray wScale, NdArray yScale, int channels) {
        float xs = scalar(ctx, xScale, "input scale"), ys = scalar(ctx, yScale, "y_scale");
        float[] ws = wScale.floatView();
        if (ws.length != 1 && ws.length != channels)
            throw ctx.error("weight scale has " + ws.length + " values for " + channels + " output channels");
        float[] m = new float[channels];
        for (int c = 0; c < channels; c++) m[c] = xs * ws[ws.length == 1 ? 0 : c] / ys;
        return m;
    }

    private static float scalar(NodeContext ctx, NdArray a, String what) {
        if (a.size() != 1) throw ctx.error(what + " must be a single value, got " + a);
        return (float) a.getDouble(0);
    }

    private static long scalarZeroPoint(NodeContext ctx, NdArray a, String what) {
        if (a.size() != 1) throw ctx.error(what + " must be a single value, got " + a);
        return a.longView()[0];
    }

    private static long[] toLongs(int[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i];
        return r;
    }

    private static int[] toInts(long[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) r[i] = (int) a[i];
        return r;
    }
}
