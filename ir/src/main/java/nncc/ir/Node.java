package nncc.ir;

import java.util.List;
import java.util.Objects;
import nncc.ir.op.Op;

/** One operation in the graph: a unique name, the op (with its attributes), input and output values. Immutable. */
public record Node(String name, Op op, List<Value> inputs, List<Value> outputs) {
    public Node {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(op, "op");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        if (outputs.isEmpty()) throw new IllegalArgumentException("node '" + name + "' has no outputs");
    }

    public Value input(int i) { return inputs.get(i); }

    public Value output(int i) { return outputs.get(i); }

    public Value output() { return outputs.get(0); }

    public Node withOp(Op o) { return new Node(name, o, inputs, outputs); }

    public Node withInputs(List<Value> in) { return new Node(name, op, in, outputs); }

    public Node withOutputs(List<Value> out) { return new Node(name, op, inputs, out); }

    /** A short description for error messages: {@code 'conv1' (Conv)}. */
    public String describe() { return "'" + name + "' (" + op.opName() + ")"; }

    /** An error at this node. */
    public ModelException error(String message) { return new ModelException(null, name, op.opName() + ": " + message); }
}
