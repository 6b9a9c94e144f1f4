package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** Passes its input through unchanged. */
public record Identity() implements DataMovementOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        return List.of(Shapes.moved(in.get(0), in.get(0).shape()));
    }
}
