package nncc.cpu;

import java.util.Arrays;
import nncc.ir.op.Activation;
import nncc.ir.op.Conv;

/**
 * Float convolution (ONNX Conv), N-d with groups, dilations and asymmetric pads. Lowered to im2col plus a
 * blocked matrix product: per group, the weights [M/g, C/g * k...] multiply a column matrix whose columns are
 * the output positions of a chunk of images, so small feature maps still give long rows. The fused activation
 * clamps the result; f16/bf16 inputs are computed in float32 and the output rounded to their type. Weights that are
 * graph constants are packed for the kernel set once, when the model is prepared.
 */
final class ConvKernels {
    private ConvKernels() {}

    /** Output columns gathered per matrix product (several images when the feature map is small). */
    static final int TARGET_COLUMNS = 2048;
    /** Extra elements at the end of GEMM buffers (see {@link VectorGemm#multiplyAdd}): 16 floats, one AVX-512 vector. */
    static final int GEMM_SLACK = 16;
    /** Upper bound on the column buffer, in elements. */
    static final int MAX_COLUMN_BUFFER = 1 << 21;

    static Kernel conv(Conv op, NodeContext ctx) {
        ctx.requireFloat32(0, "input X");
        ctx.requireDType(1, "weight W", ctx.dtype(0));
        if (ctx.hasInput(2)) ctx.requireDType(2, "bias B", ctx.dtype(0));
        KernelSet kernels = ctx.kernels().supported();
        // constant weights are packed once, by the first run or ahead of it (Interpreter.packWeights)
        java.util.function.Supplier<FloatGemm.Packed[]> constW = ctx.constant(1) == null ? null
                : ctx.defer(() -> packGroups(ctx.constant(1), op.group(), kernels));
        float[] constB = ctx.constant(2) == null ? null : ctx.constant(2).floatView();
        boolean hasBias = ctx.hasInput(2);
        Parallel parallel = ctx.parallel();
        NdArray wConst = ctx.constant(1); // a depthwise convolution's weights [C, 1, k...] are already its per-channel taps
        // weights [M, 1, k...] (one input channel per group): each output channel's taps, as they are
        float[] constDepthwise = wConst != null && wConst.rank() > 1 && wConst.dim(1) == 1 ? wConst.floatView() : null;
        boolean vector = kernels == KernelSet.VECTOR;
        java.util.concurrent.atomic.AtomicReference<WindowGeometry> geometry = new java.util.concurrent.atomic.AtomicReference<>(); // the last input's plans
        boolean depthwiseOp = vector && constDepthwise != null && wConst.dim(0) == op.group(); // one input and one output channel per group
        java.util.concurrent.atomic.AtomicReference<DepthwiseLanes> direct = new java.util.concurrent.atomic.AtomicReference<>();
        return (in, outTypes) -> {
            NdArray x = in[0];
            int[] yShape = outTypes[0].shape().toIntArray();
            FloatGemm.Packed[] w = constW != null ? constW.get() : packGroups(in[1], op.group(), kernels);
            float[] b = !hasBias ? null : constB != null ? constB : in[2].floatView();
            WindowGeometry g = WindowGeometry.reuse(geometry.get(), x.shape, yShape, WindowGeometry.kernelOf(in[1].shape),
                    op.strides(), op.pads(), op.dilations());
            geometry.set(g);
            DepthwiseLanes d = direct.get();
            if (depthwiseOp && (d == null || d.geometry != g)) direct.set(d = DepthwiseLanes.of(g));
            float[] y = convolve(x.floatView(), x.shape, w, constDepthwise, b, yShape, op.group(), g, kernels, parallel,
                    depthwiseOp ? d : null, op.activation());
            return new NdArray[] {NdArray.ofFloats(outTypes[0].dtype(), yShape, y)};
        };
    }

    /** Weights [M, C/group, k...] as one prepared [M/group, C/group * k...] matrix per group. */
    static FloatGemm.Packed[] packGroups(NdArray w, int group, KernelSet kernels) {
        float[] data = w.floatView();
        int mg = w.dim(0) / group, rows = w.size() / Math.max(1, w.dim(0));
        FloatGemm.Packed[] packed = new FloatGemm.Packed[group];
        for (int grp = 0; grp < group; grp++) packed[grp] = FloatGemm.packForReuse(data, grp * mg * rows, mg, rows, kernels);
        return packed;
    }

