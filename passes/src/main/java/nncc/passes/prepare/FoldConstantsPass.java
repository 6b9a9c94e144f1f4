package nncc.passes.prepare;

import java.util.List;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Dequantize;
import nncc.ir.op.DequantizeLinear;
import nncc.ir.op.Op;
import nncc.ir.op.Quantize;
import nncc.ir.op.QuantizeLinear;
import nncc.passes.Pass;
import nncc.passes.PassOptions;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Evaluates every node whose inputs are all constants with the CPU interpreter (on a graph of that one node,
 * so the folded numbers are exactly what the interpreter would compute at run time) and turns its outputs into
 * constants of the same names; constants nobody reads any more are removed. Chains fold in one run. Quantize and
 * dequantize ops are kept unless {@code foldQuantization} (folding a DequantizeLinear of int8 weights would turn a
 * quantized model back into a float one), and so are outputs larger than {@code maxElements}.
 *
 * <pre>{@code
 * // before
 * const %a : f32[2] = [1.0, -2.0]
 * const %b : f32[2] = [0.5, 0.5]
 * node @add = Add (%a, %b) -> (%s : f32[2])
 * node @relu = Relu (%s) -> (%r : f32[2])
 * node @mul = Mul (%x, %r) -> (%y : f32[2])
 * // after
 * const %r : f32[2] = [1.5, 0.0]
 * node @mul = Mul (%x, %r) -> (%y : f32[2])
 * }</pre>
 * Cost: one walk over the nodes; each node whose inputs are all constant runs once on the CPU reference (its
 * kernel's cost, bounded by the output-size limit) and is removed in O(degree): O(nodes + folded work).
 */
public final class FoldConstantsPass implements Pass {
    public static final String NAME = "fold-constants";

    /** {@code maxElements}: largest output (total elements of a node's outputs) to fold. */
    public record Options(long maxElements, boolean foldQuantization) {
        public Options {
            if (maxElements < 1) throw new ModelException("fold-constants: max-elements must be >= 1, got " + maxElements);
        }

        public static Options defaults() { return new Options(1L << 24, false); }

        /** From {@code fold-constants{max-elements=N, fold-quantization=true}}. */
        public static Options from(PassOptions o) {
            Options d = defaults();
            return new Options(o.integer("max-elements", d.maxElements()), o.flag("fold-quantization", d.foldQuantization()));
        }
    }

    private final Options options;

    public FoldConstantsPass(Options options) { this.options = options; }

    public FoldConstantsPass() { this(Options.defaults()); }

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.SHAPES_INFERRED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("nodes folded", "constants removed",
                "kept: quantization op", "kept: output too large", "kept: no CPU kernel");
        for (Node n : List.copyOf(g.nodes())) { // a snapshot: folding removes nodes
            if (n.inputs().isEmpty() || !n.inputs().stream().allMatch(g::isConstant)) continue;
            if (!options.foldQuantization() && isQuantization(n.op())) {
                stats.inc("kept: quantization op");
                continue;
            }
            if (outputElements(n) > options.maxElements()) {
                stats.inc("kept: output too large");
                continue;
            }
            Interpreter interpreter;
            try {
                interpreter = new Interpreter(singleNodeGraph(g, n));
            } catch (ModelException e) {
                stats.inc("kept: no CPU kernel");
                continue;
            }
            List<Tensor> results = interpreter.run(List.of()); // an evaluation error is a real error of the model
            g.removeNode(n);
            for (int k = 0; k < results.size(); k++) {
                Value out = n.outputs().get(k);
                g.addConstant(out.name(), results.get(k), out.type().quant());
            }
            stats.inc("nodes folded");
        }
        stats.add("constants removed", g.removeUnusedConstants());
        return stats.resultChangedBy("nodes folded", "constants removed");
    }

    private static boolean isQuantization(Op op) {
        return op instanceof QuantizeLinear || op instanceof DequantizeLinear || op instanceof Quantize
                || op instanceof Dequantize;
    }

    private static long outputElements(Node n) {
        long total = 0;
        for (Value v : n.outputs()) {
            Shape s = v.type().shape();
            if (!s.isStatic()) return Long.MAX_VALUE;
            total += s.numElements();
        }
        return total;
    }

    private static Graph singleNodeGraph(Graph g, Node n) {
        Graph one = new Graph(n.name());
        for (Value v : n.inputs()) {
            Graph.Constant c = g.constant(v.name());
            one.addConstant(v.name(), c.data(), c.value().type().quant());
        }
        one.addNode(n);
        one.setOutputs(n.outputs());
        return one;
    }
}
