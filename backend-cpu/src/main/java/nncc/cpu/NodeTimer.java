package nncc.cpu;

import nncc.ir.Node;

/**
 * Receives how long each node took while the {@link Interpreter} runs ({@link Interpreter#runTimed}), in graph
 * order: the hook behind {@code nncc bench}'s per-layer table. The time covers the node's kernel and the
 * bookkeeping of its outputs, not the timer itself. Called on the thread that runs the graph.
 */
@FunctionalInterface
public interface NodeTimer {
    /** {@code step} is the node's index in the graph's node list. */
    void nodeTimed(int step, Node node, long nanos);
}
