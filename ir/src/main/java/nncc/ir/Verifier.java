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
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

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
    }

    private static void define(Set<String> defined, Value v, String what) {
        if (!defined.add(v.name())) throw new ModelException("value %" + v.name() + " defined twice (" + what + ")");
        checkType(v, what);
    }

    /** A type nncc can hold: at most {@link #MAX_ELEMENTS} elements, zero points in range of an integer type. */
    static void checkType(Value v, String what) {
        TensorType t = v.type();
        long n = 1;
        for (int i = 0; i < t.rank(); i++) if (!t.shape().isSymbolic(i)) n = Math.multiplyExact(n, t.shape().dim(i));
        if (n > MAX_ELEMENTS)
            throw new ModelException(what + " %" + v.name() + " of type " + t + " has " + n + " elements, more than nncc supports ("
                    + MAX_ELEMENTS + ")");
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
