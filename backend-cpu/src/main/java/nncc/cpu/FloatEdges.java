package nncc.cpu;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Dequantize;
import nncc.ir.op.Op;
import nncc.ir.op.Quantize;

/**
 * Float data at the edges of an integer model: float inputs are quantized with the model input's own scale and
 * zero point, integer outputs dequantized with the output's, by the same Quantize/Dequantize kernels the
 * integer graph uses. With {@code raw} the model's integer tensors pass as they are.
 */
public final class FloatEdges {
    private FloatEdges() {}

    /** {@code xs} as the inputs of {@code g}: float data quantized where an input is integer (unless {@code raw}). */
    public static List<Tensor> inputs(Graph g, List<Tensor> xs, boolean raw) {
        if (raw || xs.size() != g.inputs().size()) return xs;
        List<Tensor> r = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            TensorType want = g.inputs().get(i).type();
            Tensor x = xs.get(i);
            QuantParams q = want.quant();
            boolean convert = want.dtype().isInteger() && q != null && !q.isPerAxis() && x.dtype().isFloat();
            r.add(convert ? apply(new Quantize(q.scale(0), q.zeroPoint(0), want.dtype()), x) : x);
        }
        return r;
    }

    /** {@code g}'s outputs {@code ys} as float data: integer outputs dequantized (unless {@code raw}). */
    public static List<Tensor> outputs(Graph g, List<Tensor> ys, boolean raw) {
        if (raw) return ys;
        List<Tensor> r = new ArrayList<>();
        for (int i = 0; i < ys.size(); i++) {
            Value v = g.outputs().get(i);
            QuantParams q = v.type().quant();
            boolean convert = v.type().dtype().isInteger() && q != null && !q.isPerAxis();
            r.add(convert ? apply(new Dequantize(q.scale(0), q.zeroPoint(0)), ys.get(i)) : ys.get(i));
        }
        return r;
    }

    /** Whether the model's interface has integer tensors that float data would be converted for. */
    public static boolean hasIntegerInterface(Graph g) {
        return g.inputs().stream().anyMatch(v -> v.type().dtype().isInteger() && v.type().quant() != null)
                || g.outputs().stream().anyMatch(v -> v.type().dtype().isInteger() && v.type().quant() != null);
    }

    private static Tensor apply(Op op, Tensor t) {
        Graph g = new Graph("convert");
        Value in = new Value("x", TensorType.of(t.dtype(), t.shape()));
        g.addInput(in);
        Value out = new Value("y", op.inferTypes(List.of(in.type())).get(0));
        g.addNode(new Node("convert", op, List.of(in), List.of(out)));
        g.addOutput(out);
        return new Interpreter(g).run(List.of(t)).get(0);
    }
}
