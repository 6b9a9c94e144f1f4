package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.TensorType;

/** Quantized matmul (ONNX QLinearMatMul): a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp; output {@code outType}. */
public record QLinearMatMul(DType outType) implements OnnxQuantOp {
    @Override public int minInputs() { return 8; }

    @Override public int maxInputs() { return 8; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        QuantOps.requireScalar("a_scale", in.get(1));
        QuantOps.requireScalar("y_scale", in.get(6));
        return List.of(TensorType.of(outType, MatMulShapes.output(in.get(0).shape(), in.get(3).shape())));
    }
}
