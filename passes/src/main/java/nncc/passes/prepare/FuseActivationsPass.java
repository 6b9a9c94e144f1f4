package nncc.passes.prepare;

import java.util.List;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.Clip;
import nncc.ir.op.FusedActivation;
import nncc.ir.op.Op;
import nncc.ir.op.Relu;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Fuses a Relu, or a Clip to [0, 6], [0, inf) or [-1, 1], into the Conv, ConvTranspose, Gemm, Add, Sub or Mul that
 * produces its input, as that op's {@code activation} (TFLite's fused activation functions; integer lowering turns
 * it into clamp bounds). The producer then writes the activation's output value, so its name (and any range or
 * graph output attached to it) survives. Fires only when the activation is the producer's only reader, the
 * producer's output is not a graph output, the producer has no activation yet and the value is a float.
 *
 * <pre>{@code
 * // before
 * node @add = Add (%a, %b) -> (%s : f32[1,8])
 * node @clip = Clip {min = 0.0, max = 6.0} (%s) -> (%y : f32[1,8])
 * // after
 * node @add = Add {activation = relu6} (%a, %b) -> (%y : f32[1,8])
 * }</pre>
 * Cost: one walk over the nodes; each fusion is a removal and a one-node replacement, O(degree) through the
 * use-def index: O(nodes + edges).
 */
public final class FuseActivationsPass implements Pass {
    public static final String NAME = "fuse-activations";

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.SHAPES_INFERRED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("activations fused", "kept: clip bounds",
                "kept: producer op", "kept: producer output has other readers", "kept: producer has an activation");
        for (Node snapshot : List.copyOf(g.nodes())) {
            Activation act = activationOf(snapshot.op());
            if (act == null) {
                if (snapshot.op() instanceof Clip) stats.inc("kept: clip bounds");
                continue;
            }
            Node n = g.nodesByName().get(snapshot.name());
            Value x = n.input(0);
            Node p = g.producer(x);
            if (p == null || !x.type().dtype().isFloat() || !canCarryActivation(p.op())) {
                stats.inc("kept: producer op");
                continue;
            }
            if (!Uses.onlyReader(g, x, n)) {
                stats.inc("kept: producer output has other readers");
                continue;
            }
            if (activation(p.op()) != Activation.NONE) {
                stats.inc("kept: producer has an activation");
                continue;
            }
            Node fused = new Node(p.name(), withActivation(p.op(), act), p.inputs(),
                    p.outputs().stream().map(v -> v.name().equals(x.name()) ? n.output() : v).toList());
            g.removeNode(n);
            g.replaceNode(p, List.of(fused));
            stats.inc("activations fused");
        }
        return stats.resultChangedBy("activations fused");
    }

    /** The activation a Relu or Clip node computes, or null when it is neither or its bounds match none. */
    private static Activation activationOf(Op op) {
        Activation a = switch (op) {
            case Relu r -> Activation.RELU;
            case Clip c -> Activation.ofBounds(c.min(), c.max());
            default -> null;
        };
        return a == Activation.NONE ? null : a;
    }

    private static boolean canCarryActivation(Op op) { return op instanceof FusedActivation; }

    private static Activation activation(Op op) { return ((FusedActivation) op).activation(); }

    private static Op withActivation(Op op, Activation a) { return ((FusedActivation) op).withActivation(a); }
}
