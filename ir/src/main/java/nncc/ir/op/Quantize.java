package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.TensorType;

/**
 * Float to integer at the edge of the integer graph (TFLite QUANTIZE):
 * {@code q = saturate(round_half_away_from_zero(x / scale) + zeroPoint)}.
 */
public record Quantize(float scale, long zeroPoint, DType outType) implements BoundaryOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shapes.requireFloat("Quantize input", in.get(0));
        return List.of(IntOps.output(outType, in.get(0).shape(), scale, zeroPoint));
    }
}
