package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/** Flattens to 2-D: dims before {@code axis} form the rows, the rest the columns (ONNX Flatten). */
public record Flatten(int axis) implements DataMovementOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape x = in.get(0).shape();
        int a = axis < 0 ? axis + x.rank() : axis;
        if (a < 0 || a > x.rank()) throw fail("axis %d out of range for %s", axis, x);
        long[] d = {1, 1};
        String[] s = new String[2];
        for (int i = 0; i < x.rank(); i++) {
            int side = i < a ? 0 : 1;
            if (x.isSymbolic(i)) {
                if (s[side] != null) throw fail("cannot flatten %s: two symbolic dims on one side", x);
                s[side] = x.symbol(i);
            } else d[side] *= x.dim(i);
        }
        for (int k = 0; k < 2; k++)
            if (s[k] != null && d[k] != 1) throw fail("cannot flatten %s at %d: symbolic dim mixed with others", x, axis);
        return List.of(Shapes.moved(in.get(0), Shape.withSymbols(d, s)));
    }
}
