package nncc.tpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Concat;
import nncc.ir.op.Dequantize;
import nncc.ir.op.Flatten;
import nncc.ir.op.Pad;
import nncc.ir.op.QLut;
import nncc.ir.op.QMul;
import nncc.ir.op.Quantize;
import nncc.ir.op.Requantize;
import nncc.ir.op.MaxPool;
import nncc.ir.op.QAdd;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.QMean;
import nncc.ir.op.QSoftmax;
import nncc.ir.op.Reshape;
import nncc.ir.op.Transpose;
import org.tensorflow.lite.schema.*;

/**
 * Serializes a lowered int8 graph as a TFLite flatbuffer, as it is: it computes no number and moves no data. Scales,
 * zero points and clamps come from the IR (TFLite's runtime derives its multipliers from the scales, as nncc's
 * quantizer did); tensors are written with the IR's shapes and constants with the IR's bytes. The graph must be in
 * TFLite's layout, which the {@code tflite-legalize} passes make it ({@code compile --target tpu} runs them): convs and
 * pools {@code layout = nhwc} with OHWI / depthwise [1,H,W,C*M] filters ({@code tflite-nhwc}), conv pads SAME or VALID
 * ({@code tflite-explicit-padding}). Axes (CONCATENATION, MEAN, PAD, STRIDED_SLICE) are written as the IR states them,
 * and a Transpose or Reshape left in the IR is a TRANSPOSE or RESHAPE. Constant buffers are deduplicated and their data
 * aligned to 16 bytes. A symbolic batch is written as 1.
 */
public final class TfliteWriter {
    private final Graph g;
    private final TfliteModelParts parts = new TfliteModelParts();
    private final Map<String, Integer> tensorOf = new HashMap<>();

    private TfliteWriter(Graph g) { this.g = g; }

    private TfliteWriterSlices slices() { return new TfliteWriterSlices(parts, this::tensor); }

    /** The .tflite bytes of {@code g}. */
    public static byte[] write(Graph g) {
        return new TfliteWriter(g).build();
    }

    private byte[] build() {
        int[] inputs = g.inputs().stream().mapToInt(this::tensor).toArray();
        for (Node n : g.nodes()) {
            try {
                node(n);
            } catch (ModelException e) {
                throw e.node() == null ? e.atNode(n.name()) : e;
            }
        }
        int[] outputs = g.outputs().stream().mapToInt(this::tensor).toArray();
        return TfliteModelParts.pack(parts.model(g.name(), inputs, outputs));
    }

    private void node(Node n) {
        if (nncc.ir.OnnxArithmetic.uses(n.op())) throw nncc.ir.OnnxArithmetic.refusal(n.name(), "tpu");
        switch (n.op()) {
            case QConv op -> conv(n, op);
            case nncc.ir.op.QConvTranspose op -> TfliteWriterLayout.transposeConv(n, op, parts, this::tensor, constant(n, n.input(1)),
                    n.inputs().size() > 2 ? constant(n, n.input(2)) : null, activation(n, op.actMin(), op.actMax()));
            case QGemm op -> fullyConnected(n, op);
            case MaxPool op -> {
                if (n.outputs().size() > 1) throw n.error("MaxPool indices have no TFLite equivalent");
                pool(n, op.layout(), BuiltinOperator.MAX_POOL_2D, op.kernel(), op.strides(), op.pads(), ActivationFunctionType.NONE);
            }
            case QAveragePool op -> pool(n, op.layout(), BuiltinOperator.AVERAGE_POOL_2D, op.kernel(), op.strides(), op.pads(),
                    activation(n, op.actMin(), op.actMax()));
            case QAdd op -> {
                sameShapes(n);
                byte act = activation(n, op.actMin(), op.actMax());
                int version = n.output().type().dtype() == DType.I16 ? 3 : 2;
                if (op.subtract()) {
                    var o = new SubOptionsT();
                    o.setFusedActivationFunction(act);
                    parts.op(BuiltinOperator.SUB, version, ins(n.input(0), n.input(1)), tensor(n.output()), BuiltinOptions.SubOptions, o);
                } else {
                    var o = new AddOptionsT();
                    o.setFusedActivationFunction(act);
                    parts.op(BuiltinOperator.ADD, version, ins(n.input(0), n.input(1)), tensor(n.output()), BuiltinOptions.AddOptions, o);
                }
            }
            case QMul op -> {
                sameShapes(n);
                var o = new MulOptionsT();
                o.setFusedActivationFunction(activation(n, op.actMin(), op.actMax()));
                parts.op(BuiltinOperator.MUL, 2, ins(n.input(0), n.input(1)), tensor(n.output()), BuiltinOptions.MulOptions, o);
            }
            case Quantize op -> parts.op(BuiltinOperator.QUANTIZE, 2, ins(n.input(0)), tensor(n.output()), BuiltinOptions.QuantizeOptions, new QuantizeOptionsT());
            case Requantize op -> parts.op(BuiltinOperator.QUANTIZE, 2, ins(n.input(0)), tensor(n.output()), BuiltinOptions.QuantizeOptions, new QuantizeOptionsT());
            case Dequantize op -> parts.op(BuiltinOperator.DEQUANTIZE, 2, ins(n.input(0)), tensor(n.output()), BuiltinOptions.DequantizeOptions, new DequantizeOptionsT());
            case Concat op -> {
                int rank = n.output().type().rank(), axis = op.axis() < 0 ? op.axis() + rank : op.axis();
                var o = new ConcatenationOptionsT();
                o.setAxis(axis);
                parts.op(BuiltinOperator.CONCATENATION, 2, ins(n.inputs().toArray(Value[]::new)), tensor(n.output()),
                        BuiltinOptions.ConcatenationOptions, o);
            }
            case Pad op -> {
                if (op.mode() == Pad.Mode.CONSTANT && !op.pads().isEmpty() && op.pads().stream().allMatch(p -> p <= 0)) slices().crop(n, op);
                else slices().pad(n, op);
            }
            case nncc.ir.op.Slice op -> slices().slice(n, op);
            case QLut op -> lut(n, op);
            case QSoftmax op -> {
                if (n.input(0).type().rank() != 2) throw n.error("SOFTMAX is written for rank-2 inputs only");
                var o = new SoftmaxOptionsT();
                o.setBeta(1f);
                parts.op(BuiltinOperator.SOFTMAX, 2, ins(n.input(0)), tensor(n.output()), BuiltinOptions.SoftmaxOptions, o);
            }
            case QMean op -> mean(n, op);
            case Flatten f -> rows(n);
            case Reshape r -> rows(n);
            case Transpose t -> transpose(n, t);
            default -> throw n.error("no TFLite mapping for " + n.op().opName() + " in the writer yet");
        }
    }

