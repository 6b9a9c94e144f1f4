package nncc.passes.prepare;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.passes.Pass;
import nncc.passes.PassOptions;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Recomputes every node's output types from {@code op.inferTypes}, in graph order, so that a change upstream
 * (new weights, a new input shape) reaches every value. A value whose type changes is replaced everywhere it is
 * read. Quantization parameters the op does not infer itself (a float value's quantization plan, say) are kept.
 * With {@code batch} set, every symbolic dim of the graph inputs is first fixed to that size (backends that need
 * static shapes run {@code infer-shapes{batch=1}}).
 *
 * <pre>{@code
 * // before, run as infer-shapes{batch=1}
 * input %x : f32[?N,8]
 * node @r = Relu (%x) -> (%y : f32[?N,8])
 * node @f = Reshape {shape = [0, 2, -1], allowZero = false} (%y) -> (%z : f32[?N,2,4])
 * // after
 * input %x : f32[1,8]
 * node @r = Relu (%x) -> (%y : f32[1,8])
 * node @f = Reshape {shape = [0, 2, -1], allowZero = false} (%y) -> (%z : f32[1,2,4])
 * }</pre>
 * Cost: one walk over the nodes in order, each op's type inference, and for each changed output a retyping of its
 * readers through the use-def index: O(nodes + edges).
 */
public final class InferShapesPass implements Pass {
    public static final String NAME = "infer-shapes";

    /** {@code batch}: the size every symbolic graph-input dim is fixed to; 0 leaves them symbolic. */
    public record Options(int batch) {
        public Options {
            if (batch < 0) throw new ModelException("infer-shapes: batch must be >= 0, got " + batch);
        }

        public static Options defaults() { return new Options(0); }

        /** From {@code infer-shapes{batch=N}}. */
        public static Options from(PassOptions o) { return new Options((int) o.integer("batch", 0)); }
    }

    private final Options options;

    public InferShapesPass(Options options) { this.options = options; }

    public InferShapesPass() { this(Options.defaults()); }

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.IMPORTED; }

    @Override public Stage produces() { return Stage.SHAPES_INFERRED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("inputs bound", "nodes visited", "types changed");
        if (options.batch() > 0) bindInputs(g, options.batch(), stats);
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i); // re-read: earlier replacements may have rewritten this node's inputs
            stats.inc("nodes visited");
            List<TensorType> inferred;
            try {
                inferred = n.op().inferTypes(n.inputs().stream().map(Value::type).toList());
            } catch (ModelException e) {
                throw e.atNode(n.name());
            }
            if (inferred.size() < n.outputs().size())
                throw n.error("has " + n.outputs().size() + " outputs, the op defines " + inferred.size());
            List<Value> outs = new ArrayList<>(n.outputs());
            boolean changed = false;
            for (int k = 0; k < outs.size(); k++) {
                Value old = outs.get(k);
                TensorType type = keepPlan(inferred.get(k), old.type().quant());
                if (!type.equals(old.type())) {
                    outs.set(k, old.withType(type));
                    changed = true;
                }
            }
            if (!changed) continue;
            g.replaceNode(n, List.of(n.withOutputs(outs)));
            for (int k = 0; k < outs.size(); k++) {
                if (outs.get(k) == n.outputs().get(k)) continue;
                g.replaceAllUses(n.outputs().get(k), outs.get(k));
                stats.inc("types changed");
            }
        }
        return stats.resultChangedBy("inputs bound", "types changed");
    }

    private static void bindInputs(Graph g, int batch, PassResult.Stats stats) {
        List<Value> inputs = new ArrayList<>(g.inputs());
        for (int i = 0; i < inputs.size(); i++) {
            Value v = inputs.get(i);
            if (v.type().shape().isStatic()) continue;
            Value bound = v.withType(v.type().withShape(v.type().shape().bindSymbols(batch)));
            inputs.set(i, bound);
            g.replaceAllUses(v, bound);
            stats.inc("inputs bound");
        }
        g.setInputs(inputs);
    }

    /** The inferred type, with the declared parameters when the op infers none and they still fit the shape. */
    private static TensorType keepPlan(TensorType inferred, QuantParams declared) {
        if (inferred.quant() != null || declared == null) return inferred;
        if (declared.isPerAxis() && (declared.axis() >= inferred.rank()
                || inferred.shape().dim(declared.axis()) != declared.count()))
            return inferred;
        return inferred.withQuant(declared);
    }
}
