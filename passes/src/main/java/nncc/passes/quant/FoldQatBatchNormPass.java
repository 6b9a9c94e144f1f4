package nncc.passes.quant;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Add;
import nncc.ir.op.BatchNormalization;
import nncc.ir.op.Conv;
import nncc.ir.op.DequantizeLinear;
import nncc.ir.op.Div;
import nncc.passes.Pass;
import nncc.passes.PassResult;

/**
 * Folds the convolution of a PyTorch QAT model exported before {@code convert} (torch's ConvBn training form) into a
 * plain pre-quantized convolution, so {@code lower-qdq} lowers it like any other. PyTorch writes
 * {@code BN(conv(x, fq(W * f)) / f + b)} with {@code f = gamma / sqrt(var + eps)} folded to constants, i.e.
 * {@code DequantizeLinear(codes, s_w, z_w) -> Conv -> Div(d) -> [Add(b)] -> BatchNormalization}. Everything after
 * the conv is per output channel {@code c} affine, so
 * {@code y = conv(x, (codes - z_w) * s_w) * r[c] + beta'[c]} with
 * {@code r[c] = gamma[c] / (d[c] * sqrt(var[c] + eps))} (1 up to rounding when d = f, as PyTorch exports it) and
 * {@code beta'[c] = (b0[c] / d[c] + b[c] - mean[c]) * gamma[c] / sqrt(var[c] + eps) + beta[c]} ({@code b0}: the
 * conv's own, zero, bias). The weight codes stay what the fake-quant computed; {@code r} goes into a per-channel
 * weight scale {@code s_w * r[c]} (so into each channel's requantization multiplier {@code s_x s_w r / s_y}), and
 * {@code beta'} becomes the conv's float bias, which {@code lower-qdq} rounds to int32 at scale {@code s_x s_w r}.
 * In real numbers the folded conv computes exactly what the exported graph computes; the new scale is rounded to
 * float32 once (relative 2^-24) and the bias to the int32 grid (half an accumulator step). Computed in double from
 * the float32 constants. The conv then writes the BatchNormalization's output value, so the names after it stay.
 *
 * <p>Folds only when the weights are a DequantizeLinear of int8/uint8 constant codes with constant parameters (per
 * tensor or along axis 0; run {@code fold-weight-quantize} first for PyTorch's fake-quantized float weights), every
 * link is the only reader of the one before (and no graph output), the divisor, addend and BatchNormalization
 * parameters are float constants with one value per channel (or one in all), and every {@code s_w * r[c]} is
 * positive and finite. Otherwise nothing changes and the statistics say why, naming the node.
 *
 * <pre>{@code
 * // before (d = f = [2.0, 0.5]: gamma = [2, 1], var = [1 - eps, 4 - eps], mean = [1, 0], beta = [0.5, 0])
 * node @wdq = DequantizeLinear {axis = 1} (%wq, %ws, %wz) -> (%wf : f32[2,1,1,1])     // codes [50, -40], s_w 0.01
 * node @conv = Conv {...} (%xf, %wf, %zero) -> (%c : f32[1,2,2,2])
 * node @div = Div (%c, %d) -> (%cd : f32[1,2,2,2])
 * node @bn = BatchNormalization {epsilon = 1.0E-5} (%cd, %gamma, %beta, %mean, %var) -> (%y : f32[1,2,2,2])
 * // after: r = [1, 1], s_w * r = [0.01, 0.01], beta' = [(0 - 1) * 2 + 0.5, 0] = [-1.5, 0]
 * node @wdq_1 = DequantizeLinear {axis = 0} (%wq, %conv.weight_scale, %conv.weight_zp) -> (%conv.weight : f32[2,1,1,1])
 * node @conv = Conv {...} (%xf, %conv.weight, %conv.bias) -> (%y : f32[1,2,2,2])
 * }</pre>
 *
 * Cost: linear in the number of nodes and the size of the folded constants.
 */
public final class FoldQatBatchNormPass implements Pass {
    public static final String NAME = "fold-qat-batchnorm";

