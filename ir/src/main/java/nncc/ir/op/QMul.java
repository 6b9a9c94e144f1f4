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
                   DType outType, int actMin, int actMax, Rounding rounding) implements Op {
    public QMul {
        IntOps.requireClamp(actMin, actMax, outType);
        IntOps.requireRounding(rounding);
    }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 2; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        IntOps.requireInt("input A", in.get(0));
        IntOps.requireInt("input B", in.get(1));
        return List.of(IntOps.output(outType, Shapes.broadcast(in.get(0).shape(), in.get(1).shape()), outputScale, outputZp));
    }
}
