package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.TensorType;

/**
 * Elementwise function by table lookup (how TFLite evaluates int8 LOGISTIC, TANH, HARD_SWISH...): input 1 is a
 * constant table with one entry per input value, {@code y = table[x - min(inputType)]}. The pass that builds
 * the table evaluates the float function once per input value and quantizes the result; {@code function},
 * {@code alpha} and {@code beta} record which function that was (see {@link LutFunction}).
 */
public record QLut(LutFunction function, @Default("0.0") float alpha, @Default("0.0") float beta, DType outType,
                   float outputScale, long outputZp) implements LoweredOp {
    public QLut {
        java.util.Objects.requireNonNull(function, "function");
    }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 2; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        TensorType x = in.get(0), table = in.get(1);
        if (x.dtype() != DType.I8 && x.dtype() != DType.U8 && x.dtype() != DType.I16)
            throw fail("QLut input %s must be i8, u8 or i16", x);
        long entries = x.dtype().maxValue() - x.dtype().minValue() + 1;
        if (table.rank() != 1 || table.shape().dim(0) != entries || table.dtype() != outType)
            throw fail("table %s must be %s[%d]", table, outType.text(), entries);
        return List.of(IntOps.output(outType, x.shape(), outputScale, outputZp));
    }
}