    /** The matched chain: weight dequantize, conv, divide, optional add, batch normalization. */
    private record Chain(Node weights, Node conv, Node div, Node add, Node bn) {}

    @Override public String name() { return NAME; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("conv-batchnorm folded", "not folded");
        for (Node snapshot : List.copyOf(g.nodes())) {
            if (!(snapshot.op() instanceof Conv)) continue;
            Node conv = g.nodesByName().get(snapshot.name());
            Node div = onlyReader(g, conv.output());
            if (div == null || !(div.op() instanceof Div) || !div.input(0).equals(conv.output())) continue; // not this form
            Object m = match(g, conv, div);
            String why = m instanceof String s ? s : fold(g, (Chain) m);
            if (why == null) stats.inc("conv-batchnorm folded");
            else {
                stats.inc("not folded");
                stats.inc(String.format(Locale.ROOT, "not folded: node '%s': %s", conv.name(), why));
            }
        }
        g.removeUnusedConstants();
        return stats.resultChangedBy("conv-batchnorm folded");
    }

    /** The chain from {@code conv} through {@code div} to a BatchNormalization, or why it is not one to fold. */
    private static Object match(Graph g, Node conv, Node div) {
        if (((Conv) conv.op()).activation() != nncc.ir.op.Activation.NONE)
            return "the conv has a fused activation, so what follows it is not affine in its sums";
        Node w = g.producer(conv.input(1));
        if (w == null || !(w.op() instanceof DequantizeLinear)) return "weights %" + conv.input(1).name() + " are not dequantized";
        Tensor codes = g.constantData(w.input(0));
        if (codes == null || (codes.dtype() != DType.I8 && codes.dtype() != DType.U8))
            return "weights are not a DequantizeLinear of int8/uint8 constant codes";
        if (conv.inputs().size() > 2 && floats(g, conv.input(2)) == null) return "bias %" + conv.input(2).name() + " is not a float constant";
        Node next = onlyReader(g, div.output());
        Node add = null;
        if (next != null && next.op() instanceof Add) {
            add = next;
            next = onlyReader(g, add.output());
        }
        if (next == null || !(next.op() instanceof BatchNormalization))
            return "%" + (add == null ? div : add).output().name() + " is not read by one BatchNormalization alone";
        for (int i = 1; i < 5; i++)
            if (floats(g, next.input(i)) == null) return "parameter %" + next.input(i).name() + " of the BatchNormalization is not a float constant";
        return new Chain(w, conv, div, add, next);
    }

