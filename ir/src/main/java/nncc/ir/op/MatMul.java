package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** Numpy matmul: batched over leading dims with broadcasting; 1-D operands promoted and squeezed (ONNX MatMul). */
public record MatMul() implements FloatOp {
    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 2; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shapes.requireSameDType(in.get(0), in.get(1));
        return List.of(TensorType.of(in.get(0).dtype(), MatMulShapes.output(in.get(0).shape(), in.get(1).shape())));
    }
}
