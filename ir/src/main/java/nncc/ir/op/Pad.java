package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Pads every dim: {@code pads} is [begin per dim..., end per dim...] (negative values crop). Modes as ONNX Pad:
 * constant (with {@code value}), reflect (mirror without the edge), edge (repeat the edge).
 */
public record Pad(List<Long> pads, Mode mode, float value) implements DataMovementOp {
    /** How the border is filled. */
    public enum Mode { CONSTANT, REFLECT, EDGE }

    public Pad { pads = List.copyOf(pads); }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape x = in.get(0).shape();
        int r = x.rank();
        Shapes.requireLength("pads", pads, 2 * r);
        Shape out = x;
        for (int i = 0; i < r; i++) {
            long p = pads.get(i) + pads.get(i + r);
            if (x.isSymbolic(i)) {
                if (p != 0) throw fail("cannot pad symbolic dim %d of %s", i, x);
                continue;
            }
            long o = x.dim(i) + p;
            if (o < 0) throw fail("pads %s crop dim %d of %s below zero", pads, i, x);
            if (mode == Mode.REFLECT && (pads.get(i) >= x.dim(i) || pads.get(i + r) >= x.dim(i)))
                throw fail("reflect pads %s need to be smaller than dim %d of %s", pads, i, x);
            out = out.withDim(i, o);
        }
        return List.of(Shapes.moved(in.get(0), out));
    }
}
