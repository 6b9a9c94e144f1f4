package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Reshape to a target given as an attribute (ONNX Reshape with a constant shape input): a 0 copies the input's
 * dim at that position (unless {@code allowZero}), one -1 is inferred. A symbolic batch carries through when it
 * is copied by a 0 or absorbed by the -1.
 */
public record Reshape(List<Long> shape, boolean allowZero) implements DataMovementOp {
    public Reshape {
        shape = List.copyOf(shape);
        if (shape.stream().filter(d -> d == -1).count() > 1) throw fail("more than one -1 in reshape target %s", shape);
        for (long d : shape) if (d < -1) throw fail("invalid reshape target %s", shape);
    }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        return List.of(Shapes.moved(in.get(0), outputShape(in.get(0).shape())));
    }

    /** The output shape for a given input shape. */
    public Shape outputShape(Shape x) {
        int r = shape.size();
        long[] d = new long[r];
        String[] s = new String[r];
        int infer = -1;
        boolean symbolCopied = false;
        long known = 1;
        for (int i = 0; i < r; i++) {
            long t = shape.get(i);
            if (t == 0 && !allowZero) {
                if (i >= x.rank()) throw fail("reshape target %s copies dim %d of %s", shape, i, x);
                d[i] = x.dim(i);
                s[i] = x.symbol(i);
                if (s[i] != null) symbolCopied = true; else known *= d[i];
            } else if (t == -1) infer = i;
            else { d[i] = t; known *= t; }
        }
        long inKnown = 1;
        String inSymbol = null;
        int symbols = 0;
        for (int i = 0; i < x.rank(); i++) {
            if (x.isSymbolic(i)) { symbols++; inSymbol = x.symbol(i); } else inKnown *= x.dim(i);
        }
        if (symbols > 1 || (symbols == 1 && !symbolCopied && infer < 0))
            throw fail("cannot reshape symbolic %s to %s", x, shape);
        if (symbols == 1 && !symbolCopied) {
            if (inKnown != known) throw fail("cannot reshape symbolic %s to %s: the -1 would not be the batch", x, shape);
            s[infer] = inSymbol;
            d[infer] = -1;
        } else if (infer >= 0) {
            if (known == 0 || inKnown % known != 0) throw fail("cannot reshape %s to %s", x, shape);
            d[infer] = inKnown / known;
        } else if (known != inKnown) throw fail("cannot reshape %s (%d elements) to %s", x, inKnown, shape);
        return Shape.withSymbols(d, s);
    }
}