    /** Whether every output position reads exactly its own input position (1x1 kernel, stride 1, no padding). */
    static boolean isPointwise(WindowGeometry g) {
        if (g.kernelSize != 1) return false;
        for (int d = 0; d < g.rank; d++) if (g.strides[d] != 1 || g.padBegin[d] != 0 || g.in[d] != g.out[d]) return false;
        return true;
    }

    /** Images per matrix product for a feature map of {@code positions} outputs and {@code rows} column rows. */
    static int imagesPerChunk(int batch, int positions, int rows) {
        int byColumns = Math.max(1, TARGET_COLUMNS / Math.max(1, positions));
        int byBuffer = Math.max(1, MAX_COLUMN_BUFFER / Math.max(1, rows * positions));
        return Math.max(1, Math.min(batch, Math.min(byColumns, byBuffer)));
    }

    /**
     * Writes the column-matrix rows of one input plane starting at {@code dst}: one row of {@code cols} per tap,
     * holding at this image's columns the input element each output position reads through that tap (0 in padding).
     */
    static void im2col(float[] x, int src, WindowGeometry.Rows plan, float[] col, int dst, int cols) {
        int len = plan.rowLength(), s = plan.stride(), rows = plan.rowsPerTap();
        for (int t = 0; t < plan.lo().length; t++) {
            int lo = plan.lo()[t], hi = plan.hi()[t];
            for (int r = 0; r < rows; r++) {
                int d = dst + t * cols + r * len, off = plan.inputOffsets()[t * rows + r];
                if (off == WindowGeometry.NO_ROW) { Arrays.fill(col, d, d + len, 0f); continue; }
                Arrays.fill(col, d, d + lo, 0f);
                if (s == 1) { if (hi > lo) System.arraycopy(x, src + off + lo, col, d + lo, hi - lo); }
                else for (int ow = lo; ow < hi; ow++) col[d + ow] = x[src + off + ow * s];
                Arrays.fill(col, d + hi, d + len, 0f);
            }
        }
    }

    /**
     * y = conv(x, w) + b with x [N, C, in...], w [M, C/group, k...] prepared per group, y [N, M, out...]. Depthwise
     * convolutions (one input and one output channel per group) run directly, tap by tap, in the same order of
     * fused multiply-adds as the matrix product.
     */
    static float[] convolve(float[] x, int[] xShape, FloatGemm.Packed[] w, float[] bias, int[] yShape, int group,
                            WindowGeometry g, KernelSet kernels) {
        return convolve(x, xShape, w, null, bias, yShape, group, g, kernels, Parallel.SERIAL);
    }

    /** As {@link #convolve(float[], int[], FloatGemm.Packed[], float[], int[], int, WindowGeometry, KernelSet)} with output channels split over threads. */
    static float[] convolve(float[] x, int[] xShape, FloatGemm.Packed[] w, float[] bias, int[] yShape, int group,
                            WindowGeometry g, KernelSet kernels, Parallel parallel) {
        return convolve(x, xShape, w, null, bias, yShape, group, g, kernels, parallel);
    }

    /**
     * As above, with the taps of each output channel given when every group has one input channel ({@code depthwise},
     * weights [M, 1, k...] as they are; may be null: then taken from w).
     */
    static float[] convolve(float[] x, int[] xShape, FloatGemm.Packed[] w, float[] depthwise, float[] bias, int[] yShape, int group,
                            WindowGeometry g, KernelSet kernels, Parallel parallel) {
        DepthwisePlanes polyphase = polyphasePlan(g, xShape, yShape, group, kernels);
        if (polyphase != null) return PolyphaseConvolution.convolve(polyphase, x, xShape, w, bias, yShape, group, g, Activation.NONE, parallel);
        boolean depthwiseOp = kernels == KernelSet.VECTOR && xShape[1] == group && yShape[1] == group;
        return convolveBody(x, xShape, w, depthwise, bias, yShape, group, g, kernels, parallel, depthwiseOp ? DepthwiseLanes.of(g) : null, null);
    }

