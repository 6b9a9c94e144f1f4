package nncc.ir;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a graph is well formed: unique names, every input defined before use, input counts within the op's
 * bounds, every declared output type equal to what the op infers from its inputs, zero points inside their
 * integer type, and no tensor larger than a Java array can hold. Errors name the node.
 */
public final class Verifier {
    /** The most elements one tensor may have (symbolic dims counted as 1): the interpreter's arrays are int-indexed. */
    public static final long MAX_ELEMENTS = Limits.MAX_ELEMENTS;

    private Verifier() {}

    /** Throws a {@link ModelException} naming the first offending node or value. */
    public static void verify(Graph g) {
        Set<String> defined = new HashSet<>();
        Set<String> nodeNames = new HashSet<>();
        for (Value v : g.inputs()) define(defined, v, "graph input");
        for (Graph.Constant c : g.constants()) define(defined, c.value(), "constant");
        for (Node n : g.nodes()) {
            if (!nodeNames.add(n.name())) throw new ModelException(null, n.name(), "duplicate node name");
            for (Value in : n.inputs())
                if (!defined.contains(in.name()))
                    throw n.error("input %" + in.name() + " is not defined before use");
            int count = n.inputs().size();
            if (count < n.op().minInputs() || count > n.op().maxInputs())
                throw n.error("takes " + n.op().minInputs() + (n.op().maxInputs() == Integer.MAX_VALUE ? "+"
                        : ".." + n.op().maxInputs()) + " inputs, got " + count);
            List<TensorType> inferred;
            try {
                inferred = n.op().inferTypes(n.inputs().stream().map(Value::type).toList());
            } catch (ModelException e) {
                throw e.atNode(n.name());
            } catch (RuntimeException e) {
                throw n.error("type inference failed: " + e.getMessage());
            }
            if (n.outputs().size() > inferred.size())
                throw n.error("has " + n.outputs().size() + " outputs, the op defines " + inferred.size());
            for (int i = 0; i < n.outputs().size(); i++) {
                Value o = n.outputs().get(i);
                TensorType want = inferred.get(i);
                TensorType got = o.type();
                if (got.dtype() != want.dtype() || !got.shape().equals(want.shape()))
                    throw n.error("output %" + o.name() + " declared " + got + " but inputs give " + want);
                if (want.quant() != null && !want.quant().equals(got.quant()))
                    throw n.error("output %" + o.name() + " declared " + got + " but the op's attributes give " + want);
                try {
                    define(defined, o, "node output");
                } catch (ModelException e) {
                    throw e.atNode(n.name());
                }
            }
        }
        for (Value v : g.outputs())
            if (!defined.contains(v.name())) throw new ModelException("graph output %" + v.name() + " is never defined");
        for (Node n : g.nodes()) checkWeightBits(g, n);
    }

    /** A lowered linear op's constant weights hold only {@code weightBits}-bit values. */
    private static void checkWeightBits(Graph g, Node n) {
        int bits = switch (n.op()) {
            case nncc.ir.op.QConv c -> c.weightBits();
            case nncc.ir.op.QGemm q -> q.weightBits();
            default -> 8;
        };
        if (bits == 8 || !g.isConstant(n.input(1))) return;
        long lo = -(1L << (bits - 1)), hi = (1L << (bits - 1)) - 1;
        long[] w = g.constantData(n.input(1)).toLongs();
        for (int i = 0; i < w.length; i++)
            if (w[i] < lo || w[i] > hi)
                throw n.error("weight %" + n.input(1).name() + "[" + i + "] = " + w[i] + " does not fit " + bits
                        + " bits [" + lo + ", " + hi + "]");
    }

    /**
     * Whether every node is lowered integer compute, data movement or a representation boundary, on integer
     * values only; float values may appear only as graph inputs read by Quantize and graph outputs written by
     * Dequantize (a float interface). Returns null when the graph is fully lowered, else the reason naming the
     * first node that is not. Backends that read lowered graphs call {@link #requireFullyLowered}.
     */
    public static String firstNotLowered(Graph g) {
        Set<String> graphInputs = new HashSet<>(), graphOutputs = new HashSet<>();
        for (Value v : g.inputs()) graphInputs.add(v.name());
        for (Value v : g.outputs()) graphOutputs.add(v.name());
        for (Node n : g.nodes()) {
            nncc.ir.op.Op op = n.op();
            if (!(op instanceof nncc.ir.op.LoweredOp || op instanceof nncc.ir.op.DataMovementOp
                    || op instanceof nncc.ir.op.BoundaryOp))
                return "node " + n.describe() + " is not lowered (a " + family(op) + ")";
            for (Value in : n.inputs())
                if (!in.type().dtype().isInteger()
                        && !(op instanceof nncc.ir.op.Quantize && graphInputs.contains(in.name())))
                    return "node " + n.describe() + " reads float value %" + in.name() + " (" + in.type() + ")";
            for (Value out : n.outputs())
                if (!out.type().dtype().isInteger()
                        && !(op instanceof nncc.ir.op.Dequantize && graphOutputs.contains(out.name())))
                    return "node " + n.describe() + " writes float value %" + out.name() + " (" + out.type() + ")";
        }
        return null;
    }

    /** Throws a {@link ModelException} naming the first node that keeps the graph from being fully lowered. */
    public static void requireFullyLowered(Graph g) {
        String why = firstNotLowered(g);
        if (why != null) throw new ModelException("graph " + g.name() + " is not fully lowered: " + why);
    }

    private static String family(nncc.ir.op.Op op) {
        return switch (op) {
            case nncc.ir.op.FloatOp f -> "float op";
            case nncc.ir.op.HybridOp h -> "hybrid (dynamic-range) op";
            case nncc.ir.op.OnnxQuantOp o -> "ONNX quantized op, not yet rewritten to nncc's integer ops";
            case nncc.ir.op.LoweredOp l -> "lowered op";
            case nncc.ir.op.DataMovementOp d -> "data movement op";
            case nncc.ir.op.BoundaryOp b -> "boundary op";
        };
    }

    private static void define(Set<String> defined, Value v, String what) {
        if (!defined.add(v.name())) throw new ModelException("value %" + v.name() + " defined twice (" + what + ")");
        checkType(v, what);
    }

    /** A type nncc can hold: within {@link Limits} (elements and --max-tensor-bytes), zero points in range of an integer type. */
    static void checkType(Value v, String what) {
        TensorType t = v.type();
        long n = 1;
        for (int i = 0; i < t.rank(); i++) if (!t.shape().isSymbolic(i)) n = Math.multiplyExact(n, t.shape().dim(i));
        if (!Limits.fits(t.dtype(), n)) Limits.checkTensor(what + " %" + v.name() + " of type " + t, t.dtype(), n);
        QuantParams q = t.quant();
        if (q == null || !t.dtype().isInteger()) return;
        for (int i = 0; i < q.count(); i++) {
            long zp = q.zeroPoint(i);
            if (zp < t.dtype().minValue() || zp > t.dtype().maxValue())
                throw new ModelException(what + " %" + v.name() + " of type " + t + ": zero point " + zp + " is outside "
                        + t.dtype().text() + " [" + t.dtype().minValue() + ", " + t.dtype().maxValue() + "]");
        }
    }
}
