package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** max(0, min(1, alpha * x + beta)). */
public record HardSigmoid(float alpha, float beta) implements FloatOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        return Elementwise.same(in);
    }
}
