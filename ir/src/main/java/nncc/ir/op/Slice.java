package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Takes a strided window of a run-time tensor along {@code axes} (ONNX Slice with constant starts, ends, axes and
 * steps). Per listed axis of size {@code d}: a negative start or end counts from the end ({@code + d}); then, for a
 * positive step, start and end are clamped to [0, d], for a negative step start to [0, d-1] and end to [-1, d-1];
 * the elements are {@code start, start+step, ...} before {@code end}. Unlisted axes are kept whole. A symbolic dim
 * may only be listed with start 0, step 1 and an end past any size (kept whole). Values are only moved, so a
 * per-tensor quantized input's parameters carry to the output.
 */
public record Slice(List<Integer> axes, List<Long> starts, List<Long> ends, List<Long> steps) implements DataMovementOp {
    public Slice {
        axes = List.copyOf(axes);
        starts = List.copyOf(starts);
        ends = List.copyOf(ends);
        steps = List.copyOf(steps);
        if (starts.size() != axes.size() || ends.size() != axes.size() || steps.size() != axes.size())
            throw fail("slice axes %s, starts %s, ends %s and steps %s differ in length", axes, starts, ends, steps);
        if (steps.contains(0L)) throw fail("slice steps %s contain 0", steps);
        if (axes.stream().distinct().count() != axes.size()) throw fail("slice axes %s repeat", axes);
    }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape x = in.get(0).shape();
        Shape out = x;
        for (int k = 0; k < axes.size(); k++) {
            int a = Shapes.axis(axes.get(k), x.rank());
            if (x.isSymbolic(a)) {
                if (starts.get(k) != 0 || steps.get(k) != 1 || ends.get(k) < Integer.MAX_VALUE)
                    throw fail("cannot slice symbolic dim %d of %s (start %d, end %d, step %d)", a, x, starts.get(k), ends.get(k), steps.get(k));
                continue;
            }
            out = out.withDim(a, range(x.dim(a), starts.get(k), ends.get(k), steps.get(k))[1]);
        }
        return List.of(Shapes.moved(in.get(0), out));
    }

    /** The first index and the element count of the slice along axis number {@code k} of an input dim of {@code size}. */
    public long[] rangeOf(int k, long size) { return range(size, starts.get(k), ends.get(k), steps.get(k)); }

    /** The clamped first index and the element count of an ONNX slice along a dim of size {@code dim}. */
    public static long[] range(long dim, long start, long end, long step) {
        if (step == 0) throw fail("slice step must not be 0");
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
}
