package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.TensorType;

/**
 * Changes an integer tensor's scale and zero point (TFLite QUANTIZE between integer types):
 * {@code y = saturate(mbqm(x - inputZp, multiplier, shift) + outputZp)}.
 */
public record Requantize(long inputZp, int multiplier, int shift, long outputZp, float outputScale, DType outType,
                         Rounding rounding) implements BoundaryOp {
    public Requantize {
        IntOps.requireRounding(rounding);
        if (rounding.wide()) throw Shapes.fail("Requantize requantizes int32 values; rounding %s is for int64 accumulators", rounding);
    }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        IntOps.requireInt("input", in.get(0));
        IntOps.requireMultipliers(List.of(multiplier), List.of(shift), 1);
        return List.of(IntOps.output(outType, in.get(0).shape(), outputScale, outputZp));
    }
}
