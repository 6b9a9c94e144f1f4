package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.TensorType;

/** Integer matmul with int32 result (ONNX MatMulInteger): a, b, a_zp, b_zp (absent zero points imported as zeros). */
public record MatMulInteger() implements OnnxQuantOp {
    @Override public int minInputs() { return 4; }

    @Override public int maxInputs() { return 4; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        return List.of(TensorType.of(DType.I32, MatMulShapes.output(in.get(0).shape(), in.get(1).shape())));
    }
}
