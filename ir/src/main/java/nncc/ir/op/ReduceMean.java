package nncc.ir.op;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/** Mean over {@code axes} (all dims when empty), keeping them as size 1 when {@code keepDims}. */
public record ReduceMean(List<Integer> axes, boolean keepDims) implements FloatOp {
    public ReduceMean { axes = List.copyOf(axes); }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    /** The normalized, sorted reduced axes for an input of rank {@code rank}. */
    public List<Integer> reducedAxes(int rank) {
        if (axes.isEmpty()) { List<Integer> all = new ArrayList<>(); for (int i = 0; i < rank; i++) all.add(i); return all; }
        return axes.stream().map(a -> Shapes.axis(a, rank)).distinct().sorted().toList();
    }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape x = in.get(0).shape();
        List<Integer> red = reducedAxes(x.rank());
        List<Integer> idx = new ArrayList<>();
        List<Long> fixed = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (!red.contains(i)) { idx.add(i); fixed.add(0L); }
            else if (keepDims) { idx.add(-1); fixed.add(1L); }
        }
        return List.of(TensorType.of(in.get(0).dtype(),
                Shapes.select(x, Shapes.ints(idx), Shapes.longs(fixed))));
    }
}
