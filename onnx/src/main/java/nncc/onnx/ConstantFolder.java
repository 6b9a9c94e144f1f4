package nncc.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.op.Flatten;
import nncc.ir.op.Reshape;
import nncc.ir.op.Shapes;
import nncc.ir.op.Squeeze;
import nncc.ir.op.Unsqueeze;

/**
 * The import-time partial evaluator: a node of a folding op whose inputs are all known (constants, or shape
 * vectors with symbolic entries from {@code Shape} of a symbolic-batch value) is evaluated here and defines its
 * outputs as known values instead of emitting IR nodes. This removes the Shape/Gather/Unsqueeze/Concat/Reshape
 * chains exporters emit and folds layout ops applied to weights.
 */
final class ConstantFolder {
    private ConstantFolder() {}

    /** Ops folded when all inputs are known; Shape, Cast, Slice, ConstantOfShape and Range have no IR record at all. */
    static final Set<String> FOLDABLE = Set.of("Shape", "Cast", "Slice", "ConstantOfShape", "Range", "Gather",
            "Unsqueeze", "Squeeze", "Concat", "Add", "Sub", "Mul", "Div", "Reshape", "Identity", "Dropout",
            "Transpose", "Flatten");

    /** Folds the node when it can be; false when some input is only known at run time. */
    static boolean tryFold(OnnxNode n) {
        String op = n.opType();
        if (!FOLDABLE.contains(op)) return false;
        if (op.equals("Shape")) {
            foldShape(n);
            return true;
        }
        List<Object> in = new ArrayList<>();
        for (int i = 0; i < n.inputCount(); i++) {
            if (!n.hasInput(i)) { in.add(null); continue; }
            Object k = n.known(i);
            if (k == null) return false;
            in.add(k);
        }
        if (in.isEmpty()) return false;
        fold(n, in);
        return true;
    }

    private static void foldShape(OnnxNode n) {
        Shape s = n.inputType(0).shape();
        int r = s.rank();
        long start = n.getInt("start", 0), end = n.getInt("end", r);
        if (start < 0) start += r;
        if (end < 0) end += r;
        start = Math.clamp(start, 0, r);
        end = Math.clamp(end, 0, r);
        n.defineOutput(0, SymbolicInts.shapeOf(s, (int) start, (int) Math.max(start, end)));
    }

    private static void fold(OnnxNode n, List<Object> in) {
        Object x = in.isEmpty() ? null : in.get(0);
        Object result = switch (n.opType()) {
            case "Identity" -> x;
            case "Dropout" -> foldDropout(n, x);
            case "Transpose" -> x instanceof Tensor t ? TensorOps.transpose(t, OpInputs.transposePerm(n, t.shape().rank())) : x;
            case "Flatten" -> reshapeLike(n, x, new Flatten(n.getIntAttr("axis", 1)).inferTypes(List.of(typeOf(x))).get(0));
            case "Unsqueeze" -> reshapeLike(n, x, new Unsqueeze(OpInputs.unsqueezeAxes(n)).inferTypes(List.of(typeOf(x))).get(0));
            case "Squeeze" -> reshapeLike(n, x, new Squeeze(OpInputs.squeezeAxes(n)).inferTypes(List.of(typeOf(x))).get(0));
            case "Reshape" -> foldReshape(n, x, in.size() > 1 ? in.get(1) : null);
            case "Gather" -> foldGather(n, x, in.get(1));
            case "Concat" -> foldConcat(n, in);
            case "Cast" -> foldCast(n, x);
            case "Slice" -> foldSlice(n, x);
            case "Add", "Sub", "Mul", "Div" -> foldArithmetic(n, x, in.get(1));
            case "ConstantOfShape" -> foldConstantOfShape(n, x);
            case "Range" -> TensorOps.range(tensor(n, in.get(0)), tensor(n, in.get(1)), tensor(n, in.get(2)));
            default -> throw n.error("no folding rule");
        };
        n.defineOutput(0, result);
    }

    private static TensorType typeOf(Object k) {
        return k instanceof Tensor t ? t.type() : ((SymbolicInts) k).type();
    }

    private static Tensor tensor(OnnxNode n, Object k) {
        if (k instanceof Tensor t) return t;
        throw n.error("cannot fold over the run-time shape vector " + k);
    }

    private static Object foldDropout(OnnxNode n, Object x) {
        OpInputs.requireInferenceDropout(n);
        if (n.hasOutput(1)) {
            Shape s = typeOf(x).shape();
            long[] ones = new long[TensorOps.foldedCount(s)];
            java.util.Arrays.fill(ones, 1);
            n.defineOutput(1, Tensor.ofLongs(DType.BOOL, s, ones));
        }
        return x;
    }

    /** A value with new dims but the same elements (Flatten, Unsqueeze, Squeeze, Reshape). */
    private static Object reshapeLike(OnnxNode n, Object x, TensorType out) {
        if (x instanceof Tensor t) return t.reshape(out.shape());
        SymbolicInts s = (SymbolicInts) x;
        if (out.rank() > 1) throw n.error("cannot fold over the run-time shape vector " + s + " (result rank " + out.rank() + ")");
        return s.withDims(out.rank() == 0, s.dims());
    }

