package nncc.cpu;

import java.util.Arrays;
import nncc.ir.DType;

/**
 * The integer core of QConv and DynamicQuantConv: N-d grouped convolution of an input already offset by its zero
 * point ({@code x - zp}) with int weights [M, C/group * k...], accumulated exactly in int32 or, for 16-bit
 * activations, int64. As in the float path, it is im2col plus a blocked matrix product over chunks of images, so
 * small feature maps still give long rows; padding taps read 0, i.e. they contribute nothing to the sum. The int32
 * form hands each finished output plane to a {@link PlaneSink}, so the output stage (requantization) runs while the
 * plane is still in cache and no full-size accumulator array is ever built.
 *
 * <p>When every partial sum provably stays below 2^24 in magnitude (the weights' largest absolute row sum times
 * the largest possible |x - zp|), the product runs on float data instead: integers of that size are exact in
 * float32 and so is every fused multiply-add, so the sums are the same integers, about 1.7x faster than int32
 * multiplies on the JVM.
 */
final class IntegerConvolution {
    private IntegerConvolution() {}

    /** Partial sums below this magnitude are exact in float32. */
    private static final long FLOAT_EXACT_LIMIT = 1L << 24;

    /**
     * Weights [M, K] as ints, and as floats when the float product is exact for the inputs they will meet; then also,
     * once {@link #prepared}, packed per group for the float GEMM of a kernel set.
     */
    record Weights(int[] ints, float[] exactFloats, FloatGemm.Packed[] groups, KernelSet kernels) {

        Weights(int[] ints, float[] exactFloats) { this(ints, exactFloats, null, KernelSet.SCALAR); }

        /** Prepares {@code w} (rows of {@code rowLength}) for inputs with |x - zp| at most {@code maxAbsInput}. */
        static Weights of(long[] w, int rowLength, long maxAbsInput) {
            int[] ints = new int[w.length];
            long worst = 0;
            for (int row = 0; row * rowLength < w.length; row++) {
                long sum = 0;
                for (int i = row * rowLength; i < (row + 1) * rowLength; i++) { ints[i] = (int) w[i]; sum += Math.abs(w[i]); }
                worst = Math.max(worst, sum);
            }
            if (worst * maxAbsInput >= FLOAT_EXACT_LIMIT) return new Weights(ints, null);
            float[] floats = new float[w.length];
            for (int i = 0; i < w.length; i++) floats[i] = ints[i];
            return new Weights(ints, floats);
        }

        /** These weights (rows of {@code rowLength}) with the float form packed as {@code group} matrices for {@code kernels}. */
        Weights prepared(int group, int rowLength, KernelSet kernels) {
            KernelSet k = kernels.supported();
            if (exactFloats == null || rowLength == 0) return new Weights(ints, exactFloats, null, k);
            int mg = ints.length / rowLength / group;
            FloatGemm.Packed[] packed = new FloatGemm.Packed[group];
            for (int grp = 0; grp < group; grp++) packed[grp] = FloatGemm.packForReuse(exactFloats, grp * mg * rowLength, mg, rowLength, k);
            return new Weights(ints, exactFloats, packed, k);
        }

        boolean usesFloats() { return exactFloats != null; }
    }

    /** The largest |x - zp| of an input of integer type {@code t} with zero point {@code zp}. */
    static long maxAbsInput(DType t, long zp) { return Math.max(Math.abs(t.maxValue() - zp), Math.abs(t.minValue() - zp)); }

    /** An input offset by its zero point, as ints or (for the exact float product) as floats. */
    record Input(int[] ints, float[] floats) {
        /** {@code x - zp} in the representation {@code w} multiplies with. */
        static Input of(long[] x, long zp, Weights w) {
            if (!w.usesFloats()) return new Input(IntegerMath.minusZeroPoint(x, zp), null);
            float[] f = new float[x.length];
            for (int i = 0; i < f.length; i++) f[i] = x[i] - zp;
            return new Input(null, f);
        }

        /**
         * As {@link #of(long[], long, Weights)} for a tensor; an i8/u8 tensor held as bytes converts straight from its
         * bytes, for the float product into this thread's {@link Scratch} input buffer (which holds it until the next
         * kernel), a vector at a time with the Vector API kernels.
         */
        static Input of(NdArray x, long zp, Weights w, boolean vector) {
            if (!x.holdsBytes()) return of(x.longs(), zp, w);
            byte[] b = x.int8Bytes();
            boolean unsigned = x.dtype == DType.U8;
            if (!w.usesFloats()) {
                int[] r = new int[b.length];
                int z = (int) zp;
                for (int i = 0; i < r.length; i++) r[i] = (unsigned ? b[i] & 0xFF : b[i]) - z;
                return new Input(r, null);
            }
            float[] f = Scratch.floats(Scratch.Slot.INPUT, b.length + ConvKernels.GEMM_SLACK);
            if (vector) VectorConversions.bytesMinusZeroPoint(b, unsigned, (int) zp, f);
            else bytesMinusZeroPoint(b, unsigned, (int) zp, f);
            return new Input(null, f);
        }
    }