    private void conv(Node n, QConv op) {
        Value x = n.input(0), w = n.input(1), y = n.output();
        Tensor wd = constant(n, w);
        long[] ws = wd.shape().dims(), xs = x.type().shape().dims(), ys = y.type().shape().dims();
        requireNhwc(n, op.layout());
        boolean depthwise = op.group() > 1;
        if (depthwise && (op.group() != xs[3] || ws[0] != 1)) throw n.error("grouped convolution other than depthwise");
        int f = parts.constant(w.name(), wd, w.type().quant());
        Integer mode = TfliteWriterLayout.paddingOf(op.pads(), op.strides(), op.dilations(), xs, ws[1], ws[2], ys);
        if (mode == null) throw n.error("conv pads " + op.pads() + " are neither TFLite's SAME nor VALID (the "
                + "tflite-explicit-padding pass of the tflite-legalize pipeline moves them into a Pad)");
        List<Integer> inputs = new ArrayList<>(List.of(tensor(x), f));
        if (n.inputs().size() > 2) inputs.add(parts.constant(n.input(2).name(), constant(n, n.input(2)), n.input(2).type().quant()));
        else inputs.add(-1);
        int padding = mode;
        byte act = activation(n, op.actMin(), op.actMax());
        if (depthwise) {
            var o = new DepthwiseConv2DOptionsT();
            o.setPadding((byte) padding);
            o.setStrideH(op.strides().get(0));
            o.setStrideW(op.strides().get(1));
            o.setDilationHFactor(op.dilations().get(0));
            o.setDilationWFactor(op.dilations().get(1));
            o.setDepthMultiplier((int) (ws[3] / xs[3]));
            o.setFusedActivationFunction(act);
            parts.op(BuiltinOperator.DEPTHWISE_CONV_2D, 3, toArray(inputs), tensor(y), BuiltinOptions.DepthwiseConv2DOptions, o);
        } else {
            var o = new Conv2DOptionsT();
            o.setPadding((byte) padding);
            o.setStrideH(op.strides().get(0));
            o.setStrideW(op.strides().get(1));
            o.setDilationHFactor(op.dilations().get(0));
            o.setDilationWFactor(op.dilations().get(1));
            o.setFusedActivationFunction(act);
            parts.op(BuiltinOperator.CONV_2D, 3, toArray(inputs), tensor(y), BuiltinOptions.Conv2DOptions, o);
        }
    }

