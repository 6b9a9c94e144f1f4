package nncc.passes.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.*;

/**
 * The ConvBn training form of a convolution followed by a BatchNormalization (Krishnamoorthi 2018, section 3.2; the
 * form PyTorch's QAT modules export): the weights are scaled by {@code f = gamma / sqrt(var + eps)} (running
 * variance) before the weight fake-quant, the conv output is divided by {@code f} again, the conv's bias is added
 * and the BatchNormalization follows. With batch statistics this normalizes the conv output as the float network
 * did, while the weight fake-quant already sees the folded weights; with running statistics (frozen, and after
 * training) it is the folded conv {@code conv(x, fq(w * f)) + beta + f * (b - mean)}, which {@link #fold} writes
 * as one Conv for the lowering. {@code f} is one float32 per output channel, computed by {@link #factor} here and
 * in training, so the folded weights are the same floats in both.
 *
 * <pre>{@code
 * // before
 * node @conv = Conv {...} (%x, %w, %b) -> (%c : f32[?N,4,6,6])
 * node @bn = BatchNormalization {epsilon = 1.0E-5} (%c, %g, %beta, %mean, %var) -> (%n : f32[?N,4,6,6])
 * // after rewrite (f = g / sqrt(var + eps) in both constants)
 * node @conv.fold = Mul (%w, %conv.bn_factor) -> (%conv.folded_weight : f32[4,3,3,3])
 * node @conv = Conv {...} (%x, %conv.folded_weight) -> (%c : f32[?N,4,6,6])
 * node @conv.unfold = Div (%c, %conv.bn_divisor) -> (%conv.unfolded : f32[?N,4,6,6])
 * node @conv.bias = Add (%conv.unfolded, %conv.bias_c) -> (%conv.biased : f32[?N,4,6,6])
 * node @bn = BatchNormalization {epsilon = 1.0E-5} (%conv.biased, %g, %beta, %mean, %var) -> (%n : f32[?N,4,6,6])
 * // after fold (training done; the weight FakeQuant, when there is one, stays on the folded constant)
 * node @conv = Conv {...} (%x, %conv.folded_weight, %conv.folded_bias) -> (%n : f32[?N,4,6,6])
 * }</pre>
 */
public final class ConvBnForm {
    private ConvBnForm() {}

    /** One chain: weight scaling, optional weight FakeQuant, conv, division, optional bias add, batch norm. */
    public record Chain(Node scale, Node weightQuant, Node conv, Node divide, Node bias, Node batchNorm) {
        List<Node> nodes() {
            List<Node> l = new ArrayList<>();
            for (Node n : new Node[] {scale, weightQuant, conv, divide, bias, batchNorm}) if (n != null) l.add(n);
            return l;
        }

        float epsilon() { return ((BatchNormalization) batchNorm.op()).epsilon(); }
    }

    /** {@code f[c] = gamma[c] / sqrt(var[c] + eps)}, in double, rounded to float32 once. */
    static float[] factor(float[] gamma, float[] var, float eps) {
        float[] f = new float[gamma.length];
        for (int c = 0; c < f.length; c++) f[c] = (float) (gamma[c] / Math.sqrt((double) var[c] + eps));
        return f;
    }

    /** {@code w * f[c]} in float32 for weights whose dim 0 is the output channel. */
    static void foldWeights(float[] w, float[] f, float[] out) {
        int per = w.length / f.length;
        for (int i = 0; i < w.length; i++) out[i] = w[i] * f[i / per];
    }

    /** {@code beta + f * (b - mean)} per channel ({@code b} may be null: no conv bias). */
    static float foldedBias(float beta, float f, float b, float mean) {
        return (float) (beta + (double) f * ((double) b - mean));
    }

    /** Whether {@code g} has a BatchNormalization that {@link #rewrite} would not take (not after a conv). */
    public static List<String> loneBatchNorms(Graph g) {
        List<String> lone = new ArrayList<>();
        for (Node n : g.nodes())
            if (n.op() instanceof BatchNormalization && convBefore(g, n) == null) lone.add(n.name());
        return lone;
    }