    /** {@code f[i] = x[i] - zp} for i8 ({@code unsigned} false) or u8 bytes; exact in float. */
    static void bytesMinusZeroPoint(byte[] b, boolean unsigned, int zp, float[] f) {
        if (unsigned) for (int i = 0; i < b.length; i++) f[i] = (b[i] & 0xFF) - zp;
        else for (int i = 0; i < b.length; i++) f[i] = b[i] - zp;
    }

    /**
     * Receives the bias-free accumulators of one output plane (image {@code n}, channel {@code c}): {@code positions}
     * values starting at {@code from}, which belong at flat output offset {@code dst}. Float values are exact integers.
     */
    interface PlaneSink {
        void ints(int n, int c, int[] acc, int from, int positions, int dst);

        void floats(int n, int c, float[] acc, int from, int positions, int dst);
    }

    /** Runs the int32 convolution of {@code x} [N, C, in...] with {@code w}, handing every output plane to {@code sink}. */
    static void convolve32(Input x, int[] xShape, Weights w, int[] yShape, int group, WindowGeometry g, PlaneSink sink) {
        convolve32(x, xShape, w, yShape, group, g, sink, Parallel.SERIAL);
    }

    /**
     * As {@link #convolve32(Input, int[], Weights, int[], int, WindowGeometry, PlaneSink)} with output channels (of
     * the matrix product, or of a depthwise convolution) split over {@code parallel}'s threads; {@code sink} is then
     * called from several threads at once, for different planes.
     */
    static void convolve32(Input x, int[] xShape, Weights w, int[] yShape, int group, WindowGeometry g, PlaneSink sink, Parallel parallel) {
        Layout l = new Layout(xShape, yShape, group, g);
        if (l.cg == 1 && l.mg == 1) {
            long work = (long) l.outChannels * l.positions * l.taps * Parallel.DEPTHWISE_COST;
            for (int n = 0; n < l.batch; n++) {
                int image = n;
                parallel.forEach(l.outChannels, 1, work, (c0, c1) -> depthwise32(x, w, l, sink, image, c0, c1));
            }
            return;
        }
        boolean floats = w.usesFloats();
        int[] colI = floats ? null : Scratch.ints(Scratch.Slot.COLUMNS, l.rows * l.chunk * l.positions);
        int[] accI = floats ? null : Scratch.ints(Scratch.Slot.ACCUMULATORS, l.mg * l.chunk * l.positions);
        float[] colF = floats ? Scratch.floats(Scratch.Slot.COLUMNS, l.rows * l.chunk * l.positions + ConvKernels.GEMM_SLACK) : null;
        float[] accF = floats ? Scratch.floats(Scratch.Slot.ACCUMULATORS, l.mg * l.chunk * l.positions + ConvKernels.GEMM_SLACK) : null;
        if (floats && l.chunk == 1 && ConvKernels.isPointwise(g)) { // the input planes are the column matrix
            for (int n = 0; n < l.batch; n++)
                for (int grp = 0; grp < group; grp++) {
                    int src = l.planeOffset(n, grp, 0), image = n, grpFinal = grp;
                    if (w.groups() == null) {
                        Arrays.fill(accF, 0, l.mg * l.positions, 0f);
                        MatrixProduct.multiplyAdd(l.mg, l.positions, l.rows, w.exactFloats(), grp * l.mg * l.rows, l.rows, x.floats(), src,
                                l.positions, accF, 0, l.positions);
                        sendRows(sink, l, image, grp, accF, 0, l.mg, l.positions);
                        continue;
                    }
                    parallel.forEach(l.mg, VectorGemm.ROWS, (long) l.mg * l.rows * l.positions, (m0, m1) -> {
                        Arrays.fill(accF, m0 * l.positions, m1 * l.positions, 0f);
                        FloatGemm.multiplyAddRows(w.groups()[grpFinal], m0, m1, x.floats(), src, l.positions, l.positions, accF, 0, l.positions);
                        sendRows(sink, l, image, grpFinal, accF, m0, m1, l.positions);
                    });
                }
            return;
        }
        DepthwisePlanes polyphase = floats && w.groups() != null && w.kernels() == KernelSet.VECTOR && l.chunk == 1 ? DepthwisePlanes.of(g) : null;
        if (polyphase != null) { // one image at a time, the column matrix read in place (see PolyphaseConvolution)
            for (int n = 0; n < l.batch; n++)
                for (int grp = 0; grp < group; grp++) {
                    int image = n, first = grp * l.mg;
                    PolyphaseConvolution.multiplyPlanes(polyphase, x.floats(), l.planeOffset(n, grp, 0), l.inSize, l.cg, w.groups()[grp], g,
                            (m, plane, from) -> sink.floats(image, first + m, plane, from, l.positions, (image * l.outChannels + first + m) * l.positions),
                            parallel);
                }
            return;
        }
        for (int n0 = 0; n0 < l.batch; n0 += l.chunk) {
            int images = Math.min(l.chunk, l.batch - n0), cols = images * l.positions;
            for (int grp = 0; grp < group; grp++) {
                if (floats) {
                    for (int i = 0; i < images; i++)
                        for (int c = 0; c < l.cg; c++)
                            ConvKernels.im2col(x.floats(), l.planeOffset(n0 + i, grp, c), l.plan, colF, c * l.taps * cols + i * l.positions, cols);
                    if (w.groups() != null) {
                        int grpFinal = grp, first = n0, count = images;
                        parallel.forEach(l.mg, VectorGemm.ROWS, (long) l.mg * l.rows * cols, (m0, m1) -> {
                            Arrays.fill(accF, m0 * cols, m1 * cols, 0f);
                            FloatGemm.multiplyAddRows(w.groups()[grpFinal], m0, m1, colF, 0, cols, cols, accF, 0, cols);
                            for (int i = 0; i < count; i++)
                                for (int m = m0; m < m1; m++) {
                                    int n = first + i, c = grpFinal * l.mg + m;
                                    sink.floats(n, c, accF, m * cols + i * l.positions, l.positions, (n * l.outChannels + c) * l.positions);
                                }
                        });
                        continue;
                    }
                    Arrays.fill(accF, 0, l.mg * cols, 0f);
                    MatrixProduct.multiplyAdd(l.mg, cols, l.rows, w.exactFloats(), grp * l.mg * l.rows, l.rows, colF, 0, cols, accF, 0, cols);
                } else {
                    for (int i = 0; i < images; i++)
                        for (int c = 0; c < l.cg; c++)
                            l.planeToColumns(x.ints(), l.planeOffset(n0 + i, grp, c), colI, c * l.taps * cols + i * l.positions, cols);
                    Arrays.fill(accI, 0, l.mg * cols, 0);
                    MatrixProduct.multiplyAdd(l.mg, cols, l.rows, w.ints(), grp * l.mg * l.rows, l.rows, colI, 0, cols, accI, 0, cols);
                }
                for (int i = 0; i < images; i++)
                    for (int m = 0; m < l.mg; m++) {
                        int n = n0 + i, c = grp * l.mg + m, from = m * cols + i * l.positions;
                        int dst = (n * l.outChannels + c) * l.positions;
                        if (floats) sink.floats(n, c, accF, from, l.positions, dst);
                        else sink.ints(n, c, accI, from, l.positions, dst);
                    }
            }
        }
    }

