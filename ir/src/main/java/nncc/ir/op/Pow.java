package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** Elementwise a raised to the power b, with numpy broadcasting (ONNX Pow on float tensors of one type). */
public record Pow() implements FloatOp {
    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 2; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shapes.requireFloat("Pow input X", in.get(0));
        return Elementwise.broadcast(in);
    }
}