    /**
     * The plan of a batch-1 convolution that {@link PolyphaseConvolution} runs (neither 1x1 nor depthwise, one image per
     * product), or null; only asked with the Vector API kernels, as that class holds Vector API constants.
     */
    private static DepthwisePlanes polyphasePlan(WindowGeometry g, int[] xShape, int[] yShape, int group, KernelSet kernels) {
        return kernels != KernelSet.VECTOR ? null : PolyphaseConvolution.planFor(g, xShape[0], xShape[1] / group, yShape[1] / group, kernels);
    }

    /**
     * As {@link #convolveBody},
     * then clamped to the fused activation's bounds. A batch-1 convolution {@link PolyphaseConvolution} runs applies the
     * activation as it gathers the outputs. A 1x1 convolution whose shapes {@link VectorGemmFused#fusesBiasAndClamp
     * the Vector API kernel fuses} starts its sums from the bias in registers and clamps them before its one store, instead
     * of a fill and a clamp pass over the output (the same floats).
     */
    static float[] convolve(float[] x, int[] xShape, FloatGemm.Packed[] w, float[] depthwise, float[] bias, int[] yShape, int group,
                            WindowGeometry g, KernelSet kernels, Parallel parallel, DepthwiseLanes direct, Activation activation) {
        int batch = xShape[0], channels = xShape[1], outChannels = yShape[1], cg = channels / group, mg = outChannels / group;
        int positions = g.outSize;
        DepthwisePlanes polyphase = polyphasePlan(g, xShape, yShape, group, kernels);
        if (polyphase != null) return PolyphaseConvolution.convolve(polyphase, x, xShape, w, bias, yShape, group, g, activation, parallel);
        if (kernels == KernelSet.VECTOR && isPointwise(g) && imagesPerChunk(batch, positions, cg) == 1 && w[0].vector()
                && VectorGemmFused.fusesBiasAndClamp(mg, cg, positions)) {
            float[] y = OutputBuffers.floats(batch * outChannels * positions), clamp = activation == Activation.NONE ? null : new float[] {activation.min(), activation.max()};
            for (int n = 0; n < batch; n++)
                for (int grp = 0; grp < group; grp++) {
                    FloatGemm.Packed a = w[grp];
                    int xOff = (n * channels + grp * cg) * g.inSize, dst = (n * outChannels + grp * mg) * positions, first = grp * mg;
                    parallel.forEach(mg, VectorGemm.ROWS, (long) mg * cg * positions, (i0, i1) -> VectorGemmFused.multiplyBiasClamp(i1 - i0, cg,
                            a.panels(), i0 * cg, bias, first + i0, clamp, x, xOff, positions, positions, y, dst + i0 * positions, positions));
                }
            return y;
        }
        if (kernels == KernelSet.VECTOR && cg == 1 && mg == 1) // depthwise: the Vector API paths clamp each sum before its store
            return convolveBody(x, xShape, w, depthwise, bias, yShape, group, g, kernels, parallel, direct,
                    activation == Activation.NONE ? null : new float[] {activation.min(), activation.max()});
        float[] y = convolveBody(x, xShape, w, depthwise, bias, yShape, group, g, kernels, parallel, direct, null);
        if (kernels == KernelSet.VECTOR) VectorRows.clampInPlace(activation, y);
        else ActivationKernels.clampInPlace(activation, y);
        return y;
    }

