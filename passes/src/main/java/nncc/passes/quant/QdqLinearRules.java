package nncc.passes.quant;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Conv;
import nncc.ir.op.Gemm;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.QLinearConv;
import nncc.ir.op.QLinearMatMul;

/**
 * {@link LowerQdqPass}'s rules for the layers with weights: DequantizeLinear-fed Conv, Gemm and MatMul followed by
 * QuantizeLinear, and ONNX's QLinearConv and QLinearMatMul, become QConv and QGemm with the model's own int8
 * weights, int32 bias and parameters. Each output channel's multiplier is {@code quantizeMultiplier(s_x * s_w[c] /
 * s_y)} with the product and ratio in double from the float32 scales, as {@link LinearLowering} computes it. A
 * rule returns null when it lowered the node, else why not.
 */
final class QdqLinearRules {
    private QdqLinearRules() {}

    /** Weights as QConv/QGemm take them: int8 codes [M, ...] with zero point 0, scales per tensor or per dim 0. */
    private record Weights(long[] codes, Shape shape, QuantParams params) {
        float scale(int c) { return params.scale(params.isPerAxis() ? c : 0); }

        int channels() { return Math.toIntExact(shape.dim(0)); }
    }

    static String conv(QdqGraph g, Node n, Conv op) {
        if (n.input(0).type().rank() != 4) return "only 2-D convolutions have an integer rule";
        Value x = g.activation(n.input(0));
        if (x == null) return "input %" + n.input(0).name() + " is not a DequantizeLinear of a quantized tensor";
        QdqGraph.IntConst wc = g.constant(n.input(1));
        if (wc == null || wc.type() != DType.I8) return "weights %" + n.input(1).name() + " are not a DequantizeLinear of int8/uint8 constants";
        Object w = weights(wc, false);
        if (w instanceof String why) return why;
        QdqGraph.Sink s = g.sink(n, op.activation().min(), op.activation().max(), true);
        if (s == null) return "its result is not quantized by one QuantizeLinear";
        Value bias = n.inputs().size() > 2 ? n.input(2) : null;
        return emit(g, n, x, (Weights) w, n.input(1).name(), bias, null, s.params(), s, (mult, shift, clamp) ->
                new QConv(op.strides(), op.pads(), op.dilations(), op.group(), x.type().quant().zeroPoint(0), mult, shift,
                        s.params().zp(), s.params().scale(), DType.I8, clamp[0], clamp[1], g.options.rounding()));
    }

    static String gemm(QdqGraph g, Node n, Gemm op) {
        if (op.alpha() != 1f || op.beta() != 1f) return "alpha " + op.alpha() + " and beta " + op.beta() + " are not both 1";
        if (op.transA()) return "transA is set";
        return matrix(g, n, op.transB(), n.inputs().size() > 2 ? n.input(2) : null, op.activation().min(), op.activation().max());
    }

