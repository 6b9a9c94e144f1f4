package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.TensorType;

/** Permutes dims: output dim i is input dim perm[i] (ONNX Transpose; the default reversal is made explicit on import). */
public record Transpose(List<Integer> perm) implements DataMovementOp {
    public Transpose { perm = List.copyOf(perm); }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        TensorType x = in.get(0);
        if (perm.size() != x.rank() || perm.stream().distinct().count() != perm.size()
                || perm.stream().anyMatch(p -> p < 0 || p >= x.rank()))
            throw fail("perm %s is not a permutation of rank %d", perm, x.rank());
        return List.of(Shapes.moved(x, Shapes.select(x.shape(), Shapes.ints(perm), new long[perm.size()])));
    }
}
