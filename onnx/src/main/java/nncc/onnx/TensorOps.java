package nncc.onnx;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Shapes;

/**
 * Evaluates the layout and arithmetic ops of import-time folding on constant tensors (ONNX semantics): gather,
 * concat, slice, transpose, broadcasting arithmetic, cast, fill and range. Layout ops move raw elements, so every
 * byte-sized dtype works unchanged.
 */
final class TensorOps {
    private TensorOps() {}

    /** Folding never builds tensors larger than this many elements (64 Mi); bigger results are a model error. */
    static final long MAX_FOLDED_ELEMENTS = 1L << 26;

    /** The element count of a folding result, checked against {@link #MAX_FOLDED_ELEMENTS}. */
    static int foldedCount(Shape s) {
        long n = 1;
        for (long d : s.dims()) {
            n = d == 0 ? 0 : n * d;
            if (n > MAX_FOLDED_ELEMENTS || d > MAX_FOLDED_ELEMENTS)
                throw new ModelException("folding would build a tensor of shape " + s + ", more than "
                        + MAX_FOLDED_ELEMENTS + " elements");
        }
        return (int) n;
    }

    static long[] strides(Shape s) {
        long[] st = new long[s.rank()];
        long acc = 1;
        for (int i = s.rank() - 1; i >= 0; i--) { st[i] = acc; acc *= s.dim(i); }
        return st;
    }

    /** A tensor of {@code shape} whose element k is element {@code from[k]} of {@code src}. */
    static Tensor remap(Tensor src, Shape shape, int[] from) {
        if (src.dtype().bits() % 8 != 0) throw new ModelException("cannot fold " + src.dtype().text() + " tensors");
        int size = src.dtype().bits() / 8;
        foldedCount(shape);
        byte[] in = src.rawBytes();
        byte[] out = new byte[from.length * size];
        for (int k = 0; k < from.length; k++) System.arraycopy(in, from[k] * size, out, k * size, size);
        return Tensor.ofRaw(src.dtype(), shape, out);
    }

    /** For each element of {@code out}, the flat index of the element of {@code in} that broadcasts to it. */
    static int[] broadcastIndex(Shape out, Shape in) {
        int n = Math.toIntExact(out.numElements()), r = out.rank(), off = r - in.rank();
        long[] inStrides = strides(in);
        int[] map = new int[n];
        long[] coord = new long[r];
        for (int k = 0; k < n; k++) {
            long idx = 0;
            for (int i = 0; i < in.rank(); i++) if (in.dim(i) != 1) idx += coord[i + off] * inStrides[i];
            map[k] = (int) idx;
            for (int i = r - 1; i >= 0; i--) { if (++coord[i] < out.dim(i)) break; coord[i] = 0; }
        }
        return map;
    }

    static Tensor transpose(Tensor t, List<Integer> perm) {
        Shape s = t.shape();
        int r = s.rank();
        long[] d = new long[r];
        for (int i = 0; i < r; i++) d[i] = s.dim(perm.get(i));
        Shape out = Shape.of(d);
        foldedCount(out);
        long[] st = strides(s);
        int n = Math.toIntExact(t.numElements());
        int[] map = new int[n];
        long[] coord = new long[r];
        for (int k = 0; k < n; k++) {
            long idx = 0;
            for (int i = 0; i < r; i++) idx += coord[i] * st[perm.get(i)];
            map[k] = (int) idx;
            for (int i = r - 1; i >= 0; i--) { if (++coord[i] < d[i]) break; coord[i] = 0; }
        }
        return remap(t, out, map);
    }

    static Tensor gather(Tensor data, Tensor indices, int axis) {
        Shape s = data.shape();
        int a = Shapes.axis(axis, s.rank());
        long outer = 1, inner = 1, dimA = s.dim(a);
        for (int i = 0; i < a; i++) outer *= s.dim(i);
        for (int i = a + 1; i < s.rank(); i++) inner *= s.dim(i);
        long[] idx = indices.toLongs();
        long[] d = new long[s.rank() - 1 + indices.shape().rank()];
        int k = 0;
        for (int i = 0; i < a; i++) d[k++] = s.dim(i);
        for (long x : indices.shape().dims()) d[k++] = x;
        for (int i = a + 1; i < s.rank(); i++) d[k++] = s.dim(i);
        int[] map = new int[foldedCount(Shape.of(outer, idx.length, inner))];
        int m = 0;
        for (long o = 0; o < outer; o++)
            for (long j : idx) {
                long jj = j < 0 ? j + dimA : j;
                if (jj < 0 || jj >= dimA) throw new ModelException("gather index " + j + " out of range for dim " + dimA);
                for (long in = 0; in < inner; in++) map[m++] = (int) ((o * dimA + jj) * inner + in);
            }
        return remap(data, Shape.of(d), map);
    }