    /** Hands rows {@code [m0, m1)} of a pointwise product of image n, group grp (row pitch {@code positions}) to the sink. */
    private static void sendRows(PlaneSink sink, Layout l, int n, int grp, float[] acc, int m0, int m1, int positions) {
        for (int m = m0; m < m1; m++) {
            int c = grp * l.mg + m;
            sink.floats(n, c, acc, m * positions, positions, (n * l.outChannels + c) * positions);
        }
    }

    /**
     * Depthwise (one input and one output channel per group): each output plane is the sum over taps of the tap's
     * weight times a shifted window of its input plane, accumulated directly, without im2col or a 1-row matrix
     * product. The same sums as the general path, in the same representation (exact floats or ints). Channels
     * {@code [c0, c1)} of image {@code image}, with this thread's buffers.
     */
    private static void depthwise32(Input x, Weights w, Layout l, PlaneSink sink, int image, int c0, int c1) {
        WindowGeometry.Rows plan = l.plan;
        int len = plan.rowLength(), s = plan.stride(), rowsPerTap = plan.rowsPerTap();
        boolean floats = w.usesFloats();
        float[] accF = floats ? Scratch.floats(Scratch.Slot.ACCUMULATORS, l.positions + ConvKernels.GEMM_SLACK) : null;
        int[] accI = floats ? null : Scratch.ints(Scratch.Slot.ACCUMULATORS, l.positions);
        DepthwisePlanes planes = floats ? DepthwisePlanes.of(l.geometry) : null;
        float[] buf = planes == null ? null : planes.zeroedInputBuffer(), run = planes == null ? null : Scratch.floats(Scratch.Slot.RUN, planes.accumulatorBufferSize);
        int n = image;
        for (int c = c0; c < c1; c++) {
            int src = l.planeOffset(n, c, 0), dst = (n * l.outChannels + c) * l.positions;
            if (planes != null) {
                boolean vector = w.kernels() == KernelSet.VECTOR;
                planes.split(x.floats(), src, buf, 0, vector);
                planes.accumulateFrom(0f, buf, w.exactFloats(), c * l.taps, run, w.kernels());
                planes.gather(run, 0, accF, 0, vector);
                sink.floats(n, c, accF, 0, l.positions, dst);
                continue;
            }
            if (floats) {
                Arrays.fill(accF, 0, l.positions, 0f);
                DepthwiseRows.accumulate(x.floats(), src, plan, w.exactFloats(), c * l.taps, accF, 0, w.kernels());
                sink.floats(n, c, accF, 0, l.positions, dst);
                continue;
            }
            Arrays.fill(accI, 0, l.positions, 0);
            for (int t = 0; t < l.taps; t++) {
                int lo = plan.lo()[t], hi = plan.hi()[t];
                int wt = w.ints()[c * l.taps + t];
                if (hi <= lo || wt == 0) continue;
                int[] xi = x.ints();
                for (int r = 0; r < rowsPerTap; r++) {
                    int off = plan.inputOffsets()[t * rowsPerTap + r];
                    if (off == WindowGeometry.NO_ROW) continue;
                    int a = r * len, b = src + off;
                    if (s == 1) for (int ow = lo; ow < hi; ow++) accI[a + ow] += wt * xi[b + ow];
                    else for (int ow = lo; ow < hi; ow++) accI[a + ow] += wt * xi[b + ow * s];
                }
            }
            sink.ints(n, c, accI, 0, l.positions, dst);
        }
    }

