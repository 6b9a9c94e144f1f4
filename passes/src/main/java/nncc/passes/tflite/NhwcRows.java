package nncc.passes.tflite;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Value;
import nncc.ir.op.Layout;
import nncc.ir.op.QGemm;
import nncc.ir.op.QMean;
import nncc.passes.PassResult;

/**
 * {@link TfliteNhwcPass}'s rules for ops that change an NHWC activation's rank or only relabel its dims: QMean,
 * rows for a fully connected layer (Flatten, Reshape to rank 2) and Reshapes between NCHW and NHWC that move no element.
 * Each returns the rewritten node, {@link TfliteNhwcPass#FOLDED}, or null when it does not apply (the node then reads
 * NCHW data through a Transpose back).
 */
final class NhwcRows {
    private NhwcRows() {}

    /** QMean over NHWC axes; without keepDims only when the kept dims come out in the same order as from NCHW. */
    static Node mean(Node n, QMean m, NhwcValues v) {
        List<Integer> reduced = m.axes().stream().map(a -> a < 0 ? a + 4 : a).toList();
        List<Integer> axes = reduced.stream().map(TfliteNhwcPass::nhwcAxis).sorted().toList();
        QMean nhwc = new QMean(axes, m.keepDims(), m.inputZp(), m.multiplier(), m.shift(), m.outputZp(), m.outputScale(), m.outType(),
                m.rounding(), m.onnxScales());
        if (m.keepDims()) return TfliteNhwcPass.nhwcNode(n, nhwc, List.of(v.nhwc(n.input(0))), v);
        List<Integer> keptNhwc = new ArrayList<>(), keptNchw = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            if (!axes.contains(i)) keptNhwc.add(Layout.TO_NHWC.get(i));
            if (!reduced.contains(i)) keptNchw.add(i);
        }
        if (!keptNhwc.equals(keptNchw)) return null;
        v.set(n.output(), n.output(), false);
        return new Node(n.name(), nhwc, List.of(v.nhwc(n.input(0))), n.outputs());
    }

    /**
     * Rows of an NHWC activation: read as they are when C or H*W is 1 (the same order either way), else only when every
     * reader is a QGemm with a constant int8 weight, whose columns are then permuted to NHWC order.
     */
    static Node rows(Graph g, Node n, NhwcValues v, Map<String, Value> gemmWeights, PassResult.Stats stats) {
        Value x = n.input(0), r = n.output();
        Shape xs = x.type().shape();
        if (!TfliteNhwcPass.isStatic(xs, 1, 2, 3) || n.inputs().size() != 1) return null;
        int c = (int) xs.dim(1), h = (int) xs.dim(2), w = (int) xs.dim(3);
        Value data = v.rep(x).value();
        if (c > 1 && h * w > 1) {
            List<Node> readers = g.consumers(r);
            boolean output = g.outputs().stream().anyMatch(o -> o.name().equals(r.name()));
            boolean allGemms = !readers.isEmpty() && readers.stream().allMatch(q -> q.op() instanceof QGemm && q.input(0).equals(r)
                    && !q.input(1).equals(r) && TfliteNhwcPass.isInt8Matrix(g.constantData(q.input(1)), (long) c * h * w));
            if (output || !allGemms) return null;
            for (Node q : readers) {
                Value wv = q.input(1);
                gemmWeights.put(q.name(), v.constant(wv.name() + "/nhwc", permuteColumns(g.constantData(wv), c, h, w), wv.type()));
                stats.inc("fully connected columns permuted");
            }
        }
        v.set(r, r, false);
        return n.withInputs(List.of(data));
    }

    /** A rank-4 Reshape that is a change between NCHW and NHWC moving no element: the data itself. */
    static Node relabel(Node n, NhwcValues v, PassResult.Stats stats) {
        Value x = n.input(0), y = n.output();
        NhwcValues.Rep r = v.rep(x);
        Shape xs = x.type().shape(), ys = y.type().shape();
        if (!r.permuted() && sameData(xs, ys, Layout.TO_NCHW)) v.set(y, r.value(), true);
        else if (r.permuted() && sameData(xs, ys, Layout.TO_NHWC)) v.set(y, r.value(), false);
        else return null;
        stats.inc("transposes folded");
        return TfliteNhwcPass.FOLDED;
    }

    /** Whether {@code ys} is {@code xs} permuted by {@code perm} (NHWC to NCHW or back) with no element moving. */
    static boolean sameData(Shape xs, Shape ys, List<Integer> perm) {
        if (xs.rank() != 4 || ys.rank() != 4 || !java.util.Arrays.equals(Layout.permute(xs, perm).dims(), ys.dims())) return false;
        boolean fromNhwc = perm.equals(Layout.TO_NCHW);
        long channels = fromNhwc ? xs.dim(3) : xs.dim(1), spatial = fromNhwc ? xs.dim(1) * xs.dim(2) : xs.dim(2) * xs.dim(3);
        return channels == 1 || spatial == 1;
    }

    /** Columns of an int8 [M, C*H*W] matrix from NCHW order to NHWC order: {@code W'[m, (h*W + w)*C + c] = W[m, (c*H + h)*W + w]}. */
    static nncc.ir.Tensor permuteColumns(nncc.ir.Tensor wt, int c, int h, int w) {
        byte[] raw = wt.rawBytes(), out = new byte[raw.length];
        int k = c * h * w, m = raw.length / k;
        for (int row = 0; row < m; row++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    for (int ch = 0; ch < c; ch++) out[row * k + (i * w + j) * c + ch] = raw[row * k + (ch * h + i) * w + j];
        return nncc.ir.Tensor.ofRaw(wt.dtype(), wt.shape(), out);
    }
}
