package nncc.passes.quant;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.TensorType;
import nncc.ir.Value;

/**
 * Gives values new types everywhere they appear (graph inputs, node inputs and outputs, graph outputs): values
 * are immutable records referenced by each node, so a type change has to be written into every reference.
 */
final class ValueRetyping {
    private ValueRetyping() {}

    /** Retypes every reference to a value named in {@code types}; constants are left alone. */
    static void apply(Graph g, Map<String, TensorType> types) {
        if (types.isEmpty()) return;
        g.setInputs(retype(g.inputs(), types));
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) nodes.add(new Node(n.name(), n.op(), retype(n.inputs(), types), retype(n.outputs(), types)));
        g.setNodes(nodes);
        g.setOutputs(retype(g.outputs(), types));
    }

    private static List<Value> retype(List<Value> values, Map<String, TensorType> types) {
        List<Value> r = new ArrayList<>(values.size());
        for (Value v : values) {
            TensorType t = types.get(v.name());
            r.add(t == null ? v : v.withType(t));
        }
        return r;
    }
}
