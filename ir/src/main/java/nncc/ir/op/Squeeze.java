package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/** Removes size-1 dims: the listed axes, or every size-1 dim when {@code axes} is empty (ONNX Squeeze). */
public record Squeeze(List<Integer> axes) implements DataMovementOp {
    public Squeeze { axes = List.copyOf(axes); }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape x = in.get(0).shape();
        List<Integer> keep = new ArrayList<>();
        List<Integer> norm = axes.stream().map(a -> Shapes.axis(a, x.rank())).toList();
        for (int i = 0; i < x.rank(); i++) {
            boolean drop = axes.isEmpty() ? (!x.isSymbolic(i) && x.dim(i) == 1) : norm.contains(i);
            if (drop && (x.isSymbolic(i) || x.dim(i) != 1)) throw fail("cannot squeeze dim %d of %s", i, x);
            if (!drop) keep.add(i);
        }
        int[] idx = keep.stream().mapToInt(Integer::intValue).toArray();
        return List.of(Shapes.moved(in.get(0), Shapes.select(x, idx, new long[idx.length])));
    }
}
