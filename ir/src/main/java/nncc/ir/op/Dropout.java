package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** Inference-mode dropout: the identity; an optional second output is the all-true mask. */
public record Dropout(float ratio) implements DataMovementOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        return List.of(Shapes.moved(in.get(0), in.get(0).shape()),
                TensorType.of(nncc.ir.DType.BOOL, in.get(0).shape()));
    }
}
