package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** Elementwise square root of a float tensor (NaN below zero, as IEEE 754 and ONNX Sqrt). */
public record Sqrt() implements FloatOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shapes.requireFloat("Sqrt input X", in.get(0));
        return Elementwise.same(in);
    }
}
