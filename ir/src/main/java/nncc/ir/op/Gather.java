package nncc.ir.op;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/** Takes slices of input 0 along {@code axis} at the integer indices of input 1 (negative counts from the end). */
public record Gather(int axis) implements DataMovementOp {
    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 2; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape x = in.get(0).shape(), idx = in.get(1).shape();
        if (!in.get(1).dtype().isInteger()) throw Shapes.fail("indices must be integers, got %s", in.get(1));
        int a = Shapes.axis(axis, x.rank());
        int r = x.rank() - 1 + idx.rank();
        long[] d = new long[r];
        String[] s = new String[r];
        int k = 0;
        for (int i = 0; i < a; i++, k++) { d[k] = x.dim(i); s[k] = x.symbol(i); }
        for (int i = 0; i < idx.rank(); i++, k++) { d[k] = idx.dim(i); s[k] = idx.symbol(i); }
        for (int i = a + 1; i < x.rank(); i++, k++) { d[k] = x.dim(i); s[k] = x.symbol(i); }
        return List.of(TensorType.of(in.get(0).dtype(), Shape.withSymbols(d, s)));
    }
}
