package nncc.tests;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.text.IrPrinter;

/**
 * The text IR of a graph with every name replaced by its position (graph {@code @g}; inputs, node outputs and
 * constants {@code %v0, %v1, ...} in order of first appearance; nodes {@code @n0, ...}), so two graphs that differ
 * only in names print the same text.
 */
final class CanonicalIr {
    private CanonicalIr() {}

    static String print(Graph g) {
        Map<String, String> names = new HashMap<>();
        Graph c = new Graph("g");
        for (Value v : g.inputs()) c.addInput(rename(v, names));
        int k = 0;
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            List<Value> ins = new ArrayList<>();
            for (Value v : n.inputs()) {
                Tensor data = g.constantData(v);
                if (data != null && !names.containsKey(v.name()))
                    c.addConstant(name(v, names), data, v.type().quant());
                ins.add(rename(v, names));
            }
            List<Value> outs = new ArrayList<>();
            for (Value v : n.outputs()) outs.add(rename(v, names));
            nodes.add(new Node("n" + k++, n.op(), ins, outs));
        }
        nodes.forEach(c::addNode);
        for (Value v : g.outputs()) c.addOutput(rename(v, names));
        return IrPrinter.print(c);
    }

    private static String name(Value v, Map<String, String> names) {
        return names.computeIfAbsent(v.name(), n -> "v" + names.size());
    }

    private static Value rename(Value v, Map<String, String> names) { return new Value(name(v, names), v.type()); }
}
