package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/**
 * Gaussian error linear unit (ONNX Gelu, opset 20): {@code NONE}: {@code 0.5 x (1 + erf(x / sqrt 2))};
 * {@code TANH}: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. Made by import (opset 20) or by the
 * {@code fuse-gelu} pass from the Div/Erf/Add/Mul/Mul subgraph exporters emit.
 */
public record Gelu(Approximation approximate) implements FloatOp {
    /** Which formula. */
    public enum Approximation { NONE, TANH }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shapes.requireFloat("Gelu input X", in.get(0));
        return Elementwise.same(in);
    }
}
