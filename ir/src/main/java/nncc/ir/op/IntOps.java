package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/** Checks shared by the integer (lowered) ops. */
final class IntOps {
    private IntOps() {}

    static TensorType output(DType outType, Shape shape, float scale, long zp) {
        if (!outType.isInteger()) throw fail("output type %s is not an integer type", outType.text());
        if (zp < outType.minValue() || zp > outType.maxValue()) throw fail("output zero point %d outside %s", zp, outType.text());
        return new TensorType(outType, shape, QuantParams.perTensor(scale, zp));
    }

    static void requireInt(String what, TensorType t) {
        if (!t.dtype().isInteger()) throw fail("%s must be an integer tensor, got %s", what, t);
    }

    static void requireClamp(int actMin, int actMax, DType outType) {
        if (actMin > actMax || actMin < outType.minValue() || actMax > outType.maxValue())
            throw fail("clamp [%d, %d] is not inside %s", actMin, actMax, outType.text());
    }

    static void requireMultipliers(List<Integer> multiplier, List<Integer> shift, long channels) {
        if (multiplier.isEmpty() || multiplier.size() != shift.size())
            throw fail("%d multipliers but %d shifts", multiplier.size(), shift.size());
        if (multiplier.size() != 1 && multiplier.size() != channels)
            throw fail("%d multipliers for %d output channels", multiplier.size(), channels);
        for (int m : multiplier) if (m < 0) throw fail("negative multiplier %d", m);
        for (int s : shift) if (s < -31 || s > 30) throw fail("shift %d outside [-31, 30]", s);
    }

    static void requireRounding(Rounding r) {
        if (r == null) throw fail("rounding must be given");
    }

    /** Accumulator type of an integer product: int64 for 16-bit activations, else int32. */
    static DType accumulator(TensorType x) { return x.dtype() == DType.I16 ? DType.I64 : DType.I32; }

    static void requireBias(TensorType bias, TensorType x, long channels) {
        DType want = accumulator(x);
        if (bias.dtype() != want) throw fail("bias %s must be %s for %s input", bias, want.text(), x.dtype().text());
        if (bias.rank() != 1 || bias.shape().dim(0) != channels) throw fail("bias %s must be [%d]", bias, channels);
    }
}
