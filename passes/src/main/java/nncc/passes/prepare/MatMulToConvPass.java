package nncc.passes.prepare;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Conv;
import nncc.ir.op.MatMul;
import nncc.ir.op.Transpose;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Rewrites a MatMul of a rank-3-or-more activation by a constant matrix (the channel-last linear layers of
 * ConvNeXt or a transformer, {@code [N, d..., K] x [K, M]}) into the 1x1 convolution it is: the channel axis moved
 * to position 1, a Conv with weights {@code B^T} as [M, K, 1...], and the channel axis moved back. Integer lowering
 * has a rule for Conv at any rank (per-channel weights), while a MatMul lowers only with a 2-D activation, so the
 * layer no longer stays in float. The last Transpose writes the MatMul's output value.
 *
 * <pre>{@code
 * // before
 * node @fc = MatMul (%x, %w) -> (%y : f32[?N,3,3,8])          // %x : f32[?N,3,3,4], %w : f32[4,8]
 * // after
 * node @fc.to_channels_first = Transpose {perm = [0, 3, 1, 2]} (%x) -> (%fc.in : f32[?N,4,3,3])
 * node @fc = Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1} (%fc.in, %fc.weight) -> (%fc.out : f32[?N,8,3,3])
 * node @fc.to_channels_last = Transpose {perm = [0, 2, 3, 1]} (%fc.out) -> (%y : f32[?N,3,3,8])
 * }</pre>
 * Cost: one walk over the nodes, a transposed copy of each rewritten weight matrix (O(weights)), and one splice of
 * the rewrites into the node list: O(nodes + weights).
 */
public final class MatMulToConvPass implements Pass {
    public static final String NAME = "matmul-to-conv";

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.SHAPES_INFERRED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("matmuls to 1x1 conv", "kept: not a rank 3+ float activation "
                + "times a constant matrix");
        // rewrites are collected and spliced in by one walk at the end (each is three nodes, so replacing in place would
        // shift the node list once per MatMul); fresh names derive from the MatMul's own unique name, so they cannot clash
        Map<String, List<Node>> rewrites = new HashMap<>();
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof MatMul)) continue;
            Value a = n.input(0);
            Tensor b = g.constantData(n.input(1));
            int r = a.type().rank();
            if (b == null || b.shape().rank() != 2 || !b.dtype().isFloat() || !a.type().dtype().isFloat() || r < 3
                    || a.type().shape().isSymbolic(r - 1) || g.isConstant(a)) {
                stats.inc("kept: not a rank 3+ float activation times a constant matrix");
                continue;
            }
            rewrites.put(n.name(), rewrite(g, n, a, b, r));
            stats.inc("matmuls to 1x1 conv");
        }
        if (!rewrites.isEmpty()) {
            List<Node> nodes = new ArrayList<>(g.nodes().size() + 2 * rewrites.size());
            for (Node n : g.nodes()) nodes.addAll(rewrites.getOrDefault(n.name(), List.of(n)));
            g.setNodes(nodes);
        }
        if (stats.get("matmuls to 1x1 conv") > 0) g.removeUnusedConstants();
        return stats.resultChangedBy("matmuls to 1x1 conv");
    }

    private static List<Node> rewrite(Graph g, Node n, Value a, Tensor b, int r) {
        long k = b.shape().dim(0), m = b.shape().dim(1);
        List<Integer> toFirst = new ArrayList<>(List.of(0, r - 1)), toLast = new ArrayList<>(List.of(0));
        for (int i = 1; i < r - 1; i++) toFirst.add(i);
        for (int i = 2; i < r; i++) toLast.add(i);
        toLast.add(1);
        float[] bv = b.toFloats(), wv = new float[bv.length];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < m; j++) wv[(int) (j * k + i)] = bv[(int) (i * m + j)];
        long[] wShape = new long[r];
        java.util.Arrays.fill(wShape, 1);
        wShape[0] = m;
        wShape[1] = k;
        Value w = g.addConstant(g.freshName(n.name() + ".weight"), Tensor.ofFloats(b.dtype(), Shape.of(wShape), wv));
        Transpose first = new Transpose(toFirst);
        Value in = new Value(g.freshName(n.name() + ".in"), first.inferTypes(List.of(a.type())).get(0));
        int spatial = r - 2;
        Conv conv = new Conv(Collections.nCopies(spatial, 1), Collections.nCopies(2 * spatial, 0), Collections.nCopies(spatial, 1), 1);
        TensorType convType = conv.inferTypes(List.of(in.type(), w.type())).get(0);
        Value out = new Value(g.freshName(n.name() + ".out"), convType);
        return List.of(new Node(g.freshName(n.name() + ".to_channels_first"), first, List.of(a), List.of(in)),
                new Node(n.name(), conv, List.of(in, w), List.of(out)),
                new Node(g.freshName(n.name() + ".to_channels_last"), new Transpose(toLast), List.of(out), n.outputs()));
    }
}
