package nncc.passes.prepare;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.BatchNormalization;
import nncc.ir.op.Conv;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Rewrites a BatchNormalization that {@code fold-batchnorm} left (one that follows a Concat, a pooling or a graph
 * input, as in DenseNet) into the per-channel affine it computes, a depthwise 1x1 Conv: {@code group = C}, weight
 * {@code f = gamma / sqrt(var + eps)} of shape [C,1,1,...], bias {@code beta - mean * f}. Every backend already
 * runs that conv, integer lowering gives it per-channel multipliers and shifts like any depthwise QConv, and
 * {@code fuse-activations} then fuses a following Relu into it. Applies when the input has spatial dims (rank 3 or
 * more, float) and the four parameters are float constants; otherwise the node stays.
 *
 * <pre>{@code
 * // before
 * node @bn = BatchNormalization {epsilon = 0.0} (%x, %gamma, %beta, %mean, %var) -> (%y : f32[?N,2,4,4])
 * // after (gamma = [2, 1], beta = [1, 0], mean = [0.5, -1], var = [1, 4])
 * const %bn.weight : f32[2,1,1,1] = [2.0, 0.5]
 * const %bn.bias : f32[2] = [0.0, 0.5]
 * node @bn = Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 2} (%x, %bn.weight, %bn.bias) -> (%y : f32[?N,2,4,4])
 * }</pre>
 * Cost: one walk over the nodes; each BatchNormalization becomes one node in O(degree + channels):
 * O(nodes + edges + channels).
 */
public final class BatchNormToConvPass implements Pass {
    public static final String NAME = "batchnorm-to-conv";

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.SHAPES_INFERRED; }

    @Override public Stage produces() { return Stage.BN_FOLDED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("batchnorms to depthwise conv", "kept: not rank 3+ float",
                "kept: parameters not constant");
        for (Node snapshot : List.copyOf(g.nodes())) {
            if (!(snapshot.op() instanceof BatchNormalization bn)) continue;
            Node n = g.nodesByName().get(snapshot.name());
            Value x = n.input(0);
            if (!x.type().dtype().isFloat() || x.type().rank() < 3) {
                stats.inc("kept: not rank 3+ float");
                continue;
            }
            boolean constants = true;
            for (int i = 1; i < 5; i++) constants &= g.isConstant(n.input(i)) && n.input(i).type().dtype().isFloat();
            if (!constants) {
                stats.inc("kept: parameters not constant");
                continue;
            }
            g.replaceNode(n, List.of(depthwise(g, n, bn.epsilon())));
            stats.inc("batchnorms to depthwise conv");
        }
        if (stats.get("batchnorms to depthwise conv") > 0) g.removeUnusedConstants();
        return stats.resultChangedBy("batchnorms to depthwise conv");
    }

    private static Node depthwise(Graph g, Node n, float epsilon) {
        double[] gamma = data(g, n.input(1)), beta = data(g, n.input(2)), mean = data(g, n.input(3)), var = data(g, n.input(4));
        int c = gamma.length;
        float[] w = new float[c], b = new float[c];
        for (int k = 0; k < c; k++) {
            double f = gamma[k] / Math.sqrt(var[k] + (double) epsilon);
            w[k] = (float) f;
            b[k] = (float) (beta[k] - mean[k] * f);
        }
        int spatial = n.input(0).type().rank() - 2;
        long[] wShape = new long[spatial + 2];
        wShape[0] = c;
        java.util.Arrays.fill(wShape, 1, wShape.length, 1);
        Value weight = g.addConstant(g.freshName(n.name() + ".weight"), Tensor.ofFloats(n.input(0).type().dtype(), Shape.of(wShape), w));
        Value bias = g.addConstant(g.freshName(n.name() + ".bias"), Tensor.ofFloats(n.input(0).type().dtype(), Shape.of(c), b));
        Conv conv = new Conv(Collections.nCopies(spatial, 1), Collections.nCopies(2 * spatial, 0), Collections.nCopies(spatial, 1), c);
        return new Node(n.name(), conv, new ArrayList<>(List.of(n.input(0), weight, bias)), n.outputs());
    }

    private static double[] data(Graph g, Value v) { return g.constantData(v).toDoubles(); }
}
