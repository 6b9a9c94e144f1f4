package nncc.cpu;

import java.util.Arrays;
import java.util.List;

/**
 * The sliding-window geometry shared by convolutions and pools over N-d spatial dims: sizes, strides,
 * dilations and explicit pads, and the index plans the kernels loop over: per-element maps (an entry is the
 * row-major spatial offset a kernel tap touches, or -1 where the tap falls into padding or, for pools in ceil
 * mode, past the padded input) and, for the hot loops, the same windows as runs along the last dim.
 */
final class WindowGeometry {
    final int rank;
    final int[] in;
    final int[] out;
    final int[] kernel;
    final int[] strides;
    final int[] dilations;
    final int[] padBegin;
    final int[] padEnd;
    final int inSize;
    final int outSize;
    final int kernelSize;

    private WindowGeometry(int[] in, int[] out, int[] kernel, int[] strides, int[] dilations, int[] padBegin, int[] padEnd) {
        this.rank = in.length;
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.strides = strides;
        this.dilations = dilations;
        this.padBegin = padBegin;
        this.padEnd = padEnd;
        this.inSize = NdArray.product(in, 0, rank);
        this.outSize = NdArray.product(out, 0, rank);
        this.kernelSize = NdArray.product(kernel, 0, rank);
    }

    /**
     * Geometry of a window op reading {@code xShape} [N, C, spatial...] and producing {@code yShape}; the kernel
     * sizes are given per spatial dim, pads as [begin..., end...].
     */
    static WindowGeometry of(int[] xShape, int[] yShape, int[] kernel, List<Integer> strides, List<Integer> pads,
                             List<Integer> dilations) {
        int r = xShape.length - 2;
        int[] in = new int[r], out = new int[r], s = new int[r], d = new int[r], pb = new int[r], pe = new int[r];
        for (int i = 0; i < r; i++) {
            in[i] = xShape[2 + i];
            out[i] = yShape[2 + i];
            s[i] = strides.get(i);
            d[i] = dilations.get(i);
            pb[i] = pads.get(i);
            pe[i] = pads.get(i + r);
        }
        return new WindowGeometry(in, out, kernel.clone(), s, d, pb, pe);
    }

    /** Kernel sizes from a weight shape [M, C, k...]. */
    static int[] kernelOf(int[] wShape) {
        int[] k = new int[wShape.length - 2];
        System.arraycopy(wShape, 2, k, 0, k.length);
        return k;
    }

    /** Marks a row of {@link Rows#inputOffsets} that lies entirely in padding. */
    static final int NO_ROW = Integer.MIN_VALUE;

    /**
     * The windows as runs along the last spatial dim, for loops whose inner index is the output column: for
     * tap t and output row r (one row per combination of the other output dims), output column {@code ow}
     * reads input offset {@code inputOffsets[t * rowsPerTap + r] + ow * stride} when {@code lo[t] <= ow < hi[t]},
     * and padding otherwise (the whole row when the offset is {@link #NO_ROW}).
     */
    record Rows(int rowsPerTap, int rowLength, int stride, int[] inputOffsets, int[] lo, int[] hi) {}

    /** {@link #rows()} and {@link DepthwisePlanes#of}, computed on first use (immutable, so racing threads agree). */
    private volatile Rows rows;
    /** {@link DepthwisePlanes#of}'s result once known: the plan, or {@code Boolean.FALSE} for none. */
    volatile Object planesMemo;

    Rows rows() {
        Rows r = rows;
        if (r == null) rows = r = computeRows();
        return r;
    }

    /** Whether a window op of this geometry reading {@code xShape} writes {@code yShape} (same spatial sizes). */
    boolean fits(int[] xShape, int[] yShape) {
        if (xShape.length != rank + 2 || yShape.length != rank + 2) return false;
        for (int d = 0; d < rank; d++) if (xShape[2 + d] != in[d] || yShape[2 + d] != out[d]) return false;
        return true;
    }

    /** As {@link #of}, reusing {@code last} when it has the same spatial sizes (the kernel, strides, pads and dilations are the op's). */
    static WindowGeometry reuse(WindowGeometry last, int[] xShape, int[] yShape, int[] kernel, List<Integer> strides, List<Integer> pads,
                                List<Integer> dilations) {
        return last != null && last.fits(xShape, yShape) && Arrays.equals(last.kernel, kernel) ? last : of(xShape, yShape, kernel, strides, pads, dilations);
    }

