package nncc.passes.quant;

import java.util.HashSet;
import java.util.Set;
import nncc.ir.Graph;

/**
 * Names for the values and nodes a lowering creates while it builds a new node list: free in the graph (its use-def
 * index knows every name it ever held) and not yet handed out by this run. {@code base}, else {@code base_1},
 * {@code base_2}, ...
 */
final class FreshNames {
    private final Graph graph;
    private final Set<String> issued = new HashSet<>();

    FreshNames(Graph graph) { this.graph = graph; }

    String fresh(String base) {
        String name = base;
        for (int i = 1; issued.contains(name) || !graph.freshName(name).equals(name); i++) name = base + "_" + i;
        issued.add(name);
        return name;
    }
}
