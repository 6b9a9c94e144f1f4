package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** min(max(x, min), max); bounds that ONNX gives as inputs are folded into these attributes on import (infinite when absent). */
public record Clip(float min, float max) implements FloatOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        return Elementwise.same(in);
    }
}