    private static Object foldReshape(OnnxNode n, Object x, Object shape) {
        List<Long> target;
        if (n.opset() < 5) {
            target = n.getInts("shape", null);
            if (target == null) throw n.error("attribute shape is required");
        } else {
            target = new ArrayList<>();
            for (long v : tensor(n, shape).toLongs()) target.add(v);
        }
        boolean allowZero = n.getInt("allowzero", 0) != 0;
        return reshapeLike(n, x, TensorType.of(typeOf(x).dtype(), new Reshape(target, allowZero).outputShape(typeOf(x).shape())));
    }

    private static Object foldGather(OnnxNode n, Object data, Object indices) {
        int axis = n.getIntAttr("axis", 0);
        Tensor idx = tensor(n, indices);
        if (data instanceof Tensor t) return TensorOps.gather(t, idx, axis);
        SymbolicInts s = (SymbolicInts) data;
        if (s.scalar() || idx.shape().rank() > 1 || Shapes.axis(axis, 1) != 0)
            throw n.error("cannot fold Gather over the run-time shape vector " + s + " with indices " + idx);
        List<SymbolicInts.Dim> picked = new ArrayList<>();
        int size = s.dims().size();
        for (long i : idx.toLongs()) {
            long j = i < 0 ? i + size : i;
            if (j < 0 || j >= size) throw n.error("gather index " + i + " out of range for " + s);
            picked.add(s.dims().get((int) j));
        }
        return s.withDims(idx.shape().rank() == 0, picked);
    }

    private static Object foldConcat(OnnxNode n, List<Object> inputs) {
        int axis = OpInputs.concatAxis(n);
        List<Object> in = inputs.stream().filter(java.util.Objects::nonNull).toList();
        if (in.stream().allMatch(k -> k instanceof Tensor)) return TensorOps.concat(in.stream().map(k -> (Tensor) k).toList(), axis);
        List<SymbolicInts.Dim> all = new ArrayList<>();
        DType dtype = null;
        for (Object k : in) {
            SymbolicInts s = k instanceof Tensor t ? SymbolicInts.of(t) : (SymbolicInts) k;
            if (s == null || s.scalar()) throw n.error("cannot fold Concat of " + in + " (mixing shape vectors with other tensors)");
            if (dtype != null && dtype != s.dtype()) throw n.error("Concat inputs differ in type: " + in);
            dtype = s.dtype();
            all.addAll(s.dims());
        }
        if (Shapes.axis(axis, 1) != 0) throw n.error("Concat of shape vectors needs axis 0, got " + axis);
        return new SymbolicInts(dtype, false, all);
    }

    private static Object foldCast(OnnxNode n, Object x) {
        if (!n.has("to")) throw n.error("attribute to is required");
        DType to;
        try {
            to = OnnxTypes.dtype(n.getIntAttr("to", 0));
        } catch (nncc.ir.ModelException e) {
            throw n.error("attribute to: " + e.getMessage());
        }
        if (x instanceof Tensor t) return TensorOps.cast(t, to);
        SymbolicInts s = (SymbolicInts) x;
        if (!to.isInteger()) throw n.error("cannot cast the run-time shape vector " + s + " to " + to.text());
        return new SymbolicInts(to, s.scalar(), s.dims());
    }

    private static Object foldSlice(OnnxNode n, Object x) {
        OpInputs.SliceBounds b = OpInputs.slice(n, typeOf(x).rank());
        if (x instanceof Tensor t) return TensorOps.slice(t, b.starts(), b.ends(), b.axes(), b.steps());
        SymbolicInts s = (SymbolicInts) x;
        if (s.scalar()) throw n.error("cannot slice a scalar");
        List<SymbolicInts.Dim> d = s.dims();
        if (b.axes().length == 0) return s;
        long[] range = TensorOps.sliceRange(d.size(), b.starts()[0], b.ends()[0], b.steps()[0]);
        List<SymbolicInts.Dim> out = new ArrayList<>();
        for (long i = 0; i < range[1]; i++) out.add(d.get((int) (range[0] + i * b.steps()[0])));
        return s.withDims(false, out);
    }

    private static Object foldArithmetic(OnnxNode n, Object a, Object b) {
        if (n.opset() < 7 && n.getInt("broadcast", 0) == 1 && n.has("axis") && b instanceof Tensor tb) {
            Shape legacy = ElementwiseImporters.legacyBroadcastShape(n, typeOf(a).shape(), tb.shape());
            b = tb.reshape(legacy);
        }
        if (a instanceof Tensor ta && b instanceof Tensor tb) return TensorOps.arithmetic(n.opType(), ta, tb);
        SymbolicInts sa = a instanceof Tensor ta ? SymbolicInts.of(ta) : (SymbolicInts) a;
        SymbolicInts sb = b instanceof Tensor tb ? SymbolicInts.of(tb) : (SymbolicInts) b;
        if (sa == null || sb == null) throw n.error("cannot fold " + n.opType() + " of " + a + " and " + b);
        try {
            return SymbolicInts.arithmetic(n.opType(), sa, sb);
        } catch (IllegalArgumentException e) {
            throw n.error(e.getMessage());
        }
    }

    private static Object foldConstantOfShape(OnnxNode n, Object shape) {
        if (shape instanceof SymbolicInts s)
            throw n.error("run-time shape " + s + " is not supported; ConstantOfShape must fold to a constant");
        long[] dims = ((Tensor) shape).toLongs();
        var attr = n.attribute("value");
        Tensor value = attr == null ? Tensor.scalar(0f) : OnnxTensors.fromProto(attr.getT());
        return TensorOps.fill(Shape.of(dims), value);
    }
}
