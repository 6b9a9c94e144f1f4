package nncc.passes.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Rounding;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.DequantizeLinear;
import nncc.ir.op.QuantizeLinear;
import nncc.ir.op.Requantize;

/**
 * The graph edges of a {@link LowerQdqPass} run: which inputs become integer (float inputs read only by
 * QuantizeLinear, int8/uint8 inputs read only by DequantizeLinear), uint8 outputs kept uint8, and integer outputs
 * named after the float outputs they replace.
 */
final class QdqInterface {
    private QdqInterface() {}

    /**
     * A graph output that was a uint8 tensor stays one: its int8 form (renamed {@code <name>.i8}) is brought back by
     * a Requantize by 1.0 with zero point + 128, exact, so {@code run --raw} gives the model's own codes. Updates
     * {@code outputs} (the final values) and {@code renames}; returns the Requantize nodes to append.
     */
    static List<Node> uint8Outputs(QdqGraph q, Graph g, List<Value> inputs, List<Value> outputs,
                                    Map<String, String> renames) {
        List<Node> tail = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            Value o = g.outputs().get(i), v = outputs.get(i);
            if (o.type().dtype() != DType.U8 || v.type().dtype() != DType.I8 || v.type().quant() == null) continue;
            boolean isInput = inputs.stream().anyMatch(x -> x.name().equals(v.name()));
            String name = o.name();
            if (isInput || !v.name().equals(o.name()) || renames.containsKey(v.name())) name = q.fresh(o.name() + ".u8");
            else renames.put(v.name(), q.fresh(o.name() + ".i8"));
            Value from = renamed(v, renames);
            var p = v.type().quant();
            var one = nncc.ir.FixedPoint.quantizeMultiplier(1.0, Rounding.SINGLE_ROUND);
            Value u = new Value(name, new TensorType(DType.U8, v.type().shape(),
                    nncc.ir.QuantParams.perTensor(p.scale(0), p.zeroPoint(0) + 128)));
            tail.add(new Node(q.fresh(o.name() + ".to_uint8"), new Requantize(p.zeroPoint(0), one.multiplier(), one.shift(),
                    p.zeroPoint(0) + 128, p.scale(0), DType.U8, Rounding.SINGLE_ROUND), List.of(from), List.of(u)));
            outputs.set(i, u);
        }
        for (int i = 0; i < outputs.size(); i++) if (outputs.get(i).type().dtype() != DType.U8) outputs.set(i, renamed(outputs.get(i), renames));
        return tail;
    }

    /** A float input read only by QuantizeLinear nodes with the same parameters becomes an int8 input. */
    static Value input(QdqGraph q, Value v, boolean floatInterface) {
        List<Node> readers = q.consumers(v);
        QdqGraph.Params p = null;
        boolean integer = !floatInterface && v.type().dtype().isFloat() && !readers.isEmpty() && !q.isGraphOutput(v);
        for (Node r : readers) {
            QdqGraph.Params rp = r.op() instanceof QuantizeLinear && r.input(0).equals(v) ? q.params(r) : null;
            integer &= rp != null && (p == null || p.params().equals(rp.params()));
            if (rp != null) p = rp;
        }
        if (!integer) return integerInput(q, v);
        Value iv = new Value(v.name(), new TensorType(DType.I8, v.type().shape(), p.params()));
        for (Node r : readers) {
            q.setIntegerForm(r.output(), iv);
            q.absorb(r);
        }
        q.stats.inc("integer inputs");
        return iv;
    }

    /**
     * An int8 or uint8 input read only by DequantizeLinear nodes with the same parameters carries them (uint8 as
     * it is, with its int8 form made by an exact Requantize by 1.0 with zero point - 128); any other input stays.
     */
    static Value integerInput(QdqGraph q, Value v) {
        List<Node> readers = q.consumers(v);
        DType t = v.type().dtype();
        QdqGraph.Params p = null;
        boolean quantized = (t == DType.I8 || t == DType.U8) && v.type().quant() == null && !readers.isEmpty();
        for (Node r : readers) {
            QdqGraph.Params rp = r.op() instanceof DequantizeLinear && r.input(0).equals(v) ? q.params(r) : null;
            quantized &= rp != null && (p == null || p.params().equals(rp.params()));
            if (rp != null) p = rp;
        }
        if (!quantized) {
            q.keep(v);
            return v;
        }
        var pp = p.params();
        if (t == DType.I8) {
            Value iv = v.withType(new TensorType(DType.I8, v.type().shape(), pp));
            q.setIntegerForm(v, iv);
            q.stats.inc("integer inputs");
            return iv;
        }
        Value uv = v.withType(new TensorType(DType.U8, v.type().shape(),
                nncc.ir.QuantParams.perTensor(pp.scale(0), pp.zeroPoint(0) + 128)));
        Value iv = new Value(q.fresh(v.name() + ".i8"), new TensorType(DType.I8, v.type().shape(), pp));
        var one = nncc.ir.FixedPoint.quantizeMultiplier(1.0, Rounding.SINGLE_ROUND);
        q.emit(new Node(q.fresh(v.name() + ".to_int8"), new Requantize(pp.zeroPoint(0) + 128, one.multiplier(), one.shift(),
                pp.zeroPoint(0), pp.scale(0), DType.I8, Rounding.SINGLE_ROUND), List.of(uv), List.of(iv)));
        q.setIntegerForm(v, iv);
        q.stats.inc("integer inputs");
        return uv;
    }

    /**
     * Integer outputs take the name of the float output they replace (a DequantizeLinear's, which is gone), when
     * that name is free in the new graph.
     */
    static Map<String, String> outputRenames(Graph g, List<Node> nodes, List<Value> inputs, List<Value> outputs) {
        Set<String> defined = new HashSet<>();
        inputs.forEach(v -> defined.add(v.name()));
        g.constants().forEach(c -> defined.add(c.value().name()));
        nodes.forEach(n -> n.outputs().forEach(v -> defined.add(v.name())));
        Map<String, String> renames = new HashMap<>();
        Set<String> inputNames = new HashSet<>();
        inputs.forEach(v -> inputNames.add(v.name()));
        for (int i = 0; i < outputs.size(); i++) {
            String want = g.outputs().get(i).name(), have = outputs.get(i).name();
            if (want.equals(have) || defined.contains(want) || inputNames.contains(have) || renames.containsKey(have)
                    || g.constant(have) != null) continue;
            renames.put(have, want);
            defined.add(want);
        }
        return renames;
    }

    static Node renamed(Node n, Map<String, String> renames) {
        if (renames.isEmpty()) return n;
        return new Node(n.name(), n.op(), n.inputs().stream().map(v -> renamed(v, renames)).toList(),
                n.outputs().stream().map(v -> renamed(v, renames)).toList());
    }

    static Value renamed(Value v, Map<String, String> renames) {
        String to = renames.get(v.name());
        return to == null ? v : new Value(to, v.type());
    }
}
