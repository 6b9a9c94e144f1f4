package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.TensorType;

/** x = (q - zeroPoint) * scale, as float32 (ONNX DequantizeLinear). Inputs: q, scale, optional zero point. */
public record DequantizeLinear(int axis) implements OnnxQuantOp {
    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 3; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        if (!in.get(0).dtype().isInteger()) throw Shapes.fail("input %s must be an integer tensor", in.get(0));
        QuantOps.checkParams(in.get(0), in.get(1), in.size() > 2 ? in.get(2) : null, axis);
        return List.of(TensorType.of(DType.F32, in.get(0).shape()));
    }
}
