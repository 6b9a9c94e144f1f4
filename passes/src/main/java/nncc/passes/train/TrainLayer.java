package nncc.passes.train;

import java.util.List;

/**
 * One node of a graph being trained: its forward computation on a batch and its reverse-mode derivative, which
 * adds the gradients of its inputs (never overwrites, so a value read twice sums its readers' gradients).
 */
abstract class TrainLayer {
    final String node;
    final List<TrainValue> inputs;
    final TrainValue output;

    TrainLayer(String node, List<TrainValue> inputs, TrainValue output) {
        this.node = node;
        this.inputs = List.copyOf(inputs);
        this.output = output;
    }

    TrainValue in(int i) { return inputs.get(i); }

    /** Computes the output for the whole batch ({@code training}: batch statistics, else running ones). */
    abstract void forward(Chunks chunks, boolean training);

    /** Adds the inputs' gradients from the output's gradient. */
    abstract void backward(Chunks chunks);

    /** Recomputes what this layer derives from its parameters alone (weight fake-quant scales), without a batch. */
    void refreshWeights() {}

    /** Parameters this layer owns besides its inputs (batch-norm running statistics excluded). */
    List<TrainValue> ownParameters() { return List.of(); }
}
