package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.TensorType;

/**
 * q = saturate(round_half_even(x / scale) + zeroPoint) into {@code outType} (ONNX QuantizeLinear). Inputs: x,
 * scale (scalar or [C] along {@code axis}), optional zero point (of {@code outType}).
 */
public record QuantizeLinear(int axis, DType outType) implements OnnxQuantOp {
    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 3; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        QuantOps.checkParams(in.get(0), in.get(1), in.size() > 2 ? in.get(2) : null, axis);
        if (in.size() > 2 && in.get(2).dtype() != outType)
            throw Shapes.fail("zero point %s is not of output type %s", in.get(2), outType.text());
        return List.of(TensorType.of(outType, in.get(0).shape()));
    }
}
