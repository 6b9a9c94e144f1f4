package nncc.passes.tflite;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Flatten;
import nncc.ir.op.QGemm;
import nncc.ir.op.Reshape;
import nncc.ir.op.Transpose;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * The layout change at a CNN's classifier, as an IR rewrite: a .tflite holds activations NHWC, so rows flattened from
 * an NCHW activation {@code [N, C, H, W]} (C > 1 and H*W > 1) must be read in NHWC order. The Flatten (or Reshape to
 * rank 2) then reads {@code Transpose(x, [0, 2, 3, 1])}, and every QGemm that reads the rows gets its weight columns
 * permuted to match ({@code W'[m, (h*W + w)*C + c] = W[m, (c*H + h)*W + w]}), so each output sums the same products:
 * the integers do not change. The tflite-legalize pipeline now runs {@link TfliteNhwcPass} instead, which makes the
 * whole graph NHWC and permutes the columns the same way (through {@link #permuteColumns}); run before it, this pass's
 * Transpose folds away there.
 *
 * <pre>{@code
 * before: node @flat = Flatten {axis = 1} (%x : i8[?N,2,1,2]) -> (%r : i8[?N,4])
 *         node @fc = QGemm {...} (%r, %w : i8[3,4] = [c0h0w0, c0h0w1, c1h0w0, c1h0w1, ...], %b) -> (%y)
 * after:  node @flat/nhwc = Transpose {perm = [0, 2, 3, 1]} (%x) -> (%x/nhwc : i8[?N,1,2,2])
 *         node @flat = Flatten {axis = 1} (%x/nhwc) -> (%r : i8[?N,4])
 *         node @fc = QGemm {...} (%r, %w/nhwc : i8[3,4] = [c0h0w0, c1h0w0, c0h0w1, c1h0w1, ...], %b) -> (%y)
 * }</pre>
 * Must not fire when a reader of the rows is not a QGemm taking them as its input 0 with a constant int8 weight (it
 * would see the columns in another order). Cost: one walk over the nodes and, per rewritten layer, its weights.
 */
public final class TfliteNhwcRowsPass implements Pass {
    public static final String NAME = "tflite-nhwc-rows";

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.LOWERED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("rows read in NHWC order", "weights permuted");
        for (Node n : List.copyOf(g.nodes())) {
            boolean rows = n.op() instanceof Flatten f && f.axis() == 1 || n.op() instanceof Reshape && n.output().type().rank() == 2;
            if (!rows || n.input(0).type().rank() != 4) continue;
            Value x = n.input(0), r = n.output();
            Shape xs = x.type().shape();
            if (xs.isSymbolic(1) || xs.isSymbolic(2) || xs.isSymbolic(3) || xs.dim(1) == 1 || xs.dim(2) * xs.dim(3) == 1) continue;
            if (g.producer(x) != null && g.producer(x).op() instanceof Transpose) continue;
            List<Node> readers = g.consumers(r);
            if (readers.isEmpty() || g.outputs().stream().anyMatch(o -> o.name().equals(r.name()))) continue;
            boolean allGemms = readers.stream().allMatch(c -> c.op() instanceof QGemm && c.input(0).equals(r) && !c.input(1).equals(r)
                    && g.constantData(c.input(1)) != null && g.constantData(c.input(1)).dtype() == DType.I8
                    && g.constantData(c.input(1)).shape().rank() == 2 && g.constantData(c.input(1)).shape().dim(1) == xs.dim(1) * xs.dim(2) * xs.dim(3));
            if (!allGemms) continue;
            int c = (int) xs.dim(1), h = (int) xs.dim(2), w = (int) xs.dim(3);
            String[] symbols = {xs.symbol(0), null, null, null};
            Shape nhwc = Shape.withSymbols(new long[] {xs.isSymbolic(0) ? 1 : xs.dim(0), h, w, c}, symbols);
            Value xt = new Value(g.freshName(x.name() + "/nhwc"), new TensorType(x.type().dtype(), nhwc, x.type().quant()));
            Node transpose = new Node(g.freshName(n.name() + "/nhwc"), new Transpose(List.of(0, 2, 3, 1)), List.of(x), List.of(xt));
            List<Value> in = new ArrayList<>(n.inputs());
            in.set(0, xt);
            g.replaceNode(n, List.of(transpose, n.withInputs(in)));
            for (Node gemm : readers) {
                Value wv = gemm.input(1);
                Value permuted = g.addConstant(g.freshName(wv.name() + "/nhwc"), permuteColumns(g.constantData(wv), c, h, w), wv.type().quant());
                List<Value> gin = new ArrayList<>(gemm.inputs());
                gin.set(1, permuted);
                g.replaceNode(gemm, List.of(gemm.withInputs(gin)));
                stats.inc("weights permuted");
            }
            stats.inc("rows read in NHWC order");
        }
        g.removeUnusedConstants();
        return stats.result();
    }

    /** Columns of an int8 [M, C*H*W] matrix from NCHW order to NHWC order. */
    static Tensor permuteColumns(Tensor wt, int c, int h, int w) {
        byte[] raw = wt.rawBytes(), out = new byte[raw.length];
        int k = c * h * w, m = raw.length / k;
        for (int row = 0; row < m; row++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    for (int ch = 0; ch < c; ch++) out[row * k + (i * w + j) * c + ch] = raw[row * k + (ch * h + i) * w + j];
        return Tensor.ofRaw(wt.dtype(), wt.shape(), out);
    }
}