    /** {@code bias[m] + sum((x - zp) * w)} as an int32 array [N, M, out...] (for tests and simple callers). */
    static int[] accumulate32(Input x, int[] xShape, Weights w, int[] bias, int[] yShape, int group, WindowGeometry g) {
        int[] y = new int[NdArray.sizeOf(yShape)];
        convolve32(x, xShape, w, yShape, group, g, new PlaneSink() {
            @Override public void ints(int n, int c, int[] acc, int from, int positions, int dst) {
                int b = bias == null ? 0 : bias[c];
                for (int p = 0; p < positions; p++) y[dst + p] = acc[from + p] + b;
            }

            @Override public void floats(int n, int c, float[] acc, int from, int positions, int dst) {
                int b = bias == null ? 0 : bias[c];
                for (int p = 0; p < positions; p++) y[dst + p] = (int) acc[from + p] + b;
            }
        });
        return y;
    }

    /**
     * {@code C[i][j] = bias[i] + sum_p W[i][p] * X[p][j]} for weights [m, k] and columns X [k, n], in int32 (through the
     * exact float product when the weights allow it); the matrix form of QGemm and DynamicQuantGemm.
     */
    static int[] multiply32(Weights w, int m, int k, int[] x, int n, int[] bias) {
        int[] c = new int[m * n];
        if (!w.usesFloats()) {
            if (bias != null) for (int i = 0; i < m; i++) Arrays.fill(c, i * n, (i + 1) * n, bias[i]);
            MatrixProduct.multiplyAdd(m, n, k, w.ints(), 0, k, x, 0, n, c, 0, n);
            return c;
        }
        float[] xf = new float[x.length], sums = new float[m * n];
        for (int i = 0; i < x.length; i++) xf[i] = x[i];
        MatrixProduct.multiplyAdd(m, n, k, w.exactFloats(), 0, k, xf, 0, n, sums, 0, n);
        for (int i = 0; i < m; i++) {
            int b = bias == null ? 0 : bias[i];
            for (int j = i * n; j < (i + 1) * n; j++) c[j] = (int) sums[j] + b;
        }
        return c;
    }

    /** {@code bias[m] + sum((x - zp) * w)} in int64, laid out [N, M, out...] (16-bit activations). */
    static long[] accumulate64(int[] x, int[] xShape, int[] w, long[] bias, int[] yShape, int group, WindowGeometry g) {
        return accumulate64(x, xShape, w, bias, yShape, group, g, false);
    }

