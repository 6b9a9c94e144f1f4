package nncc.ir.op;

import java.util.Arrays;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/** Shape arithmetic shared by the ops' type inference: broadcasting, windows, axes. */
public final class Shapes {
    private Shapes() {}

    public static ModelException fail(String fmt, Object... args) { return new ModelException(String.format(fmt, args)); }

    /** Numpy-style multidirectional broadcast of two shapes (symbolic dims broadcast against 1). */
    public static Shape broadcast(Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        long[] d = new long[r];
        String[] s = new String[r];
        for (int i = 0; i < r; i++) {
            int ia = i - (r - a.rank()), ib = i - (r - b.rank());
            long da = ia < 0 ? 1 : a.dim(ia), db = ib < 0 ? 1 : b.dim(ib);
            String sa = ia < 0 ? null : a.symbol(ia), sb = ib < 0 ? null : b.symbol(ib);
            if (sa != null && sb != null) {
                if (!sa.equals(sb)) throw fail("cannot broadcast %s with %s (dims ?%s and ?%s)", a, b, sa, sb);
                s[i] = sa;
            } else if (sa != null) {
                if (db == 1) s[i] = sa; else d[i] = db;
            } else if (sb != null) {
                if (da == 1) s[i] = sb; else d[i] = da;
            } else if (da == db || db == 1) d[i] = da;
            else if (da == 1) d[i] = db;
            else throw fail("cannot broadcast %s with %s (dim %d: %d vs %d)", a, b, i, da, db);
        }
        return Shape.withSymbols(d, s);
    }

    /** Normalizes a possibly negative axis into [0, rank). */
    public static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw fail("axis %d out of range for rank %d", axis, rank);
        return a;
    }

    /** Output size of a sliding window along one dim. */
    public static long windowOut(long in, long kernel, int stride, int dilation, long padBegin, long padEnd, boolean ceil) {
        long effective = (kernel - 1) * dilation + 1;
        long span = in + padBegin + padEnd - effective;
        if (span < 0) throw fail("window %d (dilation %d) larger than padded input %d", kernel, dilation, in + padBegin + padEnd);
        long out = (ceil ? Math.floorDiv(span + stride - 1, stride) : Math.floorDiv(span, stride)) + 1;
        // ceil mode: the last window must start inside the input or the begin padding (ONNX, PyTorch)
        if (ceil && (out - 1) * stride >= in + padBegin) out--;
        return out;
    }

    /** Checks a per-spatial-dim list has {@code n} entries (or 2n for pads). */
    public static void requireLength(String what, List<?> l, int n) {
        if (l.size() != n) throw fail("%s has %d entries, expected %d: %s", what, l.size(), n, l);
    }

    public static void requireRank(String what, TensorType t, int rank) {
        if (t.rank() != rank) throw fail("%s must have rank %d, got %s", what, rank, t);
    }

    public static void requireFloat(String what, TensorType t) {
        if (!t.dtype().isFloat()) throw fail("%s must be a float tensor, got %s", what, t);
    }

    public static void requireSameDType(TensorType a, TensorType b) {
        if (a.dtype() != b.dtype()) throw fail("operand types differ: %s vs %s", a, b);
    }

    public static void requireStatic(String what, Shape s) {
        if (!s.isStatic()) throw fail("%s must have a static shape, got %s", what, s);
    }

    /** Shape of a windowed op (conv or pool) over NC + spatial input. */
    public static Shape windowed(Shape in, long outChannels, long[] kernel, List<Integer> strides, List<Integer> pads,
                                 List<Integer> dilations, boolean ceil) {
        int sp = in.rank() - 2;
        if (sp < 1) throw fail("input %s needs rank >= 3 (N, C, spatial...)", in);
        requireLength("kernel", Arrays.stream(kernel).boxed().toList(), sp);
        requireLength("strides", strides, sp);
        requireLength("dilations", dilations, sp);
        requireLength("pads", pads, 2 * sp);
        Shape out = in.withDim(1, outChannels);
        if (in.isSymbolic(0)) out = symbolicAt(out, 0, in.symbol(0));
        for (int i = 0; i < sp; i++) {
            if (in.isSymbolic(2 + i)) throw fail("spatial dim %d of %s is symbolic", i, in);
            if (strides.get(i) < 1 || dilations.get(i) < 1) throw fail("strides %s and dilations %s must be >= 1", strides, dilations);
            out = out.withDim(2 + i, windowOut(in.dim(2 + i), kernel[i], strides.get(i), dilations.get(i),
                    pads.get(i), pads.get(i + sp), ceil));
        }
        return out;
    }

    /** {@code s} with dim i made symbolic. */
    public static Shape symbolicAt(Shape s, int i, String symbol) {
        long[] d = s.dims();
        String[] sym = new String[d.length];
        for (int k = 0; k < d.length; k++) sym[k] = s.symbol(k);
        sym[i] = symbol;
        return Shape.withSymbols(d, sym);
    }

    /** A shape built from dims of {@code src} (by index) and fixed sizes ({@code idx < 0} means size {@code -idx-1}). */
    public static Shape select(Shape src, int[] fromIndex, long[] fixed) {
        long[] d = new long[fromIndex.length];
        String[] s = new String[fromIndex.length];
        for (int i = 0; i < d.length; i++) {
            if (fromIndex[i] >= 0) { d[i] = src.dim(fromIndex[i]); s[i] = src.symbol(fromIndex[i]); }
            else d[i] = fixed[i];
        }
        return Shape.withSymbols(d, s);
    }

    /**
     * The output type of an op that only moves integer values around (reshape, transpose, pooling by max, pad):
     * a per-tensor quantized integer input keeps its parameters; float values and per-axis parameters do not carry.
     */
    public static TensorType moved(TensorType in, Shape s) {
        boolean keep = in.dtype().isInteger() && in.quant() != null && !in.quant().isPerAxis();
        return new TensorType(in.dtype(), s, keep ? in.quant() : null);
    }

    public static List<TensorType> one(DType dt, Shape s) { return List.of(TensorType.of(dt, s)); }

    public static long[] longs(List<? extends Number> l) { return l.stream().mapToLong(Number::longValue).toArray(); }

    public static int[] ints(List<? extends Number> l) { return l.stream().mapToInt(Number::intValue).toArray(); }
}
