package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.TensorType;

/**
 * Integer mean over {@code axes} (global average pooling is axes [2, 3] with keepDims): over the {@code n}
 * reduced elements {@code acc = sum(x - inputZp)} in int32, then
 * {@code y = saturate(mbqm(acc, multiplier, shift) + outputZp)} where the multiplier stands for
 * {@code inputScale / (outputScale * n)}.
 */
public record QMean(List<Integer> axes, boolean keepDims, long inputZp, int multiplier, int shift, long outputZp,
                    float outputScale, DType outType, Rounding rounding) implements LoweredOp {
    public QMean {
        axes = List.copyOf(axes);
        IntOps.requireRounding(rounding);
        if (rounding.wide()) throw Shapes.fail("QMean requantizes int32 values; rounding %s is for int64 accumulators", rounding);
    }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        IntOps.requireInt("input", in.get(0));
        TensorType shape = new ReduceMean(axes, keepDims).inferTypes(in).get(0);
        return List.of(IntOps.output(outType, shape.shape(), outputScale, outputZp));
    }
}
