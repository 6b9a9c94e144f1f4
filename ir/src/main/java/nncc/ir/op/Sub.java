package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** Elementwise a - b with numpy broadcasting, then the fused activation. */
public record Sub(@Default("none") Activation activation) implements FloatOp, FusedActivation {
    public Sub {
        java.util.Objects.requireNonNull(activation, "activation");
    }

    /** Without fused activation. */
    public Sub() { this(Activation.NONE); }

    @Override public Sub withActivation(Activation a) { return new Sub(a); }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 2; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        return Elementwise.broadcast(in);
    }
}
