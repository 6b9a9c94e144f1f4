package nncc.example;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.passes.Pass;
import nncc.passes.PassResult;

/**
 * An example third-party pass: puts a prefix before every node name that lacks it (say, to tell apart the
 * layers of two models before they are joined). Options: {@code prefix-node-names{prefix=enc_}}.
 * <pre>
 * before: node @conv = Conv {...} (%x, %w) -> (%y : f32[1,8,4,4])
 * after:  node @enc_conv = Conv {...} (%x, %w) -> (%y : f32[1,8,4,4])
 * </pre>
 * Cost: one walk over the nodes, O(n).
 */
public final class PrefixNodeNamesPass implements Pass {
    public static final String NAME = "prefix-node-names";
    private final String prefix;

    public PrefixNodeNamesPass(String prefix) {
        if (!prefix.matches("[A-Za-z_][A-Za-z0-9_.]*"))
            throw new ModelException("pass '" + NAME + "': prefix '" + prefix + "' is not a plain name");
        this.prefix = prefix;
    }

    @Override public String name() { return NAME; }

    @Override public PassResult run(Graph graph) {
        List<Node> renamed = new ArrayList<>();
        long count = 0;
        for (Node n : graph.nodes()) {
            if (n.name().startsWith(prefix)) { renamed.add(n); continue; }
            renamed.add(new Node(prefix + n.name(), n.op(), n.inputs(), n.outputs()));
            count++;
        }
        graph.setNodes(renamed);
        return PassResult.of(java.util.Map.of("nodes renamed", count));
    }
}
