package nncc.passes.prepare;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Add;
import nncc.ir.op.Div;
import nncc.ir.op.LayerNormalization;
import nncc.ir.op.Mul;
import nncc.ir.op.Pow;
import nncc.ir.op.ReduceMean;
import nncc.ir.op.Sqrt;
import nncc.ir.op.Sub;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Rewrites the layer normalization that exporters emit before opset 17 into one LayerNormalization node:
 * {@code m = ReduceMean(x)}, {@code d = Sub(x, m)}, {@code Pow(d, 2)} (or {@code Mul(d, d)}), {@code v = ReduceMean},
 * {@code Add(v, eps)}, Sqrt, {@code Div(d, .)}, then optionally {@code Mul(., scale)} and {@code Add(., bias)} with
 * constant scale and bias that broadcast to the normalized dims. Both ReduceMeans keep dims and reduce the same
 * trailing dims {@code axis..rank-1}; {@code d} is read by exactly the Pow and the Div; every other intermediate value
 * has the chain's next node as its only reader and no value but the last is a graph output. Without a Mul the scale
 * is a new constant of ones. The node takes the last matched node's name and output value.
 *
 * <pre>{@code
 * // before
 * node @mean = ReduceMean {axes = [-1], keepDims = true} (%x) -> (%m : f32[?N,4,1])
 * node @sub = Sub (%x, %m) -> (%d : f32[?N,4,8])
 * node @pow = Pow (%d, %two) -> (%p : f32[?N,4,8])
 * node @var = ReduceMean {axes = [-1], keepDims = true} (%p) -> (%v : f32[?N,4,1])
 * node @add = Add (%v, %eps) -> (%ve : f32[?N,4,1])
 * node @sqrt = Sqrt (%ve) -> (%s : f32[?N,4,1])
 * node @div = Div (%d, %s) -> (%n : f32[?N,4,8])
 * node @mul = Mul (%n, %gamma) -> (%g : f32[?N,4,8])
 * node @bias = Add (%g, %beta) -> (%y : f32[?N,4,8])
 * // after
 * node @bias = LayerNormalization {axis = 2, epsilon = 1.0E-5} (%x, %gamma, %beta) -> (%y : f32[?N,4,8])
 * }</pre>
 * Cost: one walk over the nodes; each ReduceMean matches a pattern of bounded size through the use-def index and
 * a match is rewritten by O(degree) edits, so O(nodes + edges), plus one sweep of unused constants.
 */
