package nncc.ir;

import java.util.Objects;

/** A named, typed edge of the graph: a graph input, a constant, or a node output. Names are unique in a graph. */
public record Value(String name, TensorType type) {
    public Value {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isEmpty()) throw new IllegalArgumentException("value name must not be empty");
    }

    public Value withType(TensorType t) { return new Value(name, t); }

    @Override public String toString() { return "%" + name + ": " + type; }
}
