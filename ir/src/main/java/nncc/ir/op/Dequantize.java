package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.TensorType;

/** Integer to float32 at the edge of the integer graph (TFLite DEQUANTIZE): {@code x = scale * (q - zeroPoint)}. */
public record Dequantize(float scale, long zeroPoint) implements BoundaryOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        IntOps.requireInt("Dequantize input", in.get(0));
        return List.of(TensorType.of(DType.F32, in.get(0).shape()));
    }
}
