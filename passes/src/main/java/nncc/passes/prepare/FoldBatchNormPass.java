package nncc.passes.prepare;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.BatchNormalization;
import nncc.ir.op.Conv;
import nncc.ir.op.ConvTranspose;
import nncc.ir.op.Gemm;
import nncc.ir.op.Shapes;
import nncc.passes.Pass;
import nncc.passes.PassOptions;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Folds an inference BatchNormalization into the Conv, ConvTranspose or Gemm that feeds it. With
 * {@code f = gamma / sqrt(var + eps)} per output channel: {@code w' = w * f}, {@code b' = beta + (b - mean) * f}
 * ({@code b = 0} when the producer has no bias). A Gemm's channel is the column of its output (the row of B when
 * {@code transB}); its C, scaled, becomes the new bias with beta 1. The producer then writes the BatchNormalization's
 * output value, so the name survives. Folds only when the weights, bias and BatchNormalization parameters are
 * float constants, the producer has no fused activation and the BatchNormalization is the only reader of its
 * output (not a graph output either); otherwise the BatchNormalization stays ("not folded"), or, with
 * {@code requireAll}, the pass fails naming the reason.
 *
 * <pre>{@code
 * // before
 * node @conv = Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1} (%x, %w, %b) -> (%c : f32[1,2,4,4])
 * node @bn = BatchNormalization {epsilon = 0.0} (%c, %gamma, %beta, %mean, %var) -> (%y : f32[1,2,4,4])
 * // after: %w and %b hold the folded numbers, %gamma ... %var are gone
 * node @conv = Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1} (%x, %w, %b) -> (%y : f32[1,2,4,4])
 * }</pre>
 * Cost: one walk over the nodes; each fold rescales its producer's weights once (O(weights of that layer)) and
 * edits the graph in O(degree): O(nodes + edges + weights).
 */
public final class FoldBatchNormPass implements Pass {
    public static final String NAME = "fold-batchnorm";

    /** {@code requireAll}: a BatchNormalization that cannot be folded is an error instead of staying. */
    public record Options(boolean requireAll) {
        public static Options defaults() { return new Options(false); }

        /** From {@code fold-batchnorm{require-all=true}}. */
        public static Options from(PassOptions o) { return new Options(o.flag("require-all", false)); }
    }

    private final Options options;

    public FoldBatchNormPass(Options options) { this.options = options; }