    /** As above; the products run in {@link VectorWideGemm} when {@code vector} (the same int64 sums). */
    static long[] accumulate64(int[] x, int[] xShape, int[] w, long[] bias, int[] yShape, int group, WindowGeometry g, boolean vector) {
        Layout l = new Layout(xShape, yShape, group, g);
        int[] col = new int[l.rows * l.chunk * l.positions];
        long[] acc = new long[l.mg * l.chunk * l.positions];
        long[] y = new long[l.batch * l.outChannels * l.positions];
        for (int n0 = 0; n0 < l.batch; n0 += l.chunk) {
            int images = Math.min(l.chunk, l.batch - n0), cols = images * l.positions;
            for (int grp = 0; grp < group; grp++) {
                for (int i = 0; i < images; i++)
                    for (int c = 0; c < l.cg; c++)
                        l.planeToColumns(x, l.planeOffset(n0 + i, grp, c), col, c * l.taps * cols + i * l.positions, cols);
                for (int m = 0; m < l.mg; m++)
                    Arrays.fill(acc, m * cols, (m + 1) * cols, bias == null ? 0 : bias[grp * l.mg + m]);
                if (vector) VectorWideGemm.multiplyAdd(l.mg, cols, l.rows, w, grp * l.mg * l.rows, l.rows, col, cols, acc);
                else multiplyAddWide(l.mg, cols, l.rows, w, grp * l.mg * l.rows, l.rows, col, cols, acc);
                for (int i = 0; i < images; i++)
                    for (int m = 0; m < l.mg; m++)
                        System.arraycopy(acc, m * cols + i * l.positions, y,
                                ((n0 + i) * l.outChannels + grp * l.mg + m) * l.positions, l.positions);
            }
        }
        return y;
    }

    /**
     * {@code C[i][j] += sum_k A[i][k] * B[k][j]} with int products summed into int64 (C is m x n, B is k x n, both
     * dense). Each product of a 16-bit and an 8-bit value fits int32 before widening.
     */
    static void multiplyAddWide(int m, int n, int k, int[] a, int aOff, int lda, int[] b, int ldb, long[] c) {
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * lda, ci = i * n;
            int p = 0;
            for (; p + 1 < k; p += 2) {
                int a0 = a[ai + p], a1 = a[ai + p + 1];
                int b0 = p * ldb, b1 = b0 + ldb;
                for (int j = 0; j < n; j++) c[ci + j] += (long) a0 * b[b0 + j] + (long) a1 * b[b1 + j];
            }
            for (; p < k; p++) {
                long av = a[ai + p];
                int bp = p * ldb;
                for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
            }
        }
    }

    /** Sizes of one convolution and the int im2col step shared by both accumulator widths. */
    private static final class Layout {
        final int batch, channels, outChannels, cg, mg, taps, positions, inSize, rows, chunk;
        final WindowGeometry.Rows plan;
        final WindowGeometry geometry;

        Layout(int[] xShape, int[] yShape, int group, WindowGeometry g) {
            geometry = g;
            batch = xShape[0];
            channels = xShape[1];
            outChannels = yShape[1];
            cg = channels / group;
            mg = outChannels / group;
            taps = g.kernelSize;
            positions = g.outSize;
            inSize = g.inSize;
            rows = cg * taps;
            plan = g.rows();
            chunk = ConvKernels.imagesPerChunk(batch, positions, rows);
        }

        /** Where input plane (image n, channel c of group grp) starts. */
        int planeOffset(int n, int grp, int c) { return (n * channels + grp * cg + c) * inSize; }

        /** As {@link ConvKernels#im2col} for int data: one row of {@code cols} per tap, 0 where the tap is padding. */
        void planeToColumns(int[] x, int src, int[] col, int dst, int cols) {
            int len = plan.rowLength(), s = plan.stride(), rowsPerTap = plan.rowsPerTap();
            for (int t = 0; t < plan.lo().length; t++) {
                int lo = plan.lo()[t], hi = plan.hi()[t];
                for (int r = 0; r < rowsPerTap; r++) {
                    int d = dst + t * cols + r * len, off = plan.inputOffsets()[t * rowsPerTap + r];
                    if (off == WindowGeometry.NO_ROW) { Arrays.fill(col, d, d + len, 0); continue; }
                    Arrays.fill(col, d, d + lo, 0);
                    if (s == 1) { if (hi > lo) System.arraycopy(x, src + off + lo, col, d + lo, hi - lo); }
                    else for (int ow = lo; ow < hi; ow++) col[d + ow] = x[src + off + ow * s];
                    Arrays.fill(col, d + hi, d + len, 0);
                }
            }
        }
    }
}
