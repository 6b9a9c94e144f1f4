package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** x if x >= 0 else alpha * x. */
public record LeakyRelu(float alpha) implements FloatOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        return Elementwise.same(in);
    }
}
