package nncc.cpu;

import java.util.List;
import nncc.ir.Node;
import nncc.ir.Tensor;

/**
 * Receives every node's outputs while the {@link Interpreter} runs, in graph order: the hook behind per-layer
 * error reports and {@code nncc run --trace}. Called on the thread that runs the graph.
 */
@FunctionalInterface
public interface TraceSink {
    /** {@code outputs} holds one tensor per output the node declares, in the node's output order. */
    void accept(Node node, List<Tensor> outputs);
}
