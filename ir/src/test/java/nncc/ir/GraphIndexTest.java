package nncc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.op.Add;
import nncc.ir.op.Identity;
import nncc.ir.op.Relu;
import org.junit.jupiter.api.Test;

/**
 * The use-def index stays right through in-place edits that keep it up to date without a rebuild (one-node
 * replacement, removal with the list closing up lazily, replaceAllUses, append): after every edit it must answer
 * exactly as an index built from scratch on a copy of the graph.
 */
class GraphIndexTest {
    private static Value v(String name) { return new Value(name, TensorType.of(DType.F32, Shape.of(1, 4))); }

    /** x -> r0 -> r1 -> ... with an Add every third node reading two earlier values. */
    private static Graph chain(int n) {
        Graph g = new Graph("chain");
        g.addInput(v("x"));
        String prev = "x";
        for (int i = 0; i < n; i++) {
            String out = "v" + i;
            if (i % 3 == 2) g.addNode(new Node("n" + i, new Add(), List.of(v(prev), v("v" + (i - 2))), List.of(v(out))));
            else g.addNode(new Node("n" + i, new Relu(), List.of(v(prev)), List.of(v(out))));
            prev = out;
        }
        g.addOutput(v(prev));
        return g;
    }

    private static void assertIndexMatchesFreshOne(Graph g, String when) {
        Graph fresh = g.copy();
        List<Node> nodes = g.nodes();
        assertFalse(nodes.contains(null), when + ": no removed node shows");
        assertEquals(fresh.nodes(), nodes, when);
        assertEquals(fresh.nodesByName(), g.nodesByName(), when + ": nodes by name");
        for (Node n : nodes) {
            for (Value o : n.outputs()) {
                assertEquals(fresh.producer(o), g.producer(o), when + ": producer of %" + o.name());
                assertEquals(fresh.consumers(o), g.consumers(o), when + ": readers of %" + o.name());
            }
        }
        assertEquals(fresh.consumers(v("x")), g.consumers(v("x")), when + ": readers of %x");
    }

    @Test void randomEditsKeepTheIndexExact() {
        Random rnd = new Random(7);
        Graph g = chain(60);
        for (int step = 0; step < 200; step++) {
            List<Node> nodes = g.nodes();
            Node n = nodes.get(rnd.nextInt(nodes.size()));
            String what;
            switch (rnd.nextInt(4)) {
                case 0 -> { // retype in place: same name, same outputs, an Identity instead
                    g.replaceNode(n, List.of(new Node(n.name(), new Identity(), List.of(n.input(0)), n.outputs())));
                    what = "replace " + n.name();
                }
                case 1 -> { // bypass and remove a single-output node whose output is not a graph output
                    if (g.outputs().contains(n.output())) continue;
                    g.replaceAllUses(n.output(), n.input(0));
                    g.removeNode(n);
                    what = "remove " + n.name();
                }
                case 2 -> { // replace by a renamed node
                    g.replaceNode(n, List.of(new Node(g.freshName(n.name() + "_r"), n.op(), n.inputs(), n.outputs())));
                    what = "rename " + n.name();
                }
                default -> { // append a reader of a random value
                    Value in = nodes.get(rnd.nextInt(nodes.size())).output();
                    g.addNode(new Node(g.freshName("extra"), new Relu(), List.of(in), List.of(v(g.freshName("e")))));
                    what = "append after " + in.name();
                }
            }
            assertIndexMatchesFreshOne(g, "step " + step + " (" + what + ")");
        }
    }

    @Test void removingManyNodesThenReadingTheListClosesItUp() {
        Graph g = chain(30);
        List<Node> relus = new ArrayList<>();
        for (Node n : g.nodes()) if (n.op() instanceof Relu && !g.outputs().contains(n.output())) relus.add(n);
        for (Node n : relus) {
            g.replaceAllUses(n.output(), n.input(0));
            g.removeNode(n);
        }
        assertEquals(30 - relus.size(), g.nodes().size());
        assertIndexMatchesFreshOne(g, "after removals");
        assertThrows(IllegalArgumentException.class, () -> g.removeNode(relus.get(0)), "a removed node is gone");
    }

    @Test void multiNodeReplacementAfterRemovals() {
        Graph g = chain(9);
        Node n1 = g.nodesByName().get("n1");
        g.replaceAllUses(n1.output(), n1.input(0));
        g.removeNode(n1);
        Node n4 = g.nodesByName().get("n4");
        Value mid = v("mid");
        g.replaceNode(n4, List.of(new Node("n4a", new Relu(), n4.inputs(), List.of(mid)),
                new Node("n4b", new Relu(), List.of(mid), n4.outputs())));
        assertIndexMatchesFreshOne(g, "after a two-node replacement");
        assertEquals(List.of("n0", "n2", "n3", "n4a", "n4b", "n5", "n6", "n7", "n8"), g.nodes().stream().map(Node::name).toList());
    }
}
