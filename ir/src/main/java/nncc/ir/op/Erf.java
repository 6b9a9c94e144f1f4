package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** Elementwise Gauss error function {@code erf(x) = 2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt} (ONNX Erf). */
public record Erf() implements FloatOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shapes.requireFloat("Erf input X", in.get(0));
        return Elementwise.same(in);
    }
}
