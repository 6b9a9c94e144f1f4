package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** max(x, 0). */
public record Relu() implements FloatOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        return Elementwise.same(in);
    }
}
