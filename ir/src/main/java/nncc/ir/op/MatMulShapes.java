package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import nncc.ir.Shape;

/** Output shape of numpy-style matmul, shared by MatMul, MatMulInteger and QLinearMatMul. */
final class MatMulShapes {
    private MatMulShapes() {}

    static Shape output(Shape a, Shape b) {
        if (a.rank() == 0 || b.rank() == 0) throw fail("matmul operands must not be scalars: %s, %s", a, b);
        Shape a2 = a.rank() == 1 ? Shape.of(1, a.dim(0)) : a;
        Shape b2 = b.rank() == 1 ? Shape.of(b.dim(0), 1) : b;
        long ka = a2.dim(a2.rank() - 1), kb = b2.dim(b2.rank() - 2);
        if (ka != kb && !a2.isSymbolic(a2.rank() - 1) && !b2.isSymbolic(b2.rank() - 2))
            throw fail("matmul inner dimensions differ: %s x %s", a, b);
        Shape batchA = slice(a2, 0, a2.rank() - 2), batchB = slice(b2, 0, b2.rank() - 2);
        Shape batch = Shapes.broadcast(batchA, batchB);
        int r = batch.rank();
        long[] d = new long[r + 2];
        String[] s = new String[r + 2];
        for (int i = 0; i < r; i++) { d[i] = batch.dim(i); s[i] = batch.symbol(i); }
        d[r] = a2.dim(a2.rank() - 2); s[r] = a2.symbol(a2.rank() - 2);
        d[r + 1] = b2.dim(b2.rank() - 1); s[r + 1] = b2.symbol(b2.rank() - 1);
        Shape out = Shape.withSymbols(d, s);
        if (b.rank() == 1) out = slice(out, 0, out.rank() - 1);
        if (a.rank() == 1) out = drop(out, out.rank() - (b.rank() == 1 ? 1 : 2));
        return out;
    }

    static Shape slice(Shape s, int from, int to) {
        long[] d = new long[to - from];
        String[] sym = new String[to - from];
        for (int i = from; i < to; i++) { d[i - from] = s.dim(i); sym[i - from] = s.symbol(i); }
        return Shape.withSymbols(d, sym);
    }

    static Shape drop(Shape s, int axis) {
        long[] d = new long[s.rank() - 1];
        String[] sym = new String[s.rank() - 1];
        for (int i = 0, j = 0; i < s.rank(); i++) if (i != axis) { d[j] = s.dim(i); sym[j++] = s.symbol(i); }
        return Shape.withSymbols(d, sym);
    }
}
