package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/** General matrix multiply: Y = alpha * op(A) * op(B) + beta * C, A and B 2-D, C broadcast to [M,N] (ONNX Gemm), then the fused activation. */
public record Gemm(float alpha, float beta, boolean transA, boolean transB,
                   @Default("none") Activation activation) implements FloatOp, FusedActivation {
    public Gemm {
        java.util.Objects.requireNonNull(activation, "activation");
    }

    /** A Gemm without fused activation. */
    public Gemm(float alpha, float beta, boolean transA, boolean transB) {
        this(alpha, beta, transA, transB, Activation.NONE);
    }

    @Override public Gemm withActivation(Activation a) { return new Gemm(alpha, beta, transA, transB, a); }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 3; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape a = in.get(0).shape(), b = in.get(1).shape();
        if (a.rank() != 2 || b.rank() != 2) throw fail("Gemm needs 2-D A and B, got %s and %s", a, b);
        int am = transA ? 1 : 0, bn = transB ? 0 : 1;
        long ka = a.dim(1 - am), kb = b.dim(1 - bn);
        if (!a.isSymbolic(1 - am) && !b.isSymbolic(1 - bn) && ka != kb)
            throw fail("inner dimensions differ: A %s (transA=%s) and B %s (transB=%s)", a, transA, b, transB);
        long[] d = {a.dim(am), b.dim(bn)};
        String[] s = {a.symbol(am), b.symbol(bn)};
        Shape out = Shape.withSymbols(d, s);
        if (in.size() > 2) Shapes.broadcast(out, in.get(2).shape());
        return List.of(TensorType.of(in.get(0).dtype(), out));
    }
}