    private void pool(Node n, nncc.ir.op.Layout layout, int code, List<Integer> kernel, List<Integer> strides, List<Integer> pads, byte act) {
        requireNhwc(n, layout);
        long[] xs = n.input(0).type().shape().dims(), ys = n.output().type().shape().dims();
        Integer padding = TfliteWriterLayout.paddingOf(pads, strides, List.of(1, 1), xs, kernel.get(0), kernel.get(1), ys);
        if (padding == null) throw n.error("pool pads " + pads + " are neither TFLite's SAME nor VALID");
        var o = new Pool2DOptionsT();
        o.setPadding(padding.byteValue());
        o.setStrideH(strides.get(0));
        o.setStrideW(strides.get(1));
        o.setFilterHeight(kernel.get(0));
        o.setFilterWidth(kernel.get(1));
        o.setFusedActivationFunction(act);
        parts.op(code, 2, ins(n.input(0)), tensor(n.output()), BuiltinOptions.Pool2DOptions, o);
    }

    /**
     * A lookup table as the TFLite op it stands for, only when the table is exactly what TFLite computes for that op
     * on these quantization parameters ({@link TflitePrepare}), so the runtime's result is the IR's.
     */
    private void lut(Node n, QLut op) {
        Value x = n.input(0), y = n.output();
        QuantParams xq = x.type().quant(), yq = y.type().quant();
        if (xq == null || yq == null) throw n.error("QLut needs quantized input and output");
        DType in = x.type().dtype(), out = y.type().dtype();
        int code;
        java.util.function.IntUnaryOperator tflite;
        Object options = null;
        byte optionsType = BuiltinOptions.NONE;
        switch (op.function()) {
            case LEAKY_RELU -> {
                code = BuiltinOperator.LEAKY_RELU;
                tflite = TflitePrepare.leakyRelu(op.alpha(), xq, yq);
                var o = new LeakyReluOptionsT();
                o.setAlpha(op.alpha());
                options = o;
                optionsType = BuiltinOptions.LeakyReluOptions;
            }
            case RELU -> { code = BuiltinOperator.RELU; tflite = TflitePrepare.relu(TflitePrepare.ACT_RELU, xq, yq, out); }
            case CLIP -> {
                boolean six = op.alpha() == 0 && op.beta() == 6, one = op.alpha() == -1 && op.beta() == 1;
                if (!six && !one) throw n.error("clip [" + op.alpha() + ", " + op.beta() + "] is no TFLite op");
                code = six ? BuiltinOperator.RELU6 : BuiltinOperator.RELU_N1_TO_1;
                tflite = TflitePrepare.relu(six ? TflitePrepare.ACT_RELU6 : TflitePrepare.ACT_RELU_N1_TO_1, xq, yq, out);
            }
            case SIGMOID -> { code = BuiltinOperator.LOGISTIC; tflite = TflitePrepare.floatFunction(v -> 1 / (1 + Math.exp(-v)), xq, yq); }
            case TANH -> { code = BuiltinOperator.TANH; tflite = TflitePrepare.floatFunction(Math::tanh, xq, yq); }
            default -> throw n.error("no TFLite op computes a " + op.function() + " table");
        }
        Tensor table = constant(n, n.input(1));
        if (!java.util.Arrays.equals(table.toLongs(), TflitePrepare.table(in, out, tflite).toLongs()))
            throw n.error("the " + op.function() + " table differs from what TFLite computes for " + BuiltinOperator.name(code)
                    + " on these scales, so the runtime would not give the IR's integers");
        int version = code == BuiltinOperator.LEAKY_RELU ? (in == DType.I16 ? 2 : 1) : (in == DType.I16 ? 3 : 2);
        parts.op(code, version, ins(x), tensor(y), optionsType, options);
    }

    /**
     * Binary ops broadcast as numpy does, also across ranks (the smaller shape is read with leading 1s): TFLite's ADD,
     * SUB and MUL extend shapes the same way, so the file means what the IR does. (For NHWC data the tflite-nhwc pass
     * already gave lower-rank operands rank 4 in NHWC order.)
     */
    private void sameShapes(Node n) {
        nncc.ir.Shape a = n.input(0).type().shape(), b = n.input(1).type().shape();
        if (a.equals(b)) return;
        for (int i = 1; i <= Math.min(a.rank(), b.rank()); i++) {
            int ia = a.rank() - i, ib = b.rank() - i;
            if (!a.isSymbolic(ia) && !b.isSymbolic(ib) && a.dim(ia) != b.dim(ib) && a.dim(ia) != 1 && b.dim(ib) != 1)
                throw n.error("operands " + a + " and " + b + " do not broadcast");
        }
    }

    /** QMean to MEAN over the same axes (TFLite derives its own 1/n multiplier; tflite-mean-numbers made the IR's equal). */
    private void mean(Node n, QMean op) {
        int rank = n.input(0).type().rank();
        long[] axes = op.axes().stream().mapToLong(a -> a < 0 ? a + rank : a).sorted().toArray();
        int at = parts.constant(n.name() + "/axes", Tensor.ofLongs(DType.I32, nncc.ir.Shape.of(axes.length), axes), null);
        var o = new ReducerOptionsT();
        o.setKeepDims(op.keepDims());
        parts.op(BuiltinOperator.MEAN, 2, new int[] {tensor(n.input(0)), at}, tensor(n.output()), BuiltinOptions.ReducerOptions, o);
    }