    static Tensor concat(List<Tensor> ts, int axis) {
        Tensor first = ts.get(0);
        int r = first.shape().rank();
        int a = Shapes.axis(axis, r);
        long total = 0;
        for (Tensor t : ts) {
            if (t.dtype() != first.dtype() || t.shape().rank() != r) throw new ModelException("concat inputs differ: " + ts);
            for (int i = 0; i < r; i++)
                if (i != a && t.shape().dim(i) != first.shape().dim(i)) throw new ModelException("concat inputs differ: " + ts);
            total += t.shape().dim(a);
        }
        Shape out = first.shape().withDim(a, total);
        foldedCount(out);
        int size = first.dtype().bits() / 8;
        long outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= out.dim(i);
        for (int i = a + 1; i < r; i++) inner *= out.dim(i);
        byte[] dst = new byte[Math.toIntExact(out.numElements() * size)];
        int pos = 0;
        for (long o = 0; o < outer; o++)
            for (Tensor t : ts) {
                int chunk = (int) (t.shape().dim(a) * inner * size);
                System.arraycopy(t.rawBytes(), (int) (o * chunk), dst, pos, chunk);
                pos += chunk;
            }
        return Tensor.ofRaw(first.dtype(), out, dst);
    }

    /** ONNX Slice with explicit per-axis starts/ends/steps (already read from inputs or attributes). */
    static Tensor slice(Tensor t, long[] starts, long[] ends, int[] axes, long[] steps) {
        Shape s = t.shape();
        int r = s.rank();
        long[] begin = new long[r], step = new long[r], len = new long[r];
        for (int i = 0; i < r; i++) { step[i] = 1; len[i] = s.dim(i); }
        for (int k = 0; k < axes.length; k++) {
            int a = Shapes.axis(axes[k], r);
            long[] b = sliceRange(s.dim(a), starts[k], ends[k], steps[k]);
            begin[a] = b[0]; step[a] = steps[k]; len[a] = b[1];
        }
        Shape out = Shape.of(len);
        foldedCount(out);
        long[] st = strides(s);
        int n = Math.toIntExact(out.numElements());
        int[] map = new int[n];
        long[] coord = new long[r];
        for (int k = 0; k < n; k++) {
            long idx = 0;
            for (int i = 0; i < r; i++) idx += (begin[i] + coord[i] * step[i]) * st[i];
            map[k] = (int) idx;
            for (int i = r - 1; i >= 0; i--) { if (++coord[i] < len[i]) break; coord[i] = 0; }
        }
        return remap(t, out, map);
    }

    /** The clamped start and the element count of an ONNX slice along a dim of size {@code dim}. */
    static long[] sliceRange(long dim, long start, long end, long step) {
        if (step == 0) throw new ModelException("slice step must not be 0");
        if (dim == 0) return new long[] {0, 0};
        if (start < 0) start += dim;
        if (end < 0) end += dim;
        if (step > 0) {
            start = Math.clamp(start, 0, dim);
            end = Math.clamp(end, 0, dim);
        } else {
            start = Math.clamp(start, 0, dim - 1);
            end = Math.clamp(end, -1, dim - 1);
        }
        long n = step > 0 ? (end - start + step - 1) / step : (start - end + (-step) - 1) / (-step);
        return new long[] {start, Math.max(0, n)};
    }

