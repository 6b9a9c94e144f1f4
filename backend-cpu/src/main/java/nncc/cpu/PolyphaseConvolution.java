package nncc.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import nncc.ir.op.Activation;

/**
 * A 2-D convolution of one image as a matrix product over zero-padded polyphase copies of its input planes
 * ({@link DepthwisePlanes}): row (channel c, tap t) of the column matrix is the run of {@link DepthwisePlanes#runLength}
 * floats starting at tap t's offset in channel c's planes, so {@link PlaneGemm} reads it where it lies instead of
 * copying it out (im2col copies a short piece per output row and fills the padding around it). Outputs come out at
 * the planes' row pitch (a few unused columns per row) and are gathered into dense planes. Every output element is
 * the same chain of fused multiply-adds over the same column values, from the bias, as with im2col, so the sums are
 * the same floats (exact integers for the integer convolutions' exact-float product). Vector API kernel sets only.
 */
final class PolyphaseConvolution {
    private PolyphaseConvolution() {}

    /** The row stride of the accumulators {@link #multiply} writes: the run rounded up to whole vectors. */
    static int accumulatorStride(DepthwisePlanes plan) { return (plan.runLength + PlaneGemm.L - 1) / PlaneGemm.L * PlaneGemm.L; }

    /**
     * {@code acc[m * stride + j] = bias[biasOff + m] + sum_p w[m][p] * col[p][j]} for the {@code cg} input planes of
     * {@code x} starting at {@code src}, {@code inSize} apart, and j below the {@link #accumulatorStride stride} (columns
     * past the run hold values no output uses); {@code bias} may be null (then 0). {@code acc} holds {@code w.m()} rows.
     */
    static void multiply(DepthwisePlanes plan, float[] x, int src, int inSize, int cg, FloatGemm.Packed w, float[] bias, int biasOff,
                         float[] acc, Parallel parallel) {
        float[] buf = split(plan, x, src, inSize, cg);
        int[] rowOffsets = Scratch.ints(Scratch.Slot.COLUMNS, cg * plan.taps());
        float[] panels = w.panels();
        int m = w.m(), k = cg * plan.taps(), vectors = accumulatorStride(plan) / PlaneGemm.L;
        parallel.forEach(m, VectorGemm.ROWS, (long) m * k * plan.runLength,
                (i0, i1) -> PlaneGemm.multiply(m, k, panels, rowOffsets, buf, vectors, bias, biasOff, acc, i0, i1));
    }

    /** Receives one output channel's bias-free sums as a dense plane: {@code positions} floats from {@code values[from]}. */
    interface PlaneConsumer {
        void plane(int m, float[] values, int from);
    }

    /**
     * As {@link #multiply} without a bias, handing each output channel m's plane, gathered dense, to {@code consumer}: a
     * panel of 4 channels at a time while its sums are in L1; threads split the channels, so {@code consumer} is called
     * from several threads at once, for different channels.
     */
    static void multiplyPlanes(DepthwisePlanes plan, float[] x, int src, int inSize, int cg, FloatGemm.Packed w, WindowGeometry g,
                               PlaneConsumer consumer, Parallel parallel) {
        float[] buf = split(plan, x, src, inSize, cg);
        int[] rowOffsets = Scratch.ints(Scratch.Slot.COLUMNS, cg * plan.taps());
        float[] panels = w.panels();
        int m = w.m(), k = cg * plan.taps(), stride = accumulatorStride(plan), vectors = stride / PlaneGemm.L, outH = g.out[0], outW = g.out[1];
        parallel.forEach(m, VectorGemm.ROWS, (long) m * k * plan.runLength, (i0, i1) -> {
            float[] acc = Scratch.floats(Scratch.Slot.ACCUMULATORS, VectorGemm.ROWS * stride + S.length()); // whole-vector reads of the last row
            float[] dense = Scratch.floats(Scratch.Slot.RUN, g.outSize + S.length());
            for (int i = i0; i < i1; i += VectorGemm.ROWS) {
                int rows = Math.min(VectorGemm.ROWS, i1 - i);
                PlaneGemm.multiply(m, k, panels, rowOffsets, buf, vectors, null, 0, acc, i, i + rows, i);
                for (int r = 0; r < rows; r++) {
                    gather(acc, r * stride, plan.pitch(), outH, outW, dense, 0, Activation.NONE);
                    consumer.plane(i + r, dense, 0);
                }
            }
        });
    }

    /**
     * Copies the {@code cg} input planes into this thread's zero-padded polyphase buffer and writes each column-matrix
     * row's offset into it to this thread's {@code Scratch.ints(COLUMNS)} (channel-major, then tap).
     */
    private static float[] split(DepthwisePlanes plan, float[] x, int src, int inSize, int cg) {
        int taps = plan.taps(), planes = plan.planesSize();
        int size = cg * planes + Math.max(PlaneGemm.L, ConvKernels.GEMM_SLACK); // the last row's whole vectors read past its run
        float[] buf = Scratch.floats(Scratch.Slot.PLANES, size);
        Arrays.fill(buf, 0, size, 0f);
        int[] rowOffsets = Scratch.ints(Scratch.Slot.COLUMNS, cg * taps);
        for (int c = 0; c < cg; c++) {
            plan.split(x, src + c * inSize, buf, c * planes, true);
            for (int t = 0; t < taps; t++) rowOffsets[c * taps + t] = c * planes + plan.tapOffset(t);
        }
        return buf;
    }

