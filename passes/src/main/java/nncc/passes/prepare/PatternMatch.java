package nncc.passes.prepare;

import java.util.List;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.Add;
import nncc.ir.op.Mul;
import nncc.ir.op.Op;
import nncc.ir.op.Sub;

/** Small questions the subgraph-fusing passes ask while walking an exporter's op chain. */
final class PatternMatch {
    private PatternMatch() {}

    /** The single node reading {@code v} (once), when {@code v} is not a graph output; else null. */
    static Node soleReader(Graph g, Value v) {
        if (Uses.isGraphOutput(g, v)) return null;
        List<Node> readers = g.consumers(v);
        if (readers.size() != 1) return null;
        Node r = readers.get(0);
        return r.inputs().stream().filter(i -> i.name().equals(v.name())).count() == 1 ? r : null;
    }

    /** Whether {@code reader} is the single node reading {@code v} (see {@link #soleReader}). */
    static boolean isSoleReader(Graph g, Value v, Node reader) {
        Node r = soleReader(g, v);
        return r != null && r.name().equals(reader.name());
    }

    /** Whether {@code op} is an Add, Sub or Mul without a fused activation, or any other op of {@code type}. */
    static boolean is(Op op, Class<? extends Op> type) {
        if (!type.isInstance(op)) return false;
        return switch (op) {
            case Add a -> a.activation() == Activation.NONE;
            case Sub s -> s.activation() == Activation.NONE;
            case Mul m -> m.activation() == Activation.NONE;
            default -> true;
        };
    }

    /** The operand of binary {@code n} that is not {@code v}, or null when {@code n} does not read {@code v}. */
    static Value other(Node n, Value v) {
        if (n.input(0).name().equals(v.name())) return n.input(1);
        if (n.input(1).name().equals(v.name())) return n.input(0);
        return null;
    }

    /** The value of a one-element float constant, or NaN when {@code v} is not one. */
    static double scalar(Graph g, Value v) {
        Tensor t = g.constantData(v);
        if (t == null || !t.dtype().isFloat() || t.shape().numElements() != 1) return Double.NaN;
        return t.toFloats()[0];
    }

    /** Whether the one-element constant {@code v} is {@code want} within a relative {@code tolerance}. */
    static boolean isScalar(Graph g, Value v, double want, double tolerance) {
        double s = scalar(g, v);
        return !Double.isNaN(s) && Math.abs(s - want) <= tolerance * Math.abs(want);
    }
}
