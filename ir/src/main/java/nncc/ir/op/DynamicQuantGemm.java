package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Hybrid ("dynamic range") fully connected layer: x [N,K] float, w [M,K] int8 (symmetric, per output row or one
 * scale), optional float bias [M]. Each row of x is quantized on the fly as in {@link DynamicQuantConv}, the
 * product accumulated in int32 and {@code y = acc * rowScale * weightScales[m] + bias[m]}.
 */
public record DynamicQuantGemm(List<Float> weightScales) implements HybridOp {
    public DynamicQuantGemm { weightScales = List.copyOf(weightScales); }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 3; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        TensorType x = in.get(0), w = in.get(1);
        Shapes.requireFloat("input", x);
        if (w.dtype() != DType.I8) throw fail("weights %s must be i8", w);
        if (x.rank() != 2 || w.rank() != 2) throw fail("needs 2-D x and w, got %s and %s", x, w);
        long m = w.shape().dim(0);
        if (weightScales.size() != 1 && weightScales.size() != m) throw fail("%d weight scales for %d outputs", weightScales.size(), m);
        if (in.size() > 2) Conv.checkBias(in.get(2), m);
        return List.of(TensorType.of(x.dtype(), Shape.withSymbols(new long[] {x.shape().dim(0), m}, new String[] {x.shape().symbol(0), null})));
    }
}
