package nncc.passes.quant;

import java.util.List;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.QuantizeLinear;
import nncc.passes.Pass;
import nncc.passes.PassResult;

/**
 * Turns a QuantizeLinear of constant data (a fake-quantized weight: PyTorch exports a QAT model before {@code convert}
 * with its weights as float constants behind QuantizeLinear/DequantizeLinear) into the integer constant it computes,
 * under the QuantizeLinear's output name, so the DequantizeLinear after it reads integer weights as in any
 * pre-quantized model and {@code lower-qdq} takes them as they are. The codes are those ONNX defines,
 * {@code saturate(round_half_even(x / scale) + zero_point)} in float32, computed by the CPU interpreter's
 * QuantizeLinear kernel on a graph of that one node, so they are the codes ONNX Runtime's fake-quant computes at run
 * time. A QuantizeLinear with a run-time input is not touched; constants nobody reads any more are removed.
 *
 * <pre>{@code
 * // before
 * const %w : f32[2,1,1,1] = [0.3, -0.26]
 * const %s : f32[1] = [0.01]
 * const %z : i8[1] = [0]
 * node @wq = QuantizeLinear {axis = 1, outType = i8} (%w, %s, %z) -> (%wq : i8[2,1,1,1])
 * node @wdq = DequantizeLinear {axis = 1} (%wq, %s, %z) -> (%wf : f32[2,1,1,1])
 * // after
 * const %wq : i8[2,1,1,1] = [30, -26]
 * node @wdq = DequantizeLinear {axis = 1} (%wq, %s, %z) -> (%wf : f32[2,1,1,1])
 * }</pre>
 *
 * Cost: one interpreter run per folded node, linear in the weight's size.
 */
public final class FoldWeightQuantizePass implements Pass {
    public static final String NAME = "fold-weight-quantize";

    @Override public String name() { return NAME; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("weights quantized", "constants removed");
        for (Node n : List.copyOf(g.nodes())) { // a snapshot: folding removes nodes
            if (!(n.op() instanceof QuantizeLinear) || !n.inputs().stream().allMatch(g::isConstant)) continue;
            Graph one = new Graph(n.name());
            for (Value v : n.inputs()) {
                Graph.Constant c = g.constant(v.name());
                one.addConstant(v.name(), c.data(), c.value().type().quant());
            }
            one.addNode(n);
            one.setOutputs(n.outputs());
            Tensor codes = new Interpreter(one).run(List.of()).get(0);
            g.removeNode(n);
            g.addConstant(n.output().name(), codes);
            stats.inc("weights quantized");
        }
        stats.add("constants removed", g.removeUnusedConstants());
        return stats.resultChangedBy("weights quantized");
    }
}
