package nncc.passes.quant;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.DequantizeLinear;
import nncc.ir.op.Dropout;
import nncc.ir.op.Flatten;
import nncc.ir.op.Identity;
import nncc.ir.op.MaxPool;
import nncc.ir.op.Op;
import nncc.ir.op.QuantizeLinear;
import nncc.ir.op.Relu;
import nncc.ir.op.Reshape;
import nncc.ir.op.Squeeze;
import nncc.ir.op.Transpose;
import nncc.ir.op.Unsqueeze;
import nncc.passes.Pass;
import nncc.passes.PassResult;

/**
 * Gives an op that keeps its input's quantization (Relu, MaxPool, Flatten, Reshape, Transpose, Squeeze, Unsqueeze,
 * Identity, Dropout) a QuantizeLinear/DequantizeLinear pair with its input's parameters when it reads a per-tensor
 * DequantizeLinear and its result is not quantized. PyTorch's QAT export has such ops: eager mode gives an unfused
 * {@code nn.ReLU} no fake-quant of its own and {@code torch.flatten} none either, because their quantized forms keep
 * the input's scale and zero point. The pair is exact: every value such an op outputs is one of its input's
 * dequantized codes (or, for Relu, 0 = the dequantized zero point), and ONNX's QuantizeLinear of a dequantized code
 * with the same parameters is that code ({@code rint((k - zp) * s / s) = k - zp} for |k - zp| < 2^16 in float32).
 * {@code lower-qdq} then lowers the op with the others (a Relu after a lowered conv joins its clamp). Ops whose result
 * is a graph output are left alone (the model's interface stays as it is); chains are handled in one run.
 *
 * <pre>{@code
 * // before
 * node @dq = DequantizeLinear {axis = 1} (%xq, %s, %z) -> (%xf : f32[1,4])
 * node @relu = Relu (%xf) -> (%r : f32[1,4])
 * node @mm = MatMul (%r, %wf) -> (%y : f32[1,2])
 * // after
 * node @dq = DequantizeLinear {axis = 1} (%xq, %s, %z) -> (%xf : f32[1,4])
 * node @relu = Relu (%xf) -> (%r : f32[1,4])
 * node @relu.quantize = QuantizeLinear {axis = 1, outType = u8} (%r, %s, %z) -> (%r.q : u8[1,4])
 * node @relu.dequantize = DequantizeLinear {axis = 1} (%r.q, %s, %z) -> (%r.dq : f32[1,4])
 * node @mm = MatMul (%r.dq, %wf) -> (%y : f32[1,2])
 * }</pre>
 *
 * Cost: linear in the number of nodes.
 */
public final class QuantizePassthroughOpsPass implements Pass {
    public static final String NAME = "quantize-passthrough-ops";

    @Override public String name() { return NAME; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("quantize-dequantize pairs inserted");
        for (Node snapshot : List.copyOf(g.nodes())) {
            if (!keepsQuantization(snapshot.op()) || snapshot.outputs().size() != 1) continue;
            Node n = g.nodesByName().get(snapshot.name());
            Node dq = g.producer(n.input(0));
            if (dq == null || !(dq.op() instanceof DequantizeLinear) || !perTensorConstant(g, dq)) continue;
            Value y = n.output();
            if (g.outputs().contains(y) || !y.type().dtype().isFloat()) continue;
            List<Node> readers = g.consumers(y);
            if (readers.isEmpty() || readers.stream().allMatch(r -> r.op() instanceof QuantizeLinear)) continue;
            DType stored = dq.input(0).type().dtype();
            int axis = ((DequantizeLinear) dq.op()).axis();
            List<Value> params = dq.inputs().subList(1, dq.inputs().size());
            Value q = new Value(g.freshName(y.name() + ".q"), TensorType.of(stored, y.type().shape()));
            Value f = new Value(g.freshName(y.name() + ".dq"), y.type());
            List<Value> qIn = new ArrayList<>(List.of(y));
            qIn.addAll(params);
            List<Value> dqIn = new ArrayList<>(List.of(q));
            dqIn.addAll(params);
            Node quantize = new Node(g.freshName(n.name() + ".quantize"), new QuantizeLinear(axis, stored), qIn, List.of(q));
            Node dequantize = new Node(g.freshName(n.name() + ".dequantize"), new DequantizeLinear(axis), dqIn, List.of(f));
            g.replaceAllUses(y, f);
            g.replaceNode(n, List.of(n, quantize, dequantize)); // the pair reads y again, after the rewiring
            stats.inc("quantize-dequantize pairs inserted");
        }
        return stats.resultChangedBy("quantize-dequantize pairs inserted");
    }

    private static boolean keepsQuantization(Op op) {
        return op instanceof Relu || op instanceof MaxPool || op instanceof Flatten || op instanceof Reshape
                || op instanceof Transpose || op instanceof Squeeze || op instanceof Unsqueeze || op instanceof Identity
                || op instanceof Dropout;
    }

    /** Whether the DequantizeLinear's scale and zero point are constant single values of an int8/uint8 tensor. */
    private static boolean perTensorConstant(Graph g, Node dq) {
        DType t = dq.input(0).type().dtype();
        if (t != DType.I8 && t != DType.U8) return false;
        Tensor s = g.constantData(dq.input(1));
        Tensor z = dq.inputs().size() > 2 ? g.constantData(dq.input(2)) : null;
        return s != null && s.numElements() == 1 && (dq.inputs().size() < 3 || (z != null && z.numElements() == 1));
    }
}