    /** Rewrites every Conv followed by its only reader, a BatchNormalization, into the ConvBn form; returns how many. */
    public static int rewrite(Graph g) {
        int count = 0;
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            Node bn = n.op() instanceof Conv ? onlyReader(g, n.output()) : null;
            if (bn == null || !(bn.op() instanceof BatchNormalization) || convBefore(g, bn) != n) {
                nodes.add(n.op() instanceof BatchNormalization && convBefore(g, n) != null ? null : n);
                continue;
            }
            count++;
            Conv op = (Conv) n.op();
            BatchNormalization bop = (BatchNormalization) bn.op();
            Value w = n.input(1);
            int channels = Math.toIntExact(w.type().shape().dim(0));
            float[] f = factor(g.constantData(bn.input(1)).toFloats(), g.constantData(bn.input(4)).toFloats(), bop.epsilon());
            Value factor = g.addConstant(g.freshName(n.name() + ".bn_factor"),
                    Tensor.ofFloats(Shape.of(channels, 1, 1, 1), f));
            Value folded = new Value(g.freshName(n.name() + ".folded_weight"), TensorType.of(DType.F32, w.type().shape()));
            nodes.add(new Node(g.freshName(n.name() + ".fold"), new Mul(Activation.NONE), List.of(w, factor), List.of(folded)));
            nodes.add(new Node(n.name(), new Conv(op.strides(), op.pads(), op.dilations(), op.group()),
                    List.of(n.input(0), folded), List.of(n.output())));
            Value divisor = g.addConstant(g.freshName(n.name() + ".bn_divisor"), Tensor.ofFloats(Shape.of(1, channels, 1, 1), f));
            TensorType t = TensorType.of(DType.F32, n.output().type().shape());
            Value last = new Value(g.freshName(n.name() + ".unfolded"), t);
            nodes.add(new Node(g.freshName(n.name() + ".unfold"), new Div(), List.of(n.output(), divisor), List.of(last)));
            if (n.inputs().size() > 2) {
                Value b = g.addConstant(g.freshName(n.name() + ".bias_c"),
                        Tensor.ofFloats(Shape.of(1, channels, 1, 1), g.constantData(n.input(2)).toFloats()));
                Value biased = new Value(g.freshName(n.name() + ".biased"), t);
                nodes.add(new Node(g.freshName(n.name() + ".bias"), new Add(Activation.NONE), List.of(last, b), List.of(biased)));
                last = biased;
            }
            List<Value> bnIns = new ArrayList<>(bn.inputs());
            bnIns.set(0, last);
            nodes.add(bn.withInputs(bnIns));
        }
        g.setNodes(nodes.stream().filter(java.util.Objects::nonNull).toList());
        g.removeUnusedConstants();
        return count;
    }

    /** The conv before BatchNormalization {@code bn} that {@link #rewrite} folds into it, or null. */
    private static Node convBefore(Graph g, Node bn) {
        Node conv = g.producer(bn.input(0));
        if (conv == null || !(conv.op() instanceof Conv op) || op.activation() != Activation.NONE || onlyReader(g, conv.output()) != bn)
            return null;
        if (conv.input(0).type().rank() != 4 || !g.isConstant(conv.input(1)) || !g.constantData(conv.input(1)).dtype().isFloat()
                || conv.inputs().size() > 2 && !g.isConstant(conv.input(2)))
            return null;
        long channels = conv.input(1).type().shape().dim(0);
        for (int i = 1; i < 5; i++) {
            Tensor p = g.constantData(bn.input(i));
            if (p == null || !p.dtype().isFloat() || p.shape().numElements() != channels) return null;
        }
        return conv;
    }

    private static Node onlyReader(Graph g, Value v) {
        if (g.outputs().stream().anyMatch(o -> o.name().equals(v.name()))) return null;
        List<Node> readers = g.consumers(v);
        return readers.size() == 1 && readers.get(0).inputs().stream().filter(v::equals).count() == 1 ? readers.get(0) : null;
    }

    /** The chain starting at weight scaling {@code mul} in {@code g}, or null when {@code mul} starts none. */
    public static Chain match(Graph g, Node mul) {
        if (!(mul.op() instanceof Mul m) || m.activation() != Activation.NONE || !g.isConstant(mul.input(0))
                || !g.isConstant(mul.input(1)))
            return null;
        Node next = onlyReader(g, mul.output()), fq = null;
        if (next != null && next.op() instanceof FakeQuant q && (q.axis() == 0 || q.axis() == -1)) {
            fq = next;
            next = onlyReader(g, fq.output());
        }
        if (next == null || !(next.op() instanceof Conv c) || c.activation() != Activation.NONE || next.inputs().size() != 2
                || !next.input(1).equals((fq == null ? mul : fq).output()))
            return null;
        Node conv = next, div = onlyReader(g, conv.output());
        if (div == null || !(div.op() instanceof Div) || !div.input(0).equals(conv.output()) || !g.isConstant(div.input(1))) return null;
        Node add = onlyReader(g, div.output()), bn = add;
        if (add != null && add.op() instanceof Add a && a.activation() == Activation.NONE && add.input(0).equals(div.output())
                && g.isConstant(add.input(1)))
            bn = onlyReader(g, add.output());
        else add = null;
        if (bn == null || !(bn.op() instanceof BatchNormalization b) || !bn.input(0).equals((add == null ? div : add).output()))
            return null;
        long channels = mul.input(0).type().shape().dim(0);
        List<Value> perChannel = new ArrayList<>(List.of(mul.input(1), div.input(1), bn.input(1), bn.input(2), bn.input(3), bn.input(4)));
        if (add != null) perChannel.add(add.input(1));
        for (Value v : perChannel) {
            Tensor t = g.constantData(v);
            if (t == null || !t.dtype().isFloat() || t.shape().numElements() != channels) return null;
        }
        // the IR's constants must be the factor training recomputes, or training would compute another graph
        float[] f = factor(g.constantData(bn.input(1)).toFloats(), g.constantData(bn.input(4)).toFloats(), b.epsilon());
        if (!java.util.Arrays.equals(f, g.constantData(mul.input(1)).toFloats()) || !java.util.Arrays.equals(f, g.constantData(div.input(1)).toFloats()))
            throw new ModelException(null, mul.name(), "ConvBn chain of conv '" + conv.name()
                    + "': the scaling constants are not gamma / sqrt(var + eps) of '" + bn.name() + "'");
        return new Chain(mul, fq, conv, div, add, bn);
    }

    /** All chains of {@code g}. */
    public static List<Chain> chains(Graph g) {
        List<Chain> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            Chain c = match(g, n);
            if (c != null) out.add(c);
        }
        return out;
    }

    /**
     * Folds every chain of a trained graph into one Conv reading the folded weights {@code w * f} (through the weight
     * FakeQuant when there is one) and the folded bias {@code beta + f * (b - mean)}, writing the BatchNormalization's
     * output. Returns how many were folded. The folded conv computes what the chain computes with running statistics.
     */
    public static int fold(Graph g) {
        List<Chain> chains = chains(g);
        if (chains.isEmpty()) return 0;
        Set<String> drop = new HashSet<>();
        java.util.Map<String, Node> replace = new java.util.HashMap<>();
        for (Chain ch : chains) {
            float[] gamma = g.constantData(ch.batchNorm.input(1)).toFloats(), beta = g.constantData(ch.batchNorm.input(2)).toFloats();
            float[] mean = g.constantData(ch.batchNorm.input(3)).toFloats(), var = g.constantData(ch.batchNorm.input(4)).toFloats();
            float[] b = ch.bias == null ? null : g.constantData(ch.bias.input(1)).toFloats();
            float[] f = factor(gamma, var, ch.epsilon());
            Tensor w = g.constantData(ch.scale.input(0));
            float[] wf = new float[w.toFloats().length];
            foldWeights(w.toFloats(), f, wf);
            Value weight = g.addConstant(g.freshName(ch.conv.name() + ".folded_weight"), Tensor.ofFloats(w.shape(), wf));
            float[] bias = new float[f.length];
            for (int c = 0; c < f.length; c++) bias[c] = foldedBias(beta[c], f[c], b == null ? 0f : b[c], mean[c]);
            Value biasValue = g.addConstant(g.freshName(ch.conv.name() + ".folded_bias"), Tensor.ofFloats(Shape.of(f.length), bias));
            Value convWeight = weight;
            if (ch.weightQuant != null) {
                replace.put(ch.weightQuant.name(), ch.weightQuant.withInputs(List.of(weight)));
                convWeight = ch.weightQuant.output();
            }
            replace.put(ch.conv.name(), new Node(ch.conv.name(), ch.conv.op(), List.of(ch.conv.input(0), convWeight, biasValue),
                    List.of(ch.batchNorm.output())));
            drop.add(ch.scale.name());
            drop.add(ch.divide.name());
            drop.add(ch.batchNorm.name());
            if (ch.bias != null) drop.add(ch.bias.name());
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) if (!drop.contains(n.name())) nodes.add(replace.getOrDefault(n.name(), n));
        g.setNodes(nodes);
        g.removeUnusedConstants();
        return chains.size();
    }
}
