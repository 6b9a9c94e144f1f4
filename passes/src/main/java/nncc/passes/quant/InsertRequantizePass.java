package nncc.passes.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Concat;
import nncc.ir.op.Identity;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Decides where integer values change parameters, after {@code fold-scales} and before {@code lower-integer}: an op
 * whose integer rule needs its inputs on its output's grid (Concat, as TFLite's int8 spec requires equal
 * parameters) gets, on each input whose plan differs from the output's (a constant without a plan included), an
 * {@code Identity} whose output carries the output's plan: a requantization point. {@code lower-integer} turns such
 * an Identity into a {@code Requantize} with the multiplier and shift it computes, and refuses a Concat whose inputs
 * still differ. The float graph computes the same values as before (Identity is a no-op in float); the plans now
 * say, value by value, where the integer graph rescales.
 *
 * <pre>{@code
 * // before: %b's plan differs from the Concat's output plan
 * node @cat = Concat {axis = 1} (%a, %b) -> (%y : f32[1,4]{scale = 0.1, zp = 0})      // %b: {scale = 0.05, zp = 4}
 * // after
 * node @b.requantize = Identity (%b) -> (%b.rq : f32[1,2]{scale = 0.1, zp = 0})
 * node @cat = Concat {axis = 1} (%a, %b.rq) -> (%y : f32[1,4]{scale = 0.1, zp = 0})
 * }</pre>
 * Cost: one walk over the nodes and their inputs, O(nodes + edges), plus the graph's index updates per insertion.
 */
public final class InsertRequantizePass implements Pass {
    public static final String NAME = "insert-requantize";

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.SCALES_FOLDED; }

    @Override public Stage produces() { return Stage.REQUANT_INSERTED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("requantize points inserted");
        List<Node> out = new ArrayList<>(g.nodes().size());
        FreshNames names = new FreshNames(g);
        Map<String, Value> made = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Concat && n.output().type().quant() != null) {
                QuantParams target = n.output().type().quant();
                List<Value> ins = new ArrayList<>();
                for (Value v : n.inputs()) {
                    if (!v.type().dtype().isFloat() || Objects.equals(v.type().quant(), target)) { ins.add(v); continue; }
                    String key = v.name() + " " + target;
                    Value r = made.get(key);
                    if (r == null) {
                        r = new Value(names.fresh(v.name() + ".rq"), new TensorType(v.type().dtype(), v.type().shape(), target));
                        out.add(new Node(names.fresh(v.name() + ".requantize"), new Identity(), List.of(v), List.of(r)));
                        made.put(key, r);
                        stats.inc("requantize points inserted");
                    }
                    ins.add(r);
                }
                out.add(new Node(n.name(), n.op(), ins, n.outputs()));
            } else {
                out.add(n);
            }
        }
        g.setNodes(out);
        return stats.result();
    }
}