    /**
     * As above, with the plan of a depthwise convolution's {@link DepthwiseLanes channel-lane} kernel for small maps (Vector
     * API only; null for none): it takes the whole blocks of {@link DepthwiseLanes#L} channels. A depthwise convolution
     * with the Vector API kernels clamps its sums to {@code [clamp[0], clamp[1]]} when clamp is not null (other paths
     * ignore it).
     */
    static float[] convolveBody(float[] x, int[] xShape, FloatGemm.Packed[] w, float[] depthwise, float[] bias, int[] yShape, int group,
                                WindowGeometry g, KernelSet kernels, Parallel parallel, DepthwiseLanes direct, float[] clamp) {
        int batch = xShape[0], channels = xShape[1], outChannels = yShape[1];
        int cg = channels / group, mg = outChannels / group;
        int taps = g.kernelSize, positions = g.outSize, inSize = g.inSize;
        int rows = cg * taps;
        WindowGeometry.Rows plan = g.rows();
        float[] y = OutputBuffers.floats(batch * outChannels * positions); // every path below writes every element
        if (cg == 1 && mg == 1) {
            float[] wd = depthwise;
            if (wd == null) {
                wd = new float[group * taps];
                for (int c = 0; c < group; c++) for (int t = 0; t < taps; t++) wd[c * taps + t] = w[c].element(0, t);
            }
            float[] taps1 = wd;
            int lanes = direct == null ? 1 : DepthwiseLanes.L, laneChannels = direct == null ? 0 : channels / lanes * lanes; // channels in whole lane blocks
            DepthwisePlanes planes = DepthwisePlanes.of(g);
            boolean vector = kernels == KernelSet.VECTOR;
            for (int n = 0; n < batch; n++) {
                int image = n;
                parallel.forEach(channels, lanes, (long) channels * positions * taps * Parallel.DEPTHWISE_COST, (c0, c1) -> {
                    int c = c0;
                    for (; c + lanes <= Math.min(c1, laneChannels); c += lanes)
                        direct.block(x, (image * channels + c) * inSize, taps1, c, bias, c, y, (image * channels + c) * positions, clamp);
                    if (c == c1) return;
                    float[] buf = planes == null ? null : planes.zeroedInputBuffer(), acc = planes == null ? null : Scratch.floats(Scratch.Slot.RUN, planes.accumulatorBufferSize);
                    for (; c < c1; c++) {
                        int src = (image * channels + c) * inSize, dst = (image * channels + c) * positions;
                        float b0 = bias == null ? 0f : bias[c];
                        if (planes != null) {
                            planes.split(x, src, buf, 0, vector);
                            if (vector) planes.accumulateClamped(b0, buf, taps1, c * taps, acc, clamp);
                            else planes.accumulateFrom(b0, buf, taps1, c * taps, acc, kernels);
                            planes.gather(acc, 0, y, dst, vector);
                            continue;
                        }
                        Arrays.fill(y, dst, dst + positions, b0);
                        DepthwiseRows.accumulate(x, src, plan, taps1, c * taps, y, dst, kernels);
                        if (vector && clamp != null) for (int i = dst; i < dst + positions; i++) y[i] = Math.min(Math.max(y[i], clamp[0]), clamp[1]);
                    }
                });
            }
            return y;
        }
        int chunk = imagesPerChunk(batch, positions, rows);
        if (chunk == 1 && isPointwise(g)) { // 1x1, stride 1, no padding: the input planes are the column matrix
            for (int n = 0; n < batch; n++)
                for (int grp = 0; grp < group; grp++) {
                    int dst = (n * outChannels + grp * mg) * positions;
                    for (int m = 0; m < mg; m++) {
                        float b0 = bias == null ? 0f : bias[grp * mg + m];
                        if (kernels == KernelSet.VECTOR) VectorRows.fill(y, dst + m * positions, positions, b0);
                        else Arrays.fill(y, dst + m * positions, dst + (m + 1) * positions, b0);
                    }
                    FloatGemm.multiplyAdd(w[grp], x, (n * channels + grp * cg) * inSize, positions, positions, y, dst, positions, parallel);
                }
            return y;
        }
        // one vector of slack past the end lets the GEMM's last partial vector run masked
        float[] col = Scratch.floats(Scratch.Slot.COLUMNS, rows * chunk * positions + GEMM_SLACK);
        float[] acc = Scratch.floats(Scratch.Slot.ACCUMULATORS, mg * chunk * positions + GEMM_SLACK);
        for (int n0 = 0; n0 < batch; n0 += chunk) {
            int images = Math.min(chunk, batch - n0);
            int cols = images * positions;
            for (int grp = 0; grp < group; grp++) {
                for (int i = 0; i < images; i++)
                    for (int c = 0; c < cg; c++)
                        im2col(x, ((n0 + i) * channels + grp * cg + c) * inSize, plan, col, c * taps * cols + i * positions, cols);
                for (int m = 0; m < mg; m++) {
                    float b0 = bias == null ? 0f : bias[grp * mg + m];
                    Arrays.fill(acc, m * cols, (m + 1) * cols, b0);
                }
                FloatGemm.multiplyAdd(w[grp], col, 0, cols, cols, acc, 0, cols, parallel);
                for (int i = 0; i < images; i++)
                    for (int m = 0; m < mg; m++)
                        System.arraycopy(acc, m * cols + i * positions, y,
                                ((n0 + i) * outChannels + grp * mg + m) * positions, positions);
            }
        }
        return y;
    }
}
