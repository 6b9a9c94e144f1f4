package nncc.passes.prepare;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Value;
import nncc.ir.op.Add;
import nncc.ir.op.Div;
import nncc.ir.op.Erf;
import nncc.ir.op.Gelu;
import nncc.ir.op.Mul;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Rewrites the exact GELU that exporters emit, {@code x * 0.5 * (1 + erf(x / sqrt 2))}, into one Gelu node, so
 * reports and backends see one activation. Matched forms: {@code Div(x, sqrt 2)} or {@code Mul(x, 1/sqrt 2)}, then
 * Erf, {@code Add(., 1)}, and either {@code Mul(Mul(x, .), 0.5)} (torch.onnx) or {@code Mul(Mul(x, 0.5), .)};
 * operands of Add and Mul in either order, constants within 1e-6 relative. Every intermediate value must have the
 * chain's next node as its only reader and must not be a graph output; the Gelu takes the last Mul's name and
 * output value.
 *
 * <pre>{@code
 * // before
 * node @div = Div (%x, %sqrt2) -> (%d : f32[?N,8])
 * node @erf = Erf (%d) -> (%e : f32[?N,8])
 * node @add = Add (%e, %one) -> (%a : f32[?N,8])
 * node @mul = Mul (%x, %a) -> (%m : f32[?N,8])
 * node @half = Mul (%m, %half) -> (%y : f32[?N,8])
 * // after
 * node @half = Gelu {approximate = none} (%x) -> (%y : f32[?N,8])
 * }</pre>
 * Cost: one walk over the nodes; each Erf matches a pattern of bounded size through the use-def index and a match
 * is rewritten by O(degree) edits: O(nodes + edges).
 */
public final class FuseGeluPass implements Pass {
    public static final String NAME = "fuse-gelu";
    private static final double TOLERANCE = 1e-6;

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.SHAPES_INFERRED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("gelus fused", "kept: erf not in a gelu");
        for (Node snapshot : List.copyOf(g.nodes())) {
            if (!(snapshot.op() instanceof Erf)) continue;
            Node erf = g.nodesByName().get(snapshot.name());
            Match m = match(g, erf);
            if (m == null) {
                stats.inc("kept: erf not in a gelu");
                continue;
            }
            List<Node> chain = m.chain();
            Node last = chain.get(chain.size() - 1);
            Value x = m.x();
            for (Node n : chain) if (!n.name().equals(last.name())) g.removeNode(g.nodesByName().get(n.name()));
            g.replaceNode(g.nodesByName().get(last.name()),
                    List.of(new Node(last.name(), new Gelu(Gelu.Approximation.NONE), List.of(x), List.of(last.output()))));
            stats.inc("gelus fused");
        }
        return stats.resultChangedBy("gelus fused");
    }

    /** The GELU's input and its nodes from the first to the final Mul. */
    private record Match(Value x, List<Node> chain) {}

    /** The GELU around {@code erf}, or null when the Erf is not part of one. */
    private static Match match(Graph g, Node erf) {
        Node scale = g.producer(erf.input(0));
        if (scale == null || !PatternMatch.isSoleReader(g, scale.output(), erf)) return null;
        boolean div = PatternMatch.is(scale.op(), Div.class) && PatternMatch.isScalar(g, scale.input(1), Math.sqrt(2), TOLERANCE);
        boolean mul = PatternMatch.is(scale.op(), Mul.class) && (PatternMatch.isScalar(g, scale.input(1), Math.sqrt(0.5), TOLERANCE)
                || PatternMatch.isScalar(g, scale.input(0), Math.sqrt(0.5), TOLERANCE));
        if (!div && !mul) return null;
        Value x = div || PatternMatch.isScalar(g, scale.input(1), Math.sqrt(0.5), TOLERANCE) ? scale.input(0) : scale.input(1);
        if (g.isConstant(x)) return null;
        Node plusOne = PatternMatch.soleReader(g, erf.output());
        if (plusOne == null || !PatternMatch.is(plusOne.op(), Add.class)
                || !PatternMatch.isScalar(g, PatternMatch.other(plusOne, erf.output()), 1, TOLERANCE)) return null;
        Node times = PatternMatch.soleReader(g, plusOne.output());
        if (times == null || !PatternMatch.is(times.op(), Mul.class)) return null;
        Value factor = PatternMatch.other(times, plusOne.output());
        List<Node> chain = new ArrayList<>(List.of(scale, erf, plusOne));
        if (factor.name().equals(x.name())) { // Mul(Mul(x, 1 + erf), 0.5)
            Node half = PatternMatch.soleReader(g, times.output());
            if (half == null || !PatternMatch.is(half.op(), Mul.class)
                    || !PatternMatch.isScalar(g, PatternMatch.other(half, times.output()), 0.5, TOLERANCE)) return null;
            chain.add(times);
            chain.add(half);
            return new Match(x, chain);
        }
        Node halfX = g.producer(factor); // Mul(Mul(x, 0.5), 1 + erf)
        if (halfX == null || !PatternMatch.is(halfX.op(), Mul.class) || !PatternMatch.isSoleReader(g, factor, times)) return null;
        Value o = PatternMatch.other(halfX, x);
        if (o == null || !PatternMatch.isScalar(g, o, 0.5, TOLERANCE)) return null;
        chain.add(0, halfX);
        chain.add(times);
        return new Match(x, chain);
    }
}