public final class FuseLayerNormPass implements Pass {
    public static final String NAME = "fuse-layer-norm";

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.SHAPES_INFERRED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("layer norms fused");
        for (Node snapshot : List.copyOf(g.nodes())) {
            Node mean = g.nodesByName().get(snapshot.name());
            if (mean == null || !(mean.op() instanceof ReduceMean)) continue;
            Match m = match(g, mean);
            if (m == null) continue;
            Node last = m.chain().get(m.chain().size() - 1);
            List<Value> inputs = new ArrayList<>(List.of(mean.input(0), m.scale() != null ? m.scale() : ones(g, mean, m.axis())));
            if (m.bias() != null) inputs.add(m.bias());
            for (Node n : m.chain()) if (!n.name().equals(last.name())) g.removeNode(g.nodesByName().get(n.name()));
            g.replaceNode(g.nodesByName().get(last.name()),
                    List.of(new Node(last.name(), new LayerNormalization(m.axis(), m.epsilon()), inputs, List.of(last.output()))));
            stats.inc("layer norms fused");
        }
        g.removeUnusedConstants();
        return stats.resultChangedBy("layer norms fused");
    }

    /** A matched chain (from the first ReduceMean to the last node) and what the LayerNormalization takes. */
    private record Match(List<Node> chain, int axis, float epsilon, Value scale, Value bias) {}

    private static Match match(Graph g, Node mean) {
        Value x = mean.input(0);
        int rank = x.type().rank();
        int axis = normalizedFrom(mean, rank);
        if (axis < 0 || g.isConstant(x)) return null;
        Node sub = PatternMatch.soleReader(g, mean.output());
        if (sub == null || !PatternMatch.is(sub.op(), Sub.class) || !sub.input(0).name().equals(x.name())) return null;
        Value d = sub.output();
        if (Uses.isGraphOutput(g, d)) return null;
        List<Node> readers = g.consumers(d);
        if (readers.size() != 2) return null;
        Node square = null, div = null;
        for (Node r : readers) {
            if (PatternMatch.is(r.op(), Div.class) && r.input(0).name().equals(d.name())) div = r;
            else if (PatternMatch.is(r.op(), Pow.class) && r.input(0).name().equals(d.name()) && PatternMatch.isScalar(g, r.input(1), 2, 0)) square = r;
            else if (PatternMatch.is(r.op(), Mul.class) && r.input(0).name().equals(d.name()) && r.input(1).name().equals(d.name())) square = r;
        }
        if (square == null || div == null) return null;
        Node var = PatternMatch.soleReader(g, square.output());
        if (var == null || !(var.op() instanceof ReduceMean) || normalizedFrom(var, rank) != axis) return null;
        Node addEps = PatternMatch.soleReader(g, var.output());
        if (addEps == null || !PatternMatch.is(addEps.op(), Add.class)) return null;
        double eps = PatternMatch.scalar(g, PatternMatch.other(addEps, var.output()));
        if (Double.isNaN(eps) || eps < 0) return null;
        Node sqrt = PatternMatch.soleReader(g, addEps.output());
        if (sqrt == null || !(sqrt.op() instanceof Sqrt)) return null;
        if (!PatternMatch.isSoleReader(g, sqrt.output(), div) || !div.input(1).name().equals(sqrt.output().name())) return null;
        List<Node> chain = new ArrayList<>(List.of(mean, sub, square, var, addEps, sqrt, div));
        Value scale = null, bias = null;
        Node mul = PatternMatch.soleReader(g, div.output());
        if (mul != null && PatternMatch.is(mul.op(), Mul.class)) {
            scale = parameter(g, PatternMatch.other(mul, div.output()), x.type().shape(), axis);
            if (scale != null) {
                chain.add(mul);
                Node add = PatternMatch.soleReader(g, mul.output());
                if (add != null && PatternMatch.is(add.op(), Add.class)) {
                    bias = parameter(g, PatternMatch.other(add, mul.output()), x.type().shape(), axis);
                    if (bias != null) chain.add(add);
                }
            }
        }
        return new Match(chain, axis, (float) eps, scale, bias);
    }

    /** The first reduced axis when a keep-dims ReduceMean reduces exactly the dims {@code axis..rank-1}; else -1. */
    private static int normalizedFrom(Node n, int rank) {
        ReduceMean r = (ReduceMean) n.op();
        if (!r.keepDims()) return -1;
        List<Integer> axes = r.reducedAxes(rank);
        if (axes.isEmpty() || axes.get(axes.size() - 1) != rank - 1 || axes.get(axes.size() - 1) - axes.get(0) != axes.size() - 1) return -1;
        return axes.get(0);
    }

    /** A float constant broadcasting to the normalized dims (leading 1s dropped), or null. */
    private static Value parameter(Graph g, Value v, Shape x, int axis) {
        Tensor t = g.constantData(v);
        if (t == null || !t.dtype().isFloat()) return null;
        Shape s = t.shape();
        int lead = 0;
        while (s.rank() - lead > x.rank() - axis) {
            if (s.dim(lead) != 1) return null;
            lead++;
        }
        for (int i = lead; i < s.rank(); i++) {
            long want = x.dim(x.rank() - s.rank() + i);
            if (s.dim(i) != 1 && s.dim(i) != want) return null;
        }
        if (lead == 0) return v;
        long[] dims = java.util.Arrays.copyOfRange(s.dims(), lead, s.rank());
        return g.addConstant(g.freshName(v.name() + "_normalized"), t.reshape(Shape.of(dims)));
    }

    /** A scale of ones over the normalized dims, for a chain without a Mul. */
    private static Value ones(Graph g, Node mean, int axis) {
        Shape x = mean.input(0).type().shape();
        long[] dims = java.util.Arrays.copyOfRange(x.dims(), axis, x.rank());
        float[] v = new float[Math.toIntExact(Shape.of(dims).numElements())];
        java.util.Arrays.fill(v, 1f);
        return g.addConstant(g.freshName(mean.name() + "_scale"), Tensor.ofFloats(Shape.of(dims), v));
    }
}
