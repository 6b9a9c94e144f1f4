package nncc.cpu;

import java.util.Arrays;
import nncc.ir.DType;
import nncc.ir.op.AveragePool;
import nncc.ir.op.GlobalAveragePool;
import nncc.ir.op.MaxPool;

/**
 * Pooling (ONNX MaxPool, AveragePool, GlobalAveragePool) over N-d spatial dims. Windows come from
 * {@link WindowGeometry}, so padding and the ceil-mode overhang are simply taps that read nothing: they never
 * win a max (a NaN does), and the average divides by the taps inside the input, or with count_include_pad by
 * the taps inside the explicitly padded input.
 */
final class PoolKernels {
    private PoolKernels() {}

    static Kernel maxPool(MaxPool op, NodeContext ctx) {
        ctx.requireDType(0, "input X", DType.F32, DType.F16, DType.BF16, DType.F64,
                DType.I64, DType.I32, DType.I16, DType.I8, DType.U8);
        int[] kernel = op.kernel().stream().mapToInt(Integer::intValue).toArray();
        boolean vector = ctx.vector();
        java.util.concurrent.atomic.AtomicReference<WindowGeometry> geometry = new java.util.concurrent.atomic.AtomicReference<>(); // the last input's plans
        return (in, outTypes) -> {
            NdArray x = in[0];
            int[] yShape = outTypes[0].shape().toIntArray();
            WindowGeometry g = WindowGeometry.reuse(geometry.get(), x.shape, yShape, kernel, op.strides(), op.pads(), op.dilations());
            geometry.set(g);
            int planes = x.dim(0) * x.dim(1);
            if (vector && outTypes.length == 1 && VectorPairPool.applies(g)) { // the 2x2, stride 2 pool a vector at a time
                if (x.storage() == NdArray.Storage.FLOAT)
                    return new NdArray[] {NdArray.ofFloats(x.dtype, yShape, VectorPairPool.max(x.floats, planes, g))};
                if (x.holdsBytes())
                    return new NdArray[] {NdArray.ofBytes(x.dtype, yShape, VectorPairPool.max(x.int8Bytes(), x.dtype == DType.U8, planes, g))};
            }
            if (outTypes.length == 1 && x.storage() == NdArray.Storage.FLOAT)
                return new NdArray[] {NdArray.ofFloats(x.dtype, yShape, maxValues(x.floats, planes, g))};
            if (outTypes.length == 1 && x.holdsBytes())
                return new NdArray[] {NdArray.ofBytes(x.dtype, yShape, maxBytes(x, planes, g))};
            if (outTypes.length == 1 && x.storage() == NdArray.Storage.LONG)
                return new NdArray[] {NdArray.ofIntegers(x.dtype, yShape, maxValues(x, planes, g), x.isNarrow())};
            int[] best = argMax(x, planes, g);
            int[] flat = new int[best.length];
            for (int i = 0; i < best.length; i++) flat[i] = best[i] < 0 ? -1 : (i / g.outSize) * g.inSize + best[i];
            NdArray y = x.gather(yShape, flat, 0);
            if (outTypes.length == 1) return new NdArray[] {y};
            int[] columnMajor = op.storageOrder() == 1 ? columnMajorOffsets(g.in) : null;
            long[] idx = new long[best.length];
            for (int i = 0; i < best.length; i++) {
                if (best[i] < 0) { idx[i] = -1; continue; }
                int spatial = columnMajor == null ? best[i] : columnMajor[best[i]];
                idx[i] = (long) (i / g.outSize) * g.inSize + spatial;
            }
            return new NdArray[] {y, NdArray.ofLongs(DType.I64, yShape, idx)};
        };
    }

    /**
     * The float max of every window (the values-only fast path), walked tap by tap along output rows so the inner
     * loop is long and branch-free. NaN wins, as in {@link #argMax}; an empty window gives 0.
     */
    private static float[] maxValues(float[] x, int planes, WindowGeometry g) {
        WindowGeometry.Rows plan = g.rows();
        int len = plan.rowLength(), s = plan.stride(), rows = plan.rowsPerTap(), positions = g.outSize;
        float[] y = new float[planes * positions];
        Arrays.fill(y, Float.NEGATIVE_INFINITY);
        for (int plane = 0; plane < planes; plane++) {
            int src = plane * g.inSize, dst = plane * positions;
            for (int t = 0; t < plan.lo().length; t++) {
                int lo = plan.lo()[t], hi = plan.hi()[t];
                for (int r = 0; r < rows; r++) {
                    int off = plan.inputOffsets()[t * rows + r];
                    if (off == WindowGeometry.NO_ROW) continue;
                    int in = src + off, o = dst + r * len;
                    for (int ow = lo; ow < hi; ow++) y[o + ow] = Math.max(y[o + ow], x[in + ow * s]);
                }
            }
        }
        if (g.hasEmptyWindow()) {
            int[] best = argMax(NdArray.ofFloats(DType.F32, new int[] {planes, g.inSize}, x), planes, g);
            for (int i = 0; i < best.length; i++) if (best[i] < 0) y[i] = 0f;
        }
        return y;
    }

