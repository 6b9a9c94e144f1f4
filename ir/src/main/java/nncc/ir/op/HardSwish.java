package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** x * max(0, min(1, x/6 + 1/2)). */
public record HardSwish() implements FloatOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        return Elementwise.same(in);
    }
}
