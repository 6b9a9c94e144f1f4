package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/** Concatenates inputs along {@code axis}; all other dims must agree (ONNX Concat). */
public record Concat(int axis) implements DataMovementOp {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return Integer.MAX_VALUE; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape first = in.get(0).shape();
        int a = Shapes.axis(axis, first.rank());
        long total = 0;
        for (TensorType t : in) {
            Shapes.requireSameDType(in.get(0), t);
            Shape s = t.shape();
            if (s.rank() != first.rank()) throw fail("concat inputs differ in rank: %s vs %s", first, s);
            for (int i = 0; i < s.rank(); i++)
                if (i != a && (s.dim(i) != first.dim(i) || s.isSymbolic(i) != first.isSymbolic(i)))
                    throw fail("concat inputs differ off axis %d: %s vs %s", a, first, s);
            if (s.isSymbolic(a)) throw fail("concat axis %d is symbolic in %s", a, s);
            total += s.dim(a);
        }
        boolean shared = in.stream().allMatch(t -> java.util.Objects.equals(t.quant(), in.get(0).quant()));
        TensorType out = Shapes.moved(in.get(0), first.withDim(a, total));
        return List.of(shared ? out : TensorType.of(out.dtype(), out.shape()));
    }
}