    /** As {@link #maxValues(float[], int, WindowGeometry)} for integer data (the int8 graphs' pools). */
    private static long[] maxValues(NdArray xa, int planes, WindowGeometry g) {
        long[] x = xa.longs();
        WindowGeometry.Rows plan = g.rows();
        int len = plan.rowLength(), s = plan.stride(), rows = plan.rowsPerTap(), positions = g.outSize;
        long[] y = new long[planes * positions];
        Arrays.fill(y, Long.MIN_VALUE);
        for (int plane = 0; plane < planes; plane++) {
            int src = plane * g.inSize, dst = plane * positions;
            for (int t = 0; t < plan.lo().length; t++) {
                int lo = plan.lo()[t], hi = plan.hi()[t];
                for (int r = 0; r < rows; r++) {
                    int off = plan.inputOffsets()[t * rows + r];
                    if (off == WindowGeometry.NO_ROW) continue;
                    int in = src + off, o = dst + r * len;
                    for (int ow = lo; ow < hi; ow++) y[o + ow] = Math.max(y[o + ow], x[in + ow * s]);
                }
            }
        }
        if (g.hasEmptyWindow()) {
            int[] best = argMax(xa, planes, g);
            for (int i = 0; i < best.length; i++) if (best[i] < 0) y[i] = 0;
        }
        return y;
    }

    /**
     * As {@link #maxValues(NdArray, int, WindowGeometry)} for an i8/u8 tensor held as bytes, on the bytes: u8 values
     * are compared with their top bit flipped, which orders them as signed bytes.
     */
    private static byte[] maxBytes(NdArray xa, int planes, WindowGeometry g) {
        byte[] x = xa.int8Bytes();
        byte flip = xa.dtype == DType.U8 ? (byte) 0x80 : 0;
        WindowGeometry.Rows plan = g.rows();
        int len = plan.rowLength(), s = plan.stride(), rows = plan.rowsPerTap(), positions = g.outSize;
        byte[] y = new byte[planes * positions];
        Arrays.fill(y, Byte.MIN_VALUE);
        for (int plane = 0; plane < planes; plane++) {
            int src = plane * g.inSize, dst = plane * positions;
            for (int t = 0; t < plan.lo().length; t++) {
                int lo = plan.lo()[t], hi = plan.hi()[t];
                for (int r = 0; r < rows; r++) {
                    int off = plan.inputOffsets()[t * rows + r];
                    if (off == WindowGeometry.NO_ROW) continue;
                    int in = src + off, o = dst + r * len;
                    for (int ow = lo; ow < hi; ow++) y[o + ow] = (byte) Math.max(y[o + ow], (byte) (x[in + ow * s] ^ flip));
                }
            }
        }
        if (flip != 0) for (int i = 0; i < y.length; i++) y[i] ^= flip;
        if (g.hasEmptyWindow()) {
            int[] best = argMax(xa, planes, g);
            for (int i = 0; i < best.length; i++) if (best[i] < 0) y[i] = 0;
        }
        return y;
    }

    /** For each output element, the spatial offset of its window's first maximum, or -1 for an empty window. */
    private static int[] argMax(NdArray x, int planes, WindowGeometry g) {
        int[] map = g.windowMap();
        int taps = g.kernelSize, positions = g.outSize, inSize = g.inSize;
        int[] best = new int[planes * positions];
        for (int plane = 0, out = 0; plane < planes; plane++) {
            int base = plane * inSize;
            for (int w = 0; w < positions * taps; w += taps, out++)
                best[out] = switch (x.storage()) {
                    case FLOAT -> argMax(x.floats, base, map, w, taps);
                    case DOUBLE -> argMax(x.doubles, base, map, w, taps);
                    case LONG -> argMax(x.longs(), base, map, w, taps);
                };
        }
        return best;
    }

