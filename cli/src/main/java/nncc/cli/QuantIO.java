package nncc.cli;

import java.util.List;
import nncc.cpu.FloatEdges;
import nncc.ir.Graph;
import nncc.ir.Tensor;

/** The commands' name for {@link FloatEdges}: float data at the edges of an integer model. */
final class QuantIO {
    private QuantIO() {}

    static List<Tensor> inputs(Graph g, List<Tensor> xs, boolean raw) { return FloatEdges.inputs(g, xs, raw); }

    static List<Tensor> outputs(Graph g, List<Tensor> ys, boolean raw) { return FloatEdges.outputs(g, ys, raw); }

    static boolean hasIntegerInterface(Graph g) { return FloatEdges.hasIntegerInterface(g); }
}