    /** Rewrites the chain (null), or says why not without changing anything. */
    private static String fold(Graph g, Chain ch) {
        Shape out = ch.conv().output().type().shape();
        int channels = Math.toIntExact(ch.conv().input(1).type().shape().dim(0));
        double[] d = perChannel(g, ch.div().input(1), out, channels);
        if (d == null) return "divisor %" + ch.div().input(1).name() + " is not a constant with one value per output channel";
        double[] b = new double[channels];
        if (ch.add() != null) {
            Value addend = ch.add().input(0).equals(ch.div().output()) ? ch.add().input(1) : ch.add().input(0);
            b = perChannel(g, addend, out, channels);
            if (b == null) return "addend %" + addend.name() + " is not a constant with one value per output channel";
        }
        double[] b0 = ch.conv().inputs().size() > 2 ? floats(g, ch.conv().input(2)) : new double[channels];
        if (b0.length != channels) return "bias of the conv has " + b0.length + " values for " + channels + " channels";
        float eps = ((BatchNormalization) ch.bn().op()).epsilon();
        double[] gamma = floats(g, ch.bn().input(1)), beta = floats(g, ch.bn().input(2));
        double[] mean = floats(g, ch.bn().input(3)), var = floats(g, ch.bn().input(4));
        float[] ws = g.constantData(ch.weights().input(1)).toFloats();
        Tensor zt = ch.weights().inputs().size() > 2 ? g.constantData(ch.weights().input(2)) : null;
        if (ch.weights().inputs().size() > 2 && zt == null) return "weight zero point is not constant";
        long[] wz = zt == null ? new long[ws.length] : zt.toLongs();
        int rank = ch.conv().input(1).type().rank();
        if (ws.length != 1 && ((((DequantizeLinear) ch.weights().op()).axis() + rank) % rank != 0 || ws.length != channels))
            return "weights are quantized along another axis than the output channels";
        float[] scale = new float[channels];
        long[] zp = new long[channels];
        float[] bias = new float[channels];
        for (int c = 0; c < channels; c++) {
            double bnScale = gamma[c] / Math.sqrt(var[c] + (double) eps);
            double r = bnScale / d[c];
            scale[c] = (float) (ws[ws.length == 1 ? 0 : c] * r);
            if (!(scale[c] > 0) || !Float.isFinite(scale[c]))
                return String.format(Locale.ROOT, "output channel %d: weight scale %s times rescale %s is %s, not positive",
                        c, ws[ws.length == 1 ? 0 : c], r, scale[c]);
            zp[c] = wz[wz.length == 1 ? 0 : c];
            bias[c] = (float) ((b0[c] / d[c] + b[c] - mean[c]) * bnScale + beta[c]);
        }
        String base = ch.conv().name();
        Value scales = g.addConstant(g.freshName(base + ".weight_scale"), Tensor.ofFloats(Shape.of(channels), scale));
        Value zps = g.addConstant(g.freshName(base + ".weight_zp"), Tensor.ofLongs(g.constantData(ch.weights().input(0)).dtype(),
                Shape.of(channels), zp));
        Value biasValue = g.addConstant(g.freshName(base + ".bias"), Tensor.ofFloats(Shape.of(channels), bias));
        Value weights = new Value(g.freshName(base + ".weight"), TensorType.of(DType.F32, ch.conv().input(1).type().shape()));
        Node dq = new Node(g.freshName(ch.weights().name()), new DequantizeLinear(0), List.of(ch.weights().input(0), scales, zps),
                List.of(weights));
        List<Value> inputs = new ArrayList<>(List.of(ch.conv().input(0), weights, biasValue));
        Node conv = new Node(ch.conv().name(), ch.conv().op(), inputs, List.of(ch.bn().output()));
        g.removeNode(ch.bn());
        if (ch.add() != null) g.removeNode(ch.add());
        g.removeNode(ch.div());
        g.replaceNode(ch.conv(), List.of(dq, conv));
        if (g.consumers(ch.weights().output()).isEmpty()) g.removeNode(ch.weights());
        return null;
    }

    /** The one node reading {@code v} when {@code v} is not a graph output; else null. */
    private static Node onlyReader(Graph g, Value v) {
        List<Node> readers = g.consumers(v);
        return readers.size() == 1 && !g.outputs().contains(v) ? readers.get(0) : null;
    }

    /** A float constant's values in double, or null. */
    private static double[] floats(Graph g, Value v) {
        Tensor t = g.constantData(v);
        return t == null || !t.dtype().isFloat() ? null : t.toDoubles();
    }

    /**
     * One value per output channel of a float constant broadcast against a conv output of shape {@code out}: a
     * single value, or {@code channels} values lying along dim 1 of the output once right-aligned ([C,1,1],
     * [1,C,1,1]). Null otherwise.
     */
    private static double[] perChannel(Graph g, Value v, Shape out, int channels) {
        double[] x = floats(g, v);
        if (x == null) return null;
        double[] r = new double[channels];
        if (x.length == 1) {
            java.util.Arrays.fill(r, x[0]);
            return r;
        }
        Shape s = v.type().shape();
        if (x.length != channels || s.rank() > out.rank() || s.rank() < out.rank() - 1) return null;
        int offset = out.rank() - s.rank();
        for (int k = 0; k < s.rank(); k++) if (s.dim(k) != (k + offset == 1 ? channels : 1)) return null;
        System.arraycopy(x, 0, r, 0, channels);
        return r;
    }
}
