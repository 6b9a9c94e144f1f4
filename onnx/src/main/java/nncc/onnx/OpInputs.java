package nncc.onnx;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.Tensor;

/**
 * Reads the operands that moved from attributes to inputs across opsets (axes, pads, slice bounds, Dropout's
 * ratio and training mode), so the folding evaluator and the op importers read them the same way.
 */
final class OpInputs {
    private OpInputs() {}

    /** Unsqueeze axes: an attribute before opset 13, a constant input since. */
    static List<Integer> unsqueezeAxes(OnnxNode n) {
        List<Integer> axes = n.opset() < 13 ? n.getIntList("axes", null) : ints(n, n.requireConstant(1, "axes"));
        if (axes == null) throw n.error("attribute axes is required");
        return axes;
    }

    /** Squeeze axes (empty means every size-1 dim): an optional attribute before opset 13, an optional input since. */
    static List<Integer> squeezeAxes(OnnxNode n) {
        if (n.opset() < 13) return n.getIntList("axes", List.of());
        return n.hasInput(1) ? ints(n, n.requireConstant(1, "axes")) : List.of();
    }

    /** ReduceMean axes: an optional attribute before opset 18, an optional input since. */
    static List<Integer> reduceAxes(OnnxNode n) {
        if (n.opset() < 18) return n.getIntList("axes", List.of());
        return n.hasInput(1) ? ints(n, n.requireConstant(1, "axes")) : List.of();
    }

    static int concatAxis(OnnxNode n) {
        if (!n.has("axis") && n.opset() >= 4) throw n.error("attribute axis is required");
        return n.getIntAttr("axis", 1);
    }

    /** Transpose perm; the default reverses the dims. */
    static List<Integer> transposePerm(OnnxNode n, int rank) {
        List<Integer> perm = n.getIntList("perm", null);
        if (perm != null) {
            if (perm.size() != rank || perm.stream().distinct().count() != rank || perm.stream().anyMatch(p -> p < 0 || p >= rank))
                throw n.error("perm " + perm + " is not a permutation of rank " + rank);
            return perm;
        }
        List<Integer> rev = new ArrayList<>();
        for (int i = rank - 1; i >= 0; i--) rev.add(i);
        return rev;
    }

    /** Rejects training-mode Dropout (legacy is_test=0, or a training_mode input that is true or not constant). */
    static void requireInferenceDropout(OnnxNode n) {
        if (n.opset() < 7 && n.has("is_test") && n.getInt("is_test", 1) == 0)
            throw n.error("training-mode Dropout is not supported (is_test = 0)");
        if (n.opset() >= 12 && n.hasInput(2)) {
            Tensor t = n.constant(2);
            if (t == null) throw n.error("training-mode Dropout is not supported (training_mode is a run-time input)");
            if (t.toLongs()[0] != 0) throw n.error("training-mode Dropout is not supported (training_mode = true)");
        }
    }

    static float dropoutRatio(OnnxNode n) {
        if (n.opset() < 12) return n.getFloat("ratio", 0.5f);
        return n.hasInput(1) ? n.requireConstant(1, "ratio").toFloats()[0] : 0.5f;
    }

    /** Slice bounds: attributes before opset 10, constant inputs since. */
    record SliceBounds(long[] starts, long[] ends, int[] axes, long[] steps) {}

    static SliceBounds slice(OnnxNode n, int rank) {
        long[] starts, ends, steps;
        int[] axes;
        if (n.opset() < 10) {
            starts = longs(n.getInts("starts", null));
            ends = longs(n.getInts("ends", null));
            if (starts == null || ends == null) throw n.error("attributes starts and ends are required");
            List<Integer> a = n.getIntList("axes", null);
            axes = a == null ? null : a.stream().mapToInt(Integer::intValue).toArray();
            steps = null;
        } else {
            starts = n.requireConstant(1, "starts").toLongs();
            ends = n.requireConstant(2, "ends").toLongs();
            axes = n.hasInput(3) ? n.requireConstant(3, "axes").toInts() : null;
            steps = n.hasInput(4) ? n.requireConstant(4, "steps").toLongs() : null;
        }
        if (axes == null) {
            axes = new int[starts.length];
            for (int i = 0; i < axes.length; i++) axes[i] = i;
        }
        if (steps == null) {
            steps = new long[starts.length];
            java.util.Arrays.fill(steps, 1);
        }
        if (ends.length != starts.length || axes.length != starts.length || steps.length != starts.length)
            throw n.error("starts, ends, axes and steps differ in length");
        if (axes.length > rank) throw n.error("more slice axes than input dims");
        return new SliceBounds(starts, ends, axes, steps);
    }

    private static long[] longs(List<Long> l) {
        return l == null ? null : l.stream().mapToLong(Long::longValue).toArray();
    }

    static List<Integer> ints(OnnxNode n, Tensor t) {
        if (!t.dtype().isInteger() || t.shape().rank() > 1) throw n.error("expected a 1-D integer tensor, got " + t);
        List<Integer> r = new ArrayList<>();
        for (long v : t.toLongs()) {
            if (v != (int) v) throw n.error("value " + v + " is out of range");
            r.add((int) v);
        }
        return r;
    }
}