    /** Add, Sub, Mul or Div with numpy broadcasting; integers wrap to their width, integer division truncates. */
    static Tensor arithmetic(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) throw new ModelException("operand types differ: " + a + " vs " + b);
        Shape out = Shapes.broadcast(a.shape(), b.shape());
        foldedCount(out);
        int[] ia = broadcastIndex(out, a.shape()), ib = broadcastIndex(out, b.shape());
        int n = ia.length;
        DType dt = a.dtype();
        if (dt.isFloat()) {
            double[] x = a.toDoubles(), y = b.toDoubles(), r = new double[n];
            for (int k = 0; k < n; k++) {
                double p = x[ia[k]], q = y[ib[k]];
                r[k] = switch (op) { case "Add" -> p + q; case "Sub" -> p - q; case "Mul" -> p * q; default -> p / q; };
            }
            return fromDoubles(dt, out, r);
        }
        long[] x = a.toLongs(), y = b.toLongs(), r = new long[n];
        for (int k = 0; k < n; k++) {
            long p = x[ia[k]], q = y[ib[k]];
            if (op.equals("Div") && q == 0) throw new ModelException("integer division by zero");
            r[k] = switch (op) { case "Add" -> p + q; case "Sub" -> p - q; case "Mul" -> p * q; default -> p / q; };
        }
        return fromLongs(dt, out, r);
    }

    /** ONNX Cast: float to integer truncates toward zero, to bool tests for non-zero. */
    static Tensor cast(Tensor t, DType to) {
        if (to == t.dtype()) return t;
        if (t.dtype().isFloat()) {
            double[] v = t.toDoubles();
            if (to.isFloat()) return fromDoubles(to, t.shape(), v);
            long[] l = new long[v.length];
            for (int i = 0; i < v.length; i++) l[i] = to == DType.BOOL ? (v[i] != 0 ? 1 : 0) : (long) v[i];
            return fromLongs(to, t.shape(), l);
        }
        long[] v = t.toLongs();
        if (to.isFloat()) {
            double[] d = new double[v.length];
            for (int i = 0; i < v.length; i++) d[i] = to == DType.F64 ? (double) v[i] : (float) v[i];
            return fromDoubles(to, t.shape(), d);
        }
        if (to == DType.BOOL) for (int i = 0; i < v.length; i++) v[i] = v[i] != 0 ? 1 : 0;
        return fromLongs(to, t.shape(), v);
    }

    /** A tensor of {@code shape} with every element equal to the single element of {@code value}. */
    static Tensor fill(Shape shape, Tensor value) {
        if (value.numElements() != 1) throw new ModelException("fill value must have one element, got " + value);
        return remap(value, shape, new int[foldedCount(shape)]);
    }

    /** ONNX Range over scalars of one dtype. */
    static Tensor range(Tensor start, Tensor limit, Tensor delta) {
        DType dt = start.dtype();
        if (limit.dtype() != dt || delta.dtype() != dt) throw new ModelException("range operands differ in type");
        if (dt.isFloat()) {
            double s = start.toDoubles()[0], l = limit.toDoubles()[0], d = delta.toDoubles()[0];
            if (d == 0) throw new ModelException("range delta must not be 0");
            double count = Math.max(0, Math.ceil((l - s) / d));
            if (!(count <= MAX_FOLDED_ELEMENTS)) throw new ModelException("range of " + count + " elements is too large to fold");
            int n = (int) count;
            double[] r = new double[n];
            for (int i = 0; i < n; i++) r[i] = dt == DType.F64 ? s + i * d : (float) s + i * (float) d;
            return fromDoubles(dt, Shape.of(n), r);
        }
        long s = start.toLongs()[0], l = limit.toLongs()[0], d = delta.toLongs()[0];
        if (d == 0) throw new ModelException("range delta must not be 0");
        long n = Math.max(0, Math.ceilDiv(l - s, d));
        if (n > MAX_FOLDED_ELEMENTS) throw new ModelException("range of " + n + " elements is too large to fold");
        long[] r = new long[Math.toIntExact(n)];
        for (int i = 0; i < r.length; i++) r[i] = s + i * d;
        return fromLongs(dt, Shape.of(r.length), r);
    }

    static Tensor fromDoubles(DType dt, Shape shape, double[] v) {
        if (dt == DType.F64) return Tensor.ofDoubles(shape, v);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.ofFloats(dt, shape, f);
    }

    /** Integers stored as {@code dt}, wrapping to its width (bool: non-zero is 1). */
    static Tensor fromLongs(DType dt, Shape shape, long[] v) {
        long[] w = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            long x = v[i];
            w[i] = switch (dt) {
                case I8 -> (byte) x; case U8 -> x & 0xFF; case I16 -> (short) x; case I32 -> (int) x;
                case BOOL -> x != 0 ? 1 : 0; default -> x;
            };
        }
        return Tensor.ofLongs(dt, shape, w);
    }
}