    private Rows computeRows() {
        int last = rank - 1, rowLength = out[last], rowsPerTap = outSize / Math.max(1, rowLength);
        int s = strides[last];
        int[] inStrides = NdArray.strides(in);
        int[] offsets = new int[kernelSize * rowsPerTap], lo = new int[kernelSize], hi = new int[kernelSize];
        int[] tap = new int[rank];
        int[] outer = Arrays.copyOf(out, last);
        for (int t = 0; t < kernelSize; t++) {
            int shift = tap[last] * dilations[last] - padBegin[last]; // input column = ow * s + shift
            lo[t] = Math.min(rowLength, Math.max(0, Math.floorDiv(-shift + s - 1, s)));
            hi[t] = Math.max(lo[t], Math.min(rowLength, Math.floorDiv(in[last] - 1 - shift, s) + 1));
            int[] pos = new int[last];
            for (int r = 0; r < rowsPerTap; r++) {
                int offset = shift;
                for (int d = 0; d < last && offset != NO_ROW; d++) {
                    int c = pos[d] * strides[d] - padBegin[d] + tap[d] * dilations[d];
                    offset = c < 0 || c >= in[d] ? NO_ROW : offset + c * inStrides[d];
                }
                offsets[t * rowsPerTap + r] = offset;
                increment(pos, outer);
            }
            increment(tap, kernel);
        }
        return new Rows(rowsPerTap, rowLength, s, offsets, lo, hi);
    }

    /** Whether some output window covers no input element at all (possible with large pads or ceil mode). */
    boolean hasEmptyWindow() {
        for (int d = 0; d < rank; d++)
            for (int o = 0; o < out[d]; o++) {
                boolean any = false;
                for (int k = 0; k < kernel[d] && !any; k++) {
                    int c = o * strides[d] - padBegin[d] + k * dilations[d];
                    any = c >= 0 && c < in[d];
                }
                if (!any) return true;
            }
        return false;
    }

    /** [outSize][kernelSize]: the input offset tap r reads for output position p, one window per row. */
    int[] windowMap() { return tapMap(out, in, false); }

    /**
     * For transposed convolution, where {@link #in} is the op's input and {@link #out} its output:
     * [kernelSize][inSize], the output offset that tap r of input position p adds into.
     */
    int[] col2imMap() { return tapMap(in, out, true); }

    /**
     * For each position of {@code from} and each tap, the coordinate {@code pos * stride - padBegin + tap * dilation}
     * in {@code to}, flattened row-major, or -1 when outside {@code to}.
     */
    private int[] tapMap(int[] from, int[] to, boolean tapMajor) {
        int fromSize = NdArray.product(from, 0, rank);
        int[] map = new int[kernelSize * fromSize];
        int[] tap = new int[rank];
        for (int t = 0; t < kernelSize; t++) {
            int[] pos = new int[rank];
            for (int p = 0; p < fromSize; p++) {
                int offset = 0;
                for (int d = 0; d < rank; d++) {
                    int c = pos[d] * strides[d] - padBegin[d] + tap[d] * dilations[d];
                    if (c < 0 || c >= to[d]) { offset = -1; break; }
                    offset = offset * to[d] + c;
                }
                map[tapMajor ? t * fromSize + p : p * kernelSize + t] = offset;
                increment(pos, from);
            }
            increment(tap, kernel);
        }
        return map;
    }

    /**
     * For each output position, how many taps fall inside the input extended by the explicit pads (ceil-mode
     * overhang excluded): the AveragePool divisor with count_include_pad.
     */
    int[] paddedWindowCounts() {
        int[][] perDim = new int[rank][];
        for (int d = 0; d < rank; d++) {
            perDim[d] = new int[out[d]];
            for (int o = 0; o < out[d]; o++)
                for (int k = 0; k < kernel[d]; k++) {
                    int c = o * strides[d] - padBegin[d] + k * dilations[d];
                    if (c >= -padBegin[d] && c < in[d] + padEnd[d]) perDim[d][o]++;
                }
        }
        int[] counts = new int[outSize];
        int[] pos = new int[rank];
        for (int p = 0; p < outSize; p++) {
            int n = 1;
            for (int d = 0; d < rank; d++) n *= perDim[d][pos[d]];
            counts[p] = n;
            increment(pos, out);
        }
        return counts;
    }

    /** Advances a row-major odometer {@code idx} over {@code dims}. */
    static void increment(int[] idx, int[] dims) {
        for (int d = idx.length - 1; d >= 0; d--) {
            if (++idx[d] < dims[d]) return;
            idx[d] = 0;
        }
    }
}
