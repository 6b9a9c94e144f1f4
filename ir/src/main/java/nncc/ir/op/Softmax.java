package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/**
 * Softmax along one axis (ONNX opset 13 semantics). Older opsets' "flatten to 2-D at axis" form is rewritten
 * on import into Reshape, Softmax(-1), Reshape.
 */
public record Softmax(int axis) implements FloatOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shapes.axis(axis, in.get(0).rank());
        Shapes.requireFloat("Softmax input", in.get(0));
        return Elementwise.same(in);
    }
}