    /**
     * The plan of a convolution this class runs whole ({@link #convolve}), or null: Vector API kernels, a 2-D window
     * that is neither depthwise (one input and one output channel per group) nor pointwise, and one image per product.
     */
    static DepthwisePlanes planFor(WindowGeometry g, int batch, int cg, int mg, KernelSet kernels) {
        if (kernels != KernelSet.VECTOR || cg == 1 && mg == 1 || ConvKernels.isPointwise(g)) return null;
        if (ConvKernels.imagesPerChunk(batch, g.outSize, cg * g.kernelSize) != 1) return null;
        return DepthwisePlanes.of(g);
    }

    /**
     * y = activation(conv(x, w) + bias) for x [N, C, H, W], weights prepared per group, y [N, M, outH, outW]: each image's
     * product, then its rows gathered to their dense positions with the activation's clamp applied on the way (the
     * same {@code Math.min(Math.max(v, lo), hi)} as a separate pass).
     */
    static float[] convolve(DepthwisePlanes plan, float[] x, int[] xShape, FloatGemm.Packed[] w, float[] bias, int[] yShape, int group,
                            WindowGeometry g, Activation activation, Parallel parallel) {
        int batch = xShape[0], channels = xShape[1], outChannels = yShape[1], cg = channels / group, mg = outChannels / group;
        int positions = g.outSize, inSize = g.inSize, stride = accumulatorStride(plan);
        float[] y = OutputBuffers.floats(batch * outChannels * positions); // every element written
        int outH = g.out[0], outW = g.out[1], pitch = plan.pitch(), k = cg * plan.taps(), vectors = stride / PlaneGemm.L;
        for (int n = 0; n < batch; n++)
            for (int grp = 0; grp < group; grp++) {
                float[] buf = split(plan, x, (n * channels + grp * cg) * inSize, inSize, cg);
                int[] rowOffsets = Scratch.ints(Scratch.Slot.COLUMNS, k);
                float[] panels = w[grp].panels();
                int first = (n * outChannels + grp * mg) * positions, biasOff = grp * mg;
                // each panel of 4 output channels gathered while its sums are in L1; threads split the channels
                parallel.forEach(mg, VectorGemm.ROWS, (long) mg * k * plan.runLength, (i0, i1) -> {
                    float[] acc = Scratch.floats(Scratch.Slot.ACCUMULATORS, VectorGemm.ROWS * stride + S.length()); // whole-vector reads of the last row
                    for (int i = i0; i < i1; i += VectorGemm.ROWS) {
                        int rows = Math.min(VectorGemm.ROWS, i1 - i);
                        PlaneGemm.multiply(mg, k, panels, rowOffsets, buf, vectors, bias, biasOff, acc, i, i + rows, i);
                        for (int r = 0; r < rows; r++) gather(acc, r * stride, pitch, outH, outW, y, first + (i + r) * positions, activation);
                    }
                });
            }
        return y;
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /**
     * Rows of {@code outW} at pitch {@code pitch} from {@code acc[from]} to the dense plane at {@code y[dst]}, clamped to the
     * activation's bounds. Whole vectors where y has room: past a row's end they land on outputs written after it.
     */
    static void gather(float[] acc, int from, int pitch, int outH, int outW, float[] y, int dst, Activation activation) {
        boolean clamp = activation != Activation.NONE;
        FloatVector lo = FloatVector.broadcast(S, activation.min()), hi = FloatVector.broadcast(S, activation.max());
        int lanes = S.length(), whole = outW - outW % lanes;
        VectorMask<Float> tail = PREFIX[outW - whole];
        int end = dst + outH * outW;
        for (int r = 0; r < outH; r++) {
            int a = from + r * pitch, d = dst + r * outW, i = 0;
            for (; i < whole; i += lanes) {
                FloatVector v = FloatVector.fromArray(S, acc, a + i);
                (clamp ? v.max(lo).min(hi) : v).intoArray(y, d + i);
            }
            if (i == outW) continue;
            FloatVector v = FloatVector.fromArray(S, acc, a + i); // acc rows are whole vectors long, with a vector of slack
            if (clamp) v = v.max(lo).min(hi);
            if (d + i + lanes <= end) v.intoArray(y, d + i); // past the row's end: this plane's next rows, written after it
            else if (d + i + lanes <= y.length) v.intoArray(y, d + i, tail); // nothing past the plane (another thread's)
            else for (int q = i; q < outW; q++) y[d + q] = v.lane(q - i); // a masked store reaching past the array's end takes a slow path
        }
    }

    /** The first n lanes, for n in [0, L]: made once (a mask built in the loop takes the Vector API's slow Java path). */
    @SuppressWarnings("unchecked")
    private static final VectorMask<Float>[] PREFIX = new VectorMask[S.length() + 1];

    static {
        for (int n = 0; n <= S.length(); n++) PREFIX[n] = S.indexInRange(0, n);
    }
}
