package nncc.ir.op;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/** Mean over all spatial dims, keeping them as size 1: [N,C,H,W] to [N,C,1,1]. */
public record GlobalAveragePool() implements FloatOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape out = in.get(0).shape();
        if (out.rank() < 3) throw Shapes.fail("input %s needs rank >= 3", out);
        for (int i = 2; i < out.rank(); i++) out = out.withDim(i, 1);
        return List.of(TensorType.of(in.get(0).dtype(), out));
    }
}