    private static int argMax(float[] x, int base, int[] map, int w, int taps) {
        int found = -1;
        float v = 0;
        for (int t = w; t < w + taps; t++) {
            int o = map[t];
            if (o >= 0 && (found < 0 || x[base + o] > v || (x[base + o] != x[base + o] && v == v))) { v = x[base + o]; found = o; }
        }
        return found;
    }

    private static int argMax(double[] x, int base, int[] map, int w, int taps) {
        int found = -1;
        double v = 0;
        for (int t = w; t < w + taps; t++) {
            int o = map[t];
            if (o >= 0 && (found < 0 || x[base + o] > v || (x[base + o] != x[base + o] && v == v))) { v = x[base + o]; found = o; }
        }
        return found;
    }

    private static int argMax(long[] x, int base, int[] map, int w, int taps) {
        int found = -1;
        long v = 0;
        for (int t = w; t < w + taps; t++) {
            int o = map[t];
            if (o >= 0 && (found < 0 || x[base + o] > v)) { v = x[base + o]; found = o; }
        }
        return found;
    }

    /** For each row-major spatial offset, the column-major one (first spatial dim fastest), as MaxPool indices use. */
    static int[] columnMajorOffsets(int[] dims) {
        int n = NdArray.product(dims, 0, dims.length);
        int[] r = new int[n];
        int[] pos = new int[dims.length];
        for (int i = 0; i < n; i++) {
            int off = 0;
            for (int d = dims.length - 1; d >= 0; d--) off = off * dims[d] + pos[d];
            r[i] = off;
            WindowGeometry.increment(pos, dims);
        }
        return r;
    }

    static Kernel averagePool(AveragePool op, NodeContext ctx) {
        ctx.requireFloat32(0, "input X");
        int[] kernel = op.kernel().stream().mapToInt(Integer::intValue).toArray();
        return (in, outTypes) -> {
            NdArray x = in[0];
            int[] yShape = outTypes[0].shape().toIntArray();
            WindowGeometry g = WindowGeometry.of(x.shape, yShape, kernel, op.strides(), op.pads(), op.dilations());
            int[] map = g.windowMap();
            int[] padded = op.countIncludePad() ? g.paddedWindowCounts() : null;
            int planes = x.dim(0) * x.dim(1), taps = g.kernelSize, positions = g.outSize;
            float[] xs = x.floats;
            float[] y = new float[planes * positions];
            for (int plane = 0; plane < planes; plane++) {
                int base = plane * g.inSize;
                for (int p = 0; p < positions; p++) {
                    double sum = 0;
                    int count = 0;
                    for (int t = 0; t < taps; t++) {
                        int o = map[p * taps + t];
                        if (o >= 0) { sum += xs[base + o]; count++; }
                    }
                    int divisor = padded != null ? padded[p] : count;
                    y[plane * positions + p] = divisor == 0 ? 0f : (float) (sum / divisor);
                }
            }
            return new NdArray[] {NdArray.ofFloats(outTypes[0].dtype(), yShape, y)};
        };
    }

    static Kernel globalAveragePool(GlobalAveragePool op, NodeContext ctx) {
        ctx.requireFloat32(0, "input X");
        return (in, outTypes) -> {
            NdArray x = in[0];
            int planes = x.dim(0) * x.dim(1);
            int size = NdArray.product(x.shape, 2, x.rank());
            float[] y = new float[planes], xs = x.floats;
            int plane = 0;
            for (; plane + 4 <= planes; plane += 4) { // four planes' sums side by side: four independent chains, each in order
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (int i = 0, b = plane * size; i < size; i++, b++) {
                    s0 += xs[b];
                    s1 += xs[b + size];
                    s2 += xs[b + 2 * size];
                    s3 += xs[b + 3 * size];
                }
                y[plane] = (float) (s0 / size);
                y[plane + 1] = (float) (s1 / size);
                y[plane + 2] = (float) (s2 / size);
                y[plane + 3] = (float) (s3 / size);
            }
            for (; plane < planes; plane++) {
                double sum = 0;
                for (int i = 0; i < size; i++) sum += xs[plane * size + i];
                y[plane] = (float) (sum / size);
            }
            return new NdArray[] {NdArray.ofFloats(outTypes[0].dtype(), outTypes[0].shape().toIntArray(), y)};
        };
    }
}
