package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/**
 * Inference batch normalization over channel dim 1: y = scale * (x - mean) / sqrt(var + epsilon) + bias.
 * Inputs: X, scale, bias, mean, var (each [C]).
 */
public record BatchNormalization(float epsilon) implements FloatOp {
    @Override public int minInputs() { return 5; }

    @Override public int maxInputs() { return 5; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        TensorType x = in.get(0);
        if (x.rank() < 2) throw Shapes.fail("input %s needs rank >= 2", x);
        for (int i = 1; i < 5; i++) {
            TensorType p = in.get(i);
            if (p.rank() != 1 || (!x.shape().isSymbolic(1) && p.shape().dim(0) != x.shape().dim(1)))
                throw Shapes.fail("parameter %d %s must be [C] with C = %d", i, p, x.shape().dim(1));
        }
        return Elementwise.same(in);
    }
}
