package nncc.passes.prepare;

import java.util.List;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Value;

/** Questions the rewriting passes ask about who reads a value. */
final class Uses {
    private Uses() {}

    static boolean isGraphOutput(Graph g, Value v) {
        return g.outputs().stream().anyMatch(o -> o.name().equals(v.name()));
    }

    /** Whether {@code reader} is the only node that reads {@code v}, it reads it once, and it is not a graph output. */
    static boolean onlyReader(Graph g, Value v, Node reader) {
        if (isGraphOutput(g, v)) return false;
        List<Node> consumers = g.consumers(v);
        return consumers.size() == 1 && consumers.get(0).name().equals(reader.name())
                && reader.inputs().stream().filter(i -> i.name().equals(v.name())).count() == 1;
    }

    /** Whether anything (a node or a graph output) reads {@code v}. */
    static boolean isUsed(Graph g, Value v) {
        return isGraphOutput(g, v) || !g.consumers(v).isEmpty();
    }

    /** Who reads {@code v}, for messages: {@code 'a', 'b' and the graph outputs}. */
    static String readers(Graph g, Value v) {
        List<String> names = g.consumers(v).stream().map(n -> "'" + n.name() + "'").toList();
        String nodes = names.isEmpty() ? "no node" : String.join(", ", names);
        return isGraphOutput(g, v) ? nodes + " and the graph outputs" : nodes;
    }
}
