package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** x if x >= 0 else slope * x, the slope (input 1) broadcast to x. */
public record PRelu() implements FloatOp {
    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 2; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Elementwise.broadcast(in);
        // x's element type and shape only: a quantization plan on x is not the output's (PRelu changes the range)
        return Elementwise.same(in);
    }
}
