package nncc.passes;

import nncc.ir.Graph;

/**
 * One graph transformation with one job. A pass is stateless (its options are a record given to its
 * constructor), rewrites the graph in place and reports whether it changed anything and its statistics. It
 * declares the stage it needs; the {@link PassManager} refuses to run it on a graph that has not reached it.
 */
public interface Pass {
    /** The kebab-case name used by {@code nncc opt --passes}. */
    String name();

    /** The stage the graph must have reached before this pass runs. */
    default Stage requires() { return Stage.IMPORTED; }

    /** The stage the graph is at after this pass (never lower than the stage it had). */
    default Stage produces() { return requires(); }

    /**
     * Runs the pass. Throws a {@link nncc.ir.ModelException} naming the node when the graph does not fit
     * (for example an op the pass cannot handle).
     */
    PassResult run(Graph graph);
}
