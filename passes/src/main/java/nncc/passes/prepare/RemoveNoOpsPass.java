package nncc.passes.prepare;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Concat;
import nncc.ir.op.DataMovementOp;
import nncc.ir.op.Dropout;
import nncc.ir.op.Flatten;
import nncc.ir.op.Gather;
import nncc.ir.op.Identity;
import nncc.ir.op.MaxPool;
import nncc.ir.op.Pad;
import nncc.ir.op.Reshape;
import nncc.ir.op.Slice;
import nncc.ir.op.Squeeze;
import nncc.ir.op.Transpose;
import nncc.ir.op.Unsqueeze;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Removes nodes that pass their input through unchanged: Identity, inference Dropout (when its mask output is
 * unused), Reshape, Flatten, Squeeze and Unsqueeze to the input's own shape, Transpose with the identity permutation,
 * Pad with all-zero pads, a Concat of one input, a Slice with unit steps that keeps the whole shape. Readers of the output read the input instead. When the output is a graph output, its name is kept: the
 * input's producer is renamed to write it (impossible, so the node stays, when the input is a graph input, a
 * constant or itself a graph output).
 *
 * <pre>{@code
 * // before
 * node @s = Sigmoid (%x) -> (%s : f32[?N,8])
 * node @d = Dropout {ratio = 0.5} (%s) -> (%d : f32[?N,8])
 * node @r = Relu (%d) -> (%y : f32[?N,8])
 * node @i = Identity (%y) -> (%out : f32[?N,8])
 * output %out
 * // after: the Relu reads the Sigmoid's output and writes the graph output itself
 * node @s = Sigmoid (%x) -> (%s : f32[?N,8])
 * node @r = Relu (%s) -> (%out : f32[?N,8])
 * output %out
 * }</pre>
 * Cost: one walk over the nodes, each removal O(readers) through the graph's use-def index: O(nodes + edges).
 */
public final class RemoveNoOpsPass implements Pass {
    public static final String NAME = "remove-noops";

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.SHAPES_INFERRED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("nodes removed", "graph outputs renamed",
                "kept: graph output fed by an input or constant", "kept: type changes");
        for (Node snapshot : List.copyOf(g.nodes())) {
            Node n = g.nodesByName().get(snapshot.name()); // current version: earlier removals rewire inputs
            if (!isNoOp(g, n)) continue;
            Value in = n.input(0), out = n.output();
            if (!passesTypeThrough(in.type(), out.type())) {
                stats.inc("kept: type changes");
                continue;
            }
            if (!Uses.isGraphOutput(g, out)) {
                g.removeNode(n);
                g.replaceAllUses(out, in);
                stats.inc("nodes removed");
                continue;
            }
            Node producer = g.producer(in);
            if (producer == null || Uses.isGraphOutput(g, in)) {
                stats.inc("kept: graph output fed by an input or constant");
                continue;
            }
            // the producer writes the graph output's name; readers of the old name follow
            Value renamed = out.withType(in.type());
            List<Value> outs = new ArrayList<>(producer.outputs());
            outs.replaceAll(v -> v.name().equals(in.name()) ? renamed : v);
            g.removeNode(n);
            g.replaceNode(producer, List.of(producer.withOutputs(outs)));
            g.replaceAllUses(in, renamed);
            g.replaceAllUses(out, renamed);
            stats.inc("nodes removed");
            stats.inc("graph outputs renamed");
        }
        return stats.resultChangedBy("nodes removed");
    }

    /**
     * Whether {@code n} passes input 0 through to output 0 unchanged (and has no other used output). Only data
     * movement can; the switch over that family is exhaustive, so a new movement op must say when it is a no-op.
     */
    private static boolean isNoOp(Graph g, Node n) {
        if (!(n.op() instanceof DataMovementOp d)) return false;
        return switch (d) {
            case Identity i -> true;
            case Dropout o -> n.outputs().size() == 1 || !Uses.isUsed(g, n.output(1));
            case Reshape r -> sameShape(n);
            case Flatten f -> sameShape(n);
            case Squeeze q -> sameShape(n);
            case Unsqueeze u -> sameShape(n);
            case Transpose t -> {
                for (int i = 0; i < t.perm().size(); i++) if (t.perm().get(i) != i) yield false;
                yield true;
            }
            case Pad p -> p.pads().stream().allMatch(x -> x == 0);
            case Concat c -> n.inputs().size() == 1;
            case Slice s -> sameShape(n) && s.steps().stream().allMatch(x -> x == 1);
            case MaxPool m -> false;
            case Gather x -> false;
        };
    }

    private static boolean sameShape(Node n) { return n.input(0).type().shape().equals(n.output().type().shape()); }

    /** Removal must not lose what the output's type says: a quantization plan the input does not carry. */
    private static boolean passesTypeThrough(TensorType in, TensorType out) {
        return in.dtype() == out.dtype() && in.shape().equals(out.shape())
                && (out.quant() == null || out.quant().equals(in.quant()));
    }
}