    static String matMul(QdqGraph g, Node n) {
        return matrix(g, n, false, null, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    private static String matrix(QdqGraph g, Node n, boolean transB, Value bias, float lo, float hi) {
        if (n.input(0).type().rank() != 2) return "A is not 2-D";
        Value x = g.activation(n.input(0));
        if (x == null) return "A %" + n.input(0).name() + " is not a DequantizeLinear of a quantized tensor";
        QdqGraph.IntConst wc = g.constant(n.input(1));
        if (wc == null || wc.type() != DType.I8 || wc.shape().rank() != 2)
            return "B %" + n.input(1).name() + " is not a DequantizeLinear of an int8/uint8 constant matrix";
        Object w = weights(wc, !transB);
        if (w instanceof String why) return why;
        QdqGraph.Sink s = g.sink(n, lo, hi, true);
        if (s == null) return "its result is not quantized by one QuantizeLinear";
        return emit(g, n, x, (Weights) w, n.input(1).name(), bias, null, s.params(), s, (mult, shift, clamp) ->
                new QGemm(x.type().quant().zeroPoint(0), mult, shift, s.params().zp(), s.params().scale(), DType.I8,
                        clamp[0], clamp[1], g.options.rounding()));
    }

    /** QLinearConv: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, optional int32 bias of scale x_scale * w_scale. */
    static String qlinearConv(QdqGraph g, Node n, QLinearConv op) {
        if (n.input(0).type().rank() != 4) return "only 2-D convolutions have an integer rule";
        Value x = integerInput(g, n, 0, 1, 2);
        if (x == null) return "input %" + n.input(0).name() + " has no int8 form with the op's x_scale and x_zero_point";
        Object w = rawWeights(g, n, false);
        if (w instanceof String why) return why;
        QdqGraph.Params y = outputParams(g, n, 6, 7, op.outType());
        if (y == null) return "y_scale/y_zero_point are not constant int8/uint8 parameters";
        Tensor b = n.inputs().size() > 8 ? g.graph.constantData(n.input(8)) : null;
        if (n.inputs().size() > 8 && b == null) return "bias %" + n.input(8).name() + " is not constant";
        return emit(g, n, x, (Weights) w, n.input(3).name(), null, b, y, null, (mult, shift, clamp) ->
                new QConv(op.strides(), op.pads(), op.dilations(), op.group(), x.type().quant().zeroPoint(0), mult, shift,
                        y.zp(), y.scale(), DType.I8, clamp[0], clamp[1], g.options.rounding()));
    }

    /** QLinearMatMul with a 2-D A and a constant 2-D B: a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp. */
    static String qlinearMatMul(QdqGraph g, Node n, QLinearMatMul op) {
        if (n.input(0).type().rank() != 2) return "A is not 2-D";
        Value x = integerInput(g, n, 0, 1, 2);
        if (x == null) return "A %" + n.input(0).name() + " has no int8 form with the op's a_scale and a_zero_point";
        Object w = rawWeights(g, n, true);
        if (w instanceof String why) return why;
        QdqGraph.Params y = outputParams(g, n, 6, 7, op.outType());
        if (y == null) return "y_scale/y_zero_point are not constant int8/uint8 parameters";
        return emit(g, n, x, (Weights) w, n.input(3).name(), null, null, y, null, (mult, shift, clamp) ->
                new QGemm(x.type().quant().zeroPoint(0), mult, shift, y.zp(), y.scale(), DType.I8, clamp[0], clamp[1],
                        g.options.rounding()));
    }

    private interface OpBuilder {
        nncc.ir.op.Op build(List<Integer> multiplier, List<Integer> shift, int[] clamp);
    }

    /**
     * Emits the lowered layer: the int8 weight constant, the int32 bias (from a DequantizeLinear'd or float constant
     * {@code bias}, or the raw int32 {@code rawBias} of a QLinearConv), one multiplier per weight scale.
     */
    private static String emit(QdqGraph g, Node n, Value x, Weights w, String weightName, Value bias, Tensor rawBias,
                               QdqGraph.Params y, QdqGraph.Sink s, OpBuilder build) {
        float sx = x.type().quant().scale(0), sy = y.scale();
        int count = w.params().count();
        float[] biasScales = new float[count];
        for (int c = 0; c < count; c++) biasScales[c] = sx * w.scale(c);
        List<Value> inputs = new ArrayList<>(List.of(x));
        Value biasValue = null;
        if (bias != null || rawBias != null) {
            Object b = rawBias != null ? rawBias.toLongs() : biasCodes(g, bias, biasScales, w.channels());
            if (b instanceof String why) return why;
            long[] codes = (long[]) b;
            if (codes.length != w.channels()) return "bias has " + codes.length + " values for " + w.channels() + " channels";
            QuantParams bp = w.params().isPerAxis() ? QuantParams.perAxis(0, biasScales, new long[count])
                    : QuantParams.perTensor(biasScales[0], 0);
            biasValue = g.graph.addConstant(g.fresh(n.name() + ".bias"), Tensor.ofLongs(DType.I32, Shape.of(codes.length), codes), bp);
        }
        List<Integer> mult = new ArrayList<>(), shift = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            FixedPoint.Multiplier m = QuantNumbers.multiplier((double) sx * (double) w.scale(c) / (double) sy,
                    g.options.rounding(), n, "output channel " + c);
            mult.add(m.multiplier());
            shift.add(m.shift());
        }
        int[] clamp = s == null ? new int[] {-128, 127} : QdqGraph.clamp(s.lo(), s.hi(), y);
        Value wv = g.graph.addConstant(g.fresh(weightName + ".q"), Tensor.ofLongs(DType.I8, w.shape(), w.codes()), w.params());
        inputs.add(wv);
        if (biasValue != null) inputs.add(biasValue);
        nncc.ir.op.Op op = QdqGraph.withActivation(build.build(mult, shift, clamp), QdqGraph.activation(s, clamp, y));
        if (s != null) g.emitLowered(n, s, op, inputs);
        else {
            Value q = n.output();
            Value out = new Value(q.name(), new nncc.ir.TensorType(DType.I8, q.type().shape(), y.params()));
            g.emit(new Node(n.name(), op, inputs, List.of(out)));
            g.setIntegerForm(q, out);
            g.stats.inc("lowered " + n.op().opName() + " to " + op.opName());
        }
        return null;
    }

    /**
     * Bias codes with scale {@code s_x * s_w[c]}: an int32 DequantizeLinear'd constant of exactly those scales as it
     * is; other scales or a float bias are rounded to them (counted in the statistics).
     */
    private static Object biasCodes(QdqGraph g, Value bias, float[] scales, int channels) {
        QdqGraph.IntConst c = g.constant(bias);
        Tensor f = c == null ? g.graph.constantData(bias) : null;
        if (c == null && (f == null || !f.dtype().isFloat())) return "bias %" + bias.name() + " is not constant";
        if (c != null && c.type() != DType.I32) return "bias %" + bias.name() + " is not int32";
        long[] codes = new long[channels];
        double[] real = new double[channels];
        boolean exact = c != null;
        if (c != null) {
            if (c.codes().length != channels) return "bias has " + c.codes().length + " values for " + channels + " channels";
            QuantParams p = c.params();
            for (int i = 0; i < channels; i++) {
                int k = p.isPerAxis() ? i : 0;
                if (p.zeroPoint(k) != 0) return "bias %" + bias.name() + " has a non-zero zero point";
                float want = scales[scales.length == 1 ? 0 : i];
                exact &= Float.floatToIntBits(p.scale(k)) == Float.floatToIntBits(want);
                codes[i] = c.codes()[i];
                real[i] = (double) p.scale(k) * c.codes()[i];
            }
        } else {
            float[] v = f.toFloats();
            if (v.length != channels && v.length != 1) return "bias has " + v.length + " values for " + channels + " channels";
            for (int i = 0; i < channels; i++) real[i] = v[v.length == 1 ? 0 : i];
        }
        if (exact) return codes;
        for (int i = 0; i < channels; i++) {
            double q = Math.rint(real[i] / scales[scales.length == 1 ? 0 : i]);
            codes[i] = (long) Math.max(-Integer.MAX_VALUE, Math.min(Integer.MAX_VALUE, q));
        }
        g.stats.inc(c != null ? "bias codes rescaled to s_x * s_w" : "float bias quantized");
        return codes;
    }

    /**
     * Weights from dequantized constant data: zero points 0 (or, uint8 weights, codes that fit int8 once their
     * zero point is taken off), scales per tensor or along the output channels; {@code transpose} turns a MatMul's
     * [K, M] into [M, K]. A String says why they do not fit.
     */
    private static Object weights(QdqGraph.IntConst c, boolean transpose) {
        QuantParams p = c.params();
        long[] codes = c.codes().clone();
        Shape shape = c.shape();
        int outAxis = transpose ? 1 : 0;
        if (p.isPerAxis() && p.axis() != outAxis)
            return "weights are quantized along axis " + p.axis() + ", not along the output channels";
        int channels = Math.toIntExact(shape.dim(outAxis));
        long inner = codes.length / Math.max(1, shape.dim(0));
        for (int i = 0; i < codes.length; i++) {
            int k = !p.isPerAxis() ? 0 : transpose ? (int) (i % channels) : (int) (i / inner);
            codes[i] -= p.zeroPoint(k);
            if (codes[i] < -128 || codes[i] > 127) return "weights have non-zero zero points and do not fit int8 without them";
        }
        QuantParams wp = p.isPerAxis() ? QuantParams.perAxis(0, p.scales(), new long[p.count()])
                : QuantParams.perTensor(p.scale(0), 0);
        if (transpose) {
            int k = Math.toIntExact(shape.dim(0));
            long[] t = new long[codes.length];
            for (int i = 0; i < k; i++) for (int j = 0; j < channels; j++) t[j * k + i] = codes[i * channels + j];
            return new Weights(t, Shape.of(channels, k), wp);
        }
        return new Weights(codes, shape, wp);
    }

    /** Weights of a QLinearConv (w, w_scale, w_zp at 3, 4, 5) or QLinearMatMul (B, transposed). */
    private static Object rawWeights(QdqGraph g, Node n, boolean transpose) {
        Tensor w = g.graph.constantData(n.input(3)), s = g.graph.constantData(n.input(4)), z = g.graph.constantData(n.input(5));
        if (w == null || s == null || z == null) return "weights %" + n.input(3).name() + " and their parameters are not constant";
        if (w.dtype() != DType.I8 && w.dtype() != DType.U8) return "weights are " + w.dtype().text() + ", not int8/uint8";
        if (transpose && w.shape().rank() != 2) return "B is not a 2-D matrix";
        long[] zps = z.toLongs();
        float[] scales = s.toFloats();
        int axis = transpose ? 1 : 0;
        QuantParams p = scales.length == 1 ? QuantParams.perTensor(scales[0], zps[0]) : QuantParams.perAxis(axis, scales, zps);
        return weights(new QdqGraph.IntConst(w.toLongs(), w.shape(), p, DType.I8), transpose);
    }

    /** The int8 form of input {@code xi} of an ONNX QLinear op whose parameters are inputs {@code si} and {@code zi}. */
    private static Value integerInput(QdqGraph g, Node n, int xi, int si, int zi) {
        Value x = g.integerForm(n.input(xi));
        if (x == null) return null;
        Tensor s = g.graph.constantData(n.input(si)), z = g.graph.constantData(n.input(zi));
        if (s == null || z == null || s.numElements() != 1) return null;
        long zp = z.toLongs()[0] - (z.dtype() == DType.U8 ? 128 : 0);
        return x.type().quant().equals(QuantParams.perTensor(s.toFloats()[0], zp)) ? x : null;
    }

    private static QdqGraph.Params outputParams(QdqGraph g, Node n, int si, int zi, DType t) {
        if (t != DType.I8 && t != DType.U8) return null;
        Tensor s = g.graph.constantData(n.input(si)), z = g.graph.constantData(n.input(zi));
        if (s == null || z == null || s.numElements() != 1 || !(s.toFloats()[0] > 0)) return null;
        long zp = z.toLongs()[0] - (t == DType.U8 ? 128 : 0);
        return new QdqGraph.Params(QuantParams.perTensor(s.toFloats()[0], zp), t);
    }
}
