package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.TensorType;

/**
 * Integer elementwise product with broadcasting (TFLite MUL arithmetic):
 * {@code y = clamp(mbqm((a - zpA) * (b - zpB), multiplier, shift) + outputZp, actMin, actMax)}.
 */
public record QMul(long inputZpA, long inputZpB, int multiplier, int shift, long outputZp, float outputScale,
                   DType outType, int actMin, int actMax, Rounding rounding,
                   @Default("none") Activation activation) implements LoweredOp {
    public QMul {
        IntOps.requireClamp(actMin, actMax, outType);
        IntOps.requireRounding(rounding);
        if (rounding.wide()) throw Shapes.fail("QMul requantizes int32 values; rounding %s is for int64 accumulators", rounding);
        IntOps.requireActivation(activation, actMin, actMax, outputScale, outputZp, outType);
    }

    /** The form before the activation was an attribute: the activation the clamp stands for. */
    public QMul(long inputZpA, long inputZpB, int multiplier, int shift, long outputZp, float outputScale,
                DType outType, int actMin, int actMax, Rounding rounding) {
        this(inputZpA, inputZpB, multiplier, shift, outputZp, outputScale, outType, actMin, actMax, rounding,
                IntOps.compatActivation(actMin, actMax, outputScale, outputZp, outType));
    }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 2; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        IntOps.requireInt("input A", in.get(0));
        IntOps.requireInt("input B", in.get(1));
        return List.of(IntOps.output(outType, Shapes.broadcast(in.get(0).shape(), in.get(1).shape()), outputScale, outputZp));
    }
}
