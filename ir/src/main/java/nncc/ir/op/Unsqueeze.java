package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/** Inserts size-1 dims at the listed axes of the output (ONNX Unsqueeze). */
public record Unsqueeze(List<Integer> axes) implements DataMovementOp {
    public Unsqueeze { axes = List.copyOf(axes); }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape x = in.get(0).shape();
        int r = x.rank() + axes.size();
        boolean[] inserted = new boolean[r];
        for (int a : axes) {
            int n = Shapes.axis(a, r);
            if (inserted[n]) throw fail("axis %d repeated in %s", a, axes);
            inserted[n] = true;
        }
        int[] idx = new int[r];
        long[] fixed = new long[r];
        for (int i = 0, j = 0; i < r; i++) {
            if (inserted[i]) { idx[i] = -1; fixed[i] = 1; } else idx[i] = j++;
        }
        return List.of(Shapes.moved(in.get(0), Shapes.select(x, idx, fixed)));
    }
}
