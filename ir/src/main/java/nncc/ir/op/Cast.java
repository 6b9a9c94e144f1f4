package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** Converts between float types (f32, f16, bf16, f64), rounding to nearest even; used at fp16 model edges. */
public record Cast(nncc.ir.DType to) implements BoundaryOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shapes.requireFloat("Cast input", in.get(0));
        if (!to.isFloat()) throw Shapes.fail("Cast converts between float types, not to %s", to.text());
        return List.of(TensorType.of(to, in.get(0).shape()));
    }
}