    public FoldBatchNormPass() { this(Options.defaults()); }

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.SHAPES_INFERRED; }

    @Override public Stage produces() { return Stage.BN_FOLDED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("batchnorms folded", "not folded", "constants removed");
        for (Node snapshot : List.copyOf(g.nodes())) {
            if (!(snapshot.op() instanceof BatchNormalization bn)) continue;
            Node n = g.nodesByName().get(snapshot.name());
            String reason = whyNotFoldable(g, n);
            if (reason != null) {
                if (options.requireAll()) throw n.error("cannot fold into its producer: " + reason);
                stats.inc("not folded");
                continue;
            }
            stats.add("constants removed", fold(g, n, bn.epsilon()));
            stats.inc("batchnorms folded");
        }
        return stats.resultChangedBy("batchnorms folded");
    }

    /** Null when {@code bnNode} can be folded, else why not (naming the node or value in the way). */
    private static String whyNotFoldable(Graph g, Node bnNode) {
        Value x = bnNode.input(0);
        for (int i = 1; i < 5; i++)
            if (!isFloatConstant(g, bnNode.input(i))) return "parameter %" + bnNode.input(i).name() + " is not a float constant";
        Node p = g.producer(x);
        if (p == null || !(p.op() instanceof Conv || p.op() instanceof ConvTranspose || p.op() instanceof Gemm))
            return "input %" + x.name() + " is not produced by a Conv, ConvTranspose or Gemm"
                    + (p == null ? "" : " (but by " + p.describe() + ")");
        if (activation(p) != Activation.NONE)
            return "producer " + p.describe() + " has the fused activation " + activation(p).name().toLowerCase();
        if (!Uses.onlyReader(g, x, bnNode)) return "%" + x.name() + " of " + p.describe() + " is also read by " + Uses.readers(g, x);
        for (int i = 1; i < p.inputs().size(); i++)
            if (!isFloatConstant(g, p.input(i)))
                return (i == 1 ? "weights %" : "bias %") + p.input(i).name() + " of " + p.describe() + " are not a float constant";
        if (!x.type().dtype().isFloat()) return "%" + x.name() + " is not a float value";
        return null;
    }

    private static boolean isFloatConstant(Graph g, Value v) { return g.isConstant(v) && v.type().dtype().isFloat(); }

    private static Activation activation(Node p) {
        return switch (p.op()) {
            case Conv c -> c.activation();
            case ConvTranspose c -> c.activation();
            case Gemm c -> c.activation();
            default -> throw new IllegalStateException(p.describe());
        };
    }

    /** Rewrites the producer of {@code bnNode}'s input and removes {@code bnNode}; returns constants removed. */
    private static int fold(Graph g, Node bnNode, float epsilon) {
        Node p = g.producer(bnNode.input(0));
        double[] gamma = data(g, bnNode.input(1)), beta = data(g, bnNode.input(2));
        double[] mean = data(g, bnNode.input(3)), var = data(g, bnNode.input(4));
        int channels = gamma.length;
        double[] f = new double[channels], shift = new double[channels];
        for (int c = 0; c < channels; c++) {
            f[c] = gamma[c] / Math.sqrt(var[c] + (double) epsilon);
            shift[c] = beta[c] - mean[c] * f[c];
        }
        Value w = p.input(1);
        double[] wd = data(g, w);
        int[] channelOf = weightChannels(p, w.type().shape(), channels);
        for (int e = 0; e < wd.length; e++) wd[e] *= f[channelOf[e]];

        List<Value> inputs = new ArrayList<>(p.inputs());
        DType dtype = w.type().dtype();
        inputs.set(1, store(g, p, w, dtype, wd, w.type().shape(), p.name() + ".weight"));
        Value bias = p.inputs().size() > 2 ? p.input(2) : null;
        DType biasType = bias == null ? dtype : bias.type().dtype();
        Value newBias;
        if (p.op() instanceof Gemm gemm) {
            Shape cShape = bias == null ? Shape.of(channels) : Shapes.broadcast(bias.type().shape(), Shape.of(channels));
            double[] c = gemmBias(bias == null ? null : g.constantData(bias), cShape, gemm.beta(), f, shift);
            newBias = store(g, p, bias, biasType, c, cShape, p.name() + ".bias");
        } else {
            double[] b = bias == null ? new double[channels] : data(g, bias);
            for (int c = 0; c < channels; c++) b[c] = b[c] * f[c] + shift[c];
            newBias = store(g, p, bias, biasType, b, Shape.of(channels), p.name() + ".bias");
        }
        if (inputs.size() > 2) inputs.set(2, newBias); else inputs.add(newBias);

        Node folded = new Node(p.name(), p.op() instanceof Gemm gm
                ? new Gemm(gm.alpha(), 1f, gm.transA(), gm.transB(), gm.activation()) : p.op(),
                inputs, List.of(bnNode.output()));
        g.removeNode(bnNode);
        g.replaceNode(p, List.of(folded));
        Set<Value> maybeDead = new LinkedHashSet<>(bnNode.inputs().subList(1, 5));
        maybeDead.addAll(p.inputs().subList(1, p.inputs().size()));
        int removed = 0;
        for (Value v : maybeDead)
            if (g.isConstant(v) && !Uses.isUsed(g, v)) { g.removeConstant(v.name()); removed++; }
        return removed;
    }

    /** The output channel each weight element scales with. */
    private static int[] weightChannels(Node p, Shape ws, int channels) {
        int n = Math.toIntExact(ws.numElements());
        int[] ch = new int[n];
        switch (p.op()) {
            case Conv c -> {
                int block = n / channels; // W is [M, C/group, k...]
                for (int e = 0; e < n; e++) ch[e] = e / block;
            }
            case ConvTranspose c -> {
                // W is [C, M/group, k...]; W[ci, j] feeds output channel (ci / (C/group)) * (M/group) + j
                int inC = (int) ws.dim(0), perGroupOut = (int) ws.dim(1), inner = n / (inC * perGroupOut);
                int inPerGroup = inC / c.group();
                for (int e = 0; e < n; e++) {
                    int ci = e / inner / perGroupOut, j = e / inner % perGroupOut;
                    ch[e] = ci / inPerGroup * perGroupOut + j;
                }
            }
            case Gemm gm -> { // B is [N, K] with transB, else [K, N]
                int cols = (int) ws.dim(1);
                for (int e = 0; e < n; e++) ch[e] = gm.transB() ? e / cols : e % cols;
            }
            default -> throw new IllegalStateException(p.describe());
        }
        return ch;
    }

    /** {@code f * beta * C + shift}, C broadcast to {@code shape} ([N] or [rows, N]). */
    private static double[] gemmBias(Tensor c, Shape shape, float beta, double[] f, double[] shift) {
        int n = f.length, size = Math.toIntExact(shape.numElements());
        double[] cd = c == null ? null : c.toDoubles();
        double[] out = new double[size];
        for (int e = 0; e < size; e++) {
            int col = e % n, row = e / n;
            double cv = 0;
            if (cd != null) {
                Shape cs = c.shape();
                int idx = switch (cs.rank()) {
                    case 0 -> 0;
                    case 1 -> cs.dim(0) == 1 ? 0 : col;
                    default -> (cs.dim(0) == 1 ? 0 : row) * (int) cs.dim(1) + (cs.dim(1) == 1 ? 0 : col);
                };
                cv = cd[idx];
            }
            out[e] = f[col] * beta * cv + shift[col];
        }
        return out;
    }

    private static double[] data(Graph g, Value v) { return g.constantData(v).toDoubles(); }

    /**
     * Stores folded numbers as {@code dtype}: under {@code reuse}'s name when only {@code p} reads that constant and
     * its shape stays, else (also when {@code reuse} is null) under a fresh name built from {@code base}.
     */
    private static Value store(Graph g, Node p, Value reuse, DType dtype, double[] values, Shape shape, String base) {
        float[] fl = new float[values.length];
        for (int i = 0; i < fl.length; i++) fl[i] = (float) values[i];
        Tensor t = Tensor.ofFloats(dtype, shape, fl);
        boolean inPlace = reuse != null && Uses.onlyReader(g, reuse, p) && reuse.type().shape().equals(shape);
        return g.addConstant(inPlace ? reuse.name() : g.freshName(base), t, null);
    }
}
