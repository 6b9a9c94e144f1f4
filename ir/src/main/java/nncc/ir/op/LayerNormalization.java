package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Layer normalization over the dims from {@code axis} to the last (ONNX LayerNormalization, opset 17): per outer
 * index, {@code y = (x - mean) / sqrt(var + epsilon) * scale + bias}, with the mean and the biased
 * variance over the normalized dims. Inputs X, Scale and an optional B; Scale and B broadcast (numpy rules) to the
 * normalized dims {@code X.shape[axis:]}. Optional outputs 1 and 2 are the mean and {@code 1 / sqrt(var + epsilon)},
 * f32, shaped as X with the normalized dims 1. Made by import or by the {@code fuse-layer-norm} pass from the
 * ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div(/Mul/Add) subgraph exporters emit.
 */
public record LayerNormalization(int axis, float epsilon) implements FloatOp {
    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 3; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        TensorType x = in.get(0);
        Shapes.requireFloat("LayerNormalization input X", x);
        int a = Shapes.axis(axis, x.rank());
        Shape s = x.shape();
        for (int i = a; i < s.rank(); i++)
            if (s.isSymbolic(i)) throw fail("normalized dim %d of %s is symbolic", i, s);
        for (int k = 1; k < in.size(); k++) {
            TensorType p = in.get(k);
            Shapes.requireSameDType(x, p);
            Shape ps = p.shape();
            if (ps.rank() > s.rank() - a)
                throw fail("%s %s has more dims than the normalized dims of %s from axis %d", k == 1 ? "scale" : "bias", ps, s, a);
            for (int i = 0; i < ps.rank(); i++) {
                long d = ps.dim(ps.rank() - 1 - i), want = s.dim(s.rank() - 1 - i);
                if (d != 1 && d != want)
                    throw fail("%s %s does not broadcast to the normalized dims of %s from axis %d", k == 1 ? "scale" : "bias", ps, s, a);
            }
        }
        Shape stats = s;
        for (int i = a; i < s.rank(); i++) stats = stats.withDim(i, 1);
        return List.of(TensorType.of(x.dtype(), s), TensorType.of(nncc.ir.DType.F32, stats), TensorType.of(nncc.ir.DType.F32, stats));
    }
}