    /** Flatten or Reshape: a RESHAPE to the output's shape (batch 1); the data keeps its order, as in the IR. */
    private void rows(Node n) {
        long[] target = n.output().type().shape().dims();
        if (target.length > 0) target[0] = 1;
        int shape = parts.constant(n.output().name() + "/shape", Tensor.ofLongs(DType.I32, nncc.ir.Shape.of(target.length), target), null);
        var o = new ReshapeOptionsT();
        o.setNewShape(Arrays.stream(target).mapToInt(v -> (int) v).toArray());
        parts.op(BuiltinOperator.RESHAPE, 1, new int[] {tensor(n.input(0)), shape}, tensor(n.output()), BuiltinOptions.ReshapeOptions, o);
    }

    private void transpose(Node n, Transpose t) {
        long[] perm = t.perm().stream().mapToLong(Integer::longValue).toArray();
        int pt = parts.constant(n.name() + "/perm", Tensor.ofLongs(DType.I32, nncc.ir.Shape.of(perm.length), perm), null);
        parts.op(BuiltinOperator.TRANSPOSE, 2, new int[] {tensor(n.input(0)), pt}, tensor(n.output()), BuiltinOptions.TransposeOptions, new TransposeOptionsT());
    }

    /** A conv or pool on rank-4 tensors must be in TFLite's layout: the tflite-nhwc pass puts it there. */
    private static void requireNhwc(Node n, nncc.ir.op.Layout layout) {
        if (layout != nncc.ir.op.Layout.NHWC && n.input(0).type().rank() == 4)
            throw n.error("layout " + layout.name().toLowerCase(java.util.Locale.ROOT) + " is not TFLite's: run the tflite-nhwc pass "
                    + "(in the tflite-legalize pipeline) before writing");
    }

    private void fullyConnected(Node n, QGemm op) {
        Value x = n.input(0), w = n.input(1);
        Tensor wd = constant(n, w);
        List<Integer> inputs = new ArrayList<>(List.of(tensor(x), parts.constant(w.name() + "/tflite", wd, w.type().quant())));
        inputs.add(n.inputs().size() > 2 ? parts.constant(n.input(2).name(), constant(n, n.input(2)), n.input(2).type().quant()) : -1);
        var o = new FullyConnectedOptionsT();
        o.setFusedActivationFunction(activation(n, op.actMin(), op.actMax()));
        parts.op(BuiltinOperator.FULLY_CONNECTED, w.type().quant().isPerAxis() ? 12 : 4, toArray(inputs), tensor(n.output()),
                BuiltinOptions.FullyConnectedOptions, o);
    }


    /** The fused activation whose TFLite clamp equals [actMin, actMax] on the output's parameters. */
    private static byte activation(Node n, int actMin, int actMax) {
        Value y = n.output();
        QuantParams q = y.type().quant();
        for (int a : new int[] {TflitePrepare.ACT_NONE, TflitePrepare.ACT_RELU, TflitePrepare.ACT_RELU6, TflitePrepare.ACT_RELU_N1_TO_1}) {
            int[] r = TflitePrepare.activationRange(a, q.scale(0), q.zeroPoint(0), y.type().dtype());
            if (r[0] == actMin && r[1] == actMax) return (byte) a;
        }
        throw n.error("clamp [" + actMin + ", " + actMax + "] is no TFLite fused activation on " + y.type());
    }

    private Tensor constant(Node n, Value v) {
        Tensor t = g.constantData(v);
        if (t == null) throw n.error("%" + v.name() + " must be a constant");
        return t;
    }

    private int[] ins(Value... vs) { return Arrays.stream(vs).mapToInt(this::tensor).toArray(); }

    private static int[] toArray(List<Integer> l) { return l.stream().mapToInt(Integer::intValue).toArray(); }

    /** The TFLite tensor of an activation value (its IR shape, a symbolic batch as 1). */
    private int tensor(Value v) {
        Integer t = tensorOf.get(v.name());
        if (t != null) return t;
        if (g.isConstant(v)) throw new ModelException("constant %" + v.name() + " used as an activation is not written yet");
        long[] d = v.type().shape().dims();
        for (int i = 0; i < d.length; i++) if (v.type().shape().isSymbolic(i)) d[i] = 1;
        int idx = parts.tensor(v.name(), v.type().dtype(), d, v.type().quant());
        tensorOf.put(v.name(), idx);
        return idx;
    }
}
