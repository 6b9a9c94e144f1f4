package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** Elementwise a / b with numpy broadcasting (integer division truncates toward zero). */
public record Div() implements FloatOp {
    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 2; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        return Elementwise.broadcast(in);
    }
}
