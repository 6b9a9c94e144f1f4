package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Integer fully connected layer with requantization (TFLite FULLY_CONNECTED arithmetic). Inputs: x [N,K] (i8, u8
 * or i16), w [M,K] (i8, symmetric), optional bias [M] (i32; i64 for i16 input). For output m:
 * {@code acc = bias[m] + sum_k((x[n,k] - inputZp) * w[m,k])}, then
 * {@code y = clamp(multiplyByQuantizedMultiplier(acc, multiplier[m], shift[m]) + outputZp, actMin, actMax)}.
 */
public record QGemm(long inputZp, List<Integer> multiplier, List<Integer> shift, long outputZp, float outputScale,
                    DType outType, int actMin, int actMax, Rounding rounding) implements Op {
    public QGemm {
        multiplier = List.copyOf(multiplier);
        shift = List.copyOf(shift);
        IntOps.requireClamp(actMin, actMax, outType);
        IntOps.requireRounding(rounding);
    }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 3; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        TensorType x = in.get(0), w = in.get(1);
        IntOps.requireInt("input", x);
        if (w.dtype() != DType.I8) throw fail("weights %s must be i8", w);
        if (x.rank() != 2 || w.rank() != 2) throw fail("QGemm needs 2-D x and w, got %s and %s", x, w);
        if (!x.shape().isSymbolic(1) && x.shape().dim(1) != w.shape().dim(1))
            throw fail("x %s and w %s differ in K", x, w);
        long m = w.shape().dim(0);
        IntOps.requireMultipliers(multiplier, shift, m);
        if (in.size() > 2) IntOps.requireBias(in.get(2), x, m);
        Shape out = Shape.withSymbols(new long[] {x.shape().dim(0), m}, new String[] {x.shape().symbol(0), null});
        return List.of(IntOps.output(outType, out, outputScale, outputZp));
    }
}
