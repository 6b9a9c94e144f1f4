package nncc.onnx.export;

import static nncc.onnx.export.ExportValues.requirePerTensor;
import static nncc.onnx.export.ExportValues.requireWeightParams;
import static nncc.onnx.export.ExportValues.requireZeroPoint;
import static nncc.onnx.export.GraphWriter.attr;
import static nncc.onnx.export.GraphWriter.ints;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import nncc.ir.DType;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Value;
import nncc.ir.op.Dequantize;
import nncc.ir.op.QAdd;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.QLut;
import nncc.ir.op.QMean;
import nncc.ir.op.QMul;
import nncc.ir.op.QSoftmax;
import nncc.ir.op.ReduceMean;
import nncc.ir.op.Requantize;

/**
 * Writes nncc's lowered integer ops in the QDQ form: each integer input read through DequantizeLinear, the float
 * op the integer op computes, the fused clamp as Relu or Clip when it is tighter than the output type, and a
 * QuantizeLinear with the output's parameters. Weights stay int8 and biases int32, each behind its own
 * DequantizeLinear, as ONNX Runtime's quantizer writes them.
 */
final class LoweredOpWriter {
    private final ExportValues values;
    private final GraphWriter out;

    LoweredOpWriter(ExportValues values, GraphWriter out) {
        this.values = values;
        this.out = out;
    }

    void quantize(Node n) { values.quantize(values.tensor(n.input(0)), n.output()); }

    void dequantize(Node n, Dequantize op) {
        Value x = n.input(0);
        ExportValues.Params p = values.params(x.name(), QuantParams.perTensor(op.scale(), op.zeroPoint()),
                x.type().dtype(), values.onnxType(x), false);
        String y = values.define(n.output());
        out.node("DequantizeLinear", n.name(), p.inputsFor(values.tensor(x)), List.of(y));
    }

    void requantize(Node n, Requantize op) {
        requireZeroPoint(n.input(0), op.inputZp());
        values.quantize(values.dequantized(n.input(0)), n.output());
    }

    void conv(Node n, QConv op) {
        requireZeroPoint(n.input(0), op.inputZp());
        requireWeightParams(n.input(1));
        List<Long> kernel = new ArrayList<>();
        long[] w = n.input(1).type().shape().dims();
        for (int i = 2; i < w.length; i++) kernel.add(w[i]);
        String y = out.node1("Conv", n.name(), floatName(n), weighted(n, true), ints("kernel_shape", kernel),
                ints("strides", op.strides()), ints("pads", op.pads()), ints("dilations", op.dilations()),
                attr("group", op.group()));
        finish(n, clamp(n, y, op.actMin(), op.actMax()));
    }

    void gemm(Node n, QGemm op) {
        requireZeroPoint(n.input(0), op.inputZp());
        requireWeightParams(n.input(1));
        String y = out.node1("Gemm", n.name(), floatName(n), weighted(n, false), attr("transB", 1));
        finish(n, clamp(n, y, op.actMin(), op.actMax()));
    }

    /** x, w and (when present) the bias, each dequantized; conv weights without their all-zero zero points. */
    private List<String> weighted(Node n, boolean conv) {
        String w = conv ? values.dequantizedConvWeight(n.input(1)) : values.dequantized(n.input(1));
        List<String> in = new ArrayList<>(List.of(values.dequantized(n.input(0)), w));
        if (n.inputs().size() > 2) in.add(values.dequantizedBias(n.input(2), n.input(0), n.input(1)));
        return in;
    }

    void add(Node n, QAdd op) {
        requireZeroPoint(n.input(0), op.inputZpA());
        requireZeroPoint(n.input(1), op.inputZpB());
        finish(n, clamp(n, binary(n, op.subtract() ? "Sub" : "Add"), op.actMin(), op.actMax()));
    }

    void mul(Node n, QMul op) {
        requireZeroPoint(n.input(0), op.inputZpA());
        requireZeroPoint(n.input(1), op.inputZpB());
        finish(n, clamp(n, binary(n, "Mul"), op.actMin(), op.actMax()));
    }

    private String binary(Node n, String opType) {
        return out.node1(opType, n.name(), floatName(n), List.of(values.dequantized(n.input(0)), values.dequantized(n.input(1))));
    }

    void mean(Node n, QMean op) {
        requireZeroPoint(n.input(0), op.inputZp());
        int rank = n.input(0).type().rank();
        List<Integer> axes = new ReduceMean(op.axes(), op.keepDims()).reducedAxes(rank);
        List<Integer> spatial = IntStream.range(2, rank).boxed().toList();
        String x = values.dequantized(n.input(0));
        String y = rank >= 3 && op.keepDims() && axes.equals(spatial)
                ? out.node1("GlobalAveragePool", n.name(), floatName(n), List.of(x))
                : out.node1("ReduceMean", n.name(), floatName(n), List.of(x), ints("axes", axes),
                        attr("keepdims", op.keepDims() ? 1 : 0));
        finish(n, y);
    }

    void averagePool(Node n, QAveragePool op) {
        String y = out.node1("AveragePool", n.name(), floatName(n), List.of(values.dequantized(n.input(0))),
                ints("kernel_shape", op.kernel()), ints("strides", op.strides()), ints("pads", op.pads()),
                attr("ceil_mode", op.ceilMode() ? 1 : 0), attr("count_include_pad", 0));
        finish(n, clamp(n, y, op.actMin(), op.actMax()));
    }

    /**
     * ONNX's Softmax has no beta: the op's numbers must be those of beta 1 on its input scale (a TFLite SOFTMAX with
     * another beta is refused rather than written wrong).
     */
    void softmax(Node n, QSoftmax op) {
        QuantParams q = n.input(0).type().quant();
        nncc.ir.FixedPointMath.SoftmaxScaling one = q == null || q.isPerAxis() ? null : nncc.ir.FixedPointMath.softmaxScaling(1.0, q.scale(0));
        if (one == null || one.inputMultiplier() != op.inputMultiplier() || one.inputLeftShift() != op.inputLeftShift() || one.diffMin() != op.diffMin())
            throw n.error("QSoftmax {inputMultiplier = " + op.inputMultiplier() + ", inputLeftShift = " + op.inputLeftShift() + ", diffMin = "
                    + op.diffMin() + "} is not beta 1 on input scale " + (q == null ? "(none)" : q) + (one == null ? "" : " (" + one + ")")
                    + "; ONNX's Softmax has no beta");
        finish(n, out.node1("Softmax", n.name(), floatName(n), List.of(values.dequantized(n.input(0))), attr("axis", op.axis())));
    }

    /** The float function the table stands for (its table input is not written). */
    void lut(Node n, QLut op) {
        String x = values.dequantized(n.input(0));
        String base = floatName(n);
        String y = switch (op.function()) {
            case RELU -> out.node1("Relu", n.name(), base, List.of(x));
            case SIGMOID -> out.node1("Sigmoid", n.name(), base, List.of(x));
            case TANH -> out.node1("Tanh", n.name(), base, List.of(x));
            case LEAKY_RELU -> out.node1("LeakyRelu", n.name(), base, List.of(x), attr("alpha", op.alpha()));
            case HARD_SIGMOID -> out.node1("HardSigmoid", n.name(), base, List.of(x), attr("alpha", op.alpha()),
                    attr("beta", op.beta()));
            case CLIP -> clip(n.name(), base, x, op.alpha(), op.beta());
            case HARD_SWISH -> {
                String y1 = out.fresh(base);
                hardSwish(out, n.name(), x, y1);
                yield y1;
            }
        };
        finish(n, y);
    }

    /** HardSwish at opset 13 (the op itself came with opset 14): {@code y = x * HardSigmoid(x, 1/6, 1/2)}. */
    static void hardSwish(GraphWriter out, String nodeName, String x, String y) {
        String gate = out.node1("HardSigmoid", nodeName + "_gate", y + "_gate", List.of(x),
                attr("alpha", 1f / 6), attr("beta", 0.5f));
        out.node("Mul", nodeName, List.of(x, gate), List.of(y));
    }

    /** {@code y = Clip(x)} with float bounds given as initializer inputs; an infinite bound is left out. */
    static void clip(GraphWriter out, String nodeName, String x, float min, float max, String y) {
        String lo = Float.isInfinite(min) ? "" : out.floatScalar(y + "_min", min);
        String hi = Float.isInfinite(max) ? "" : out.floatScalar(y + "_max", max);
        List<String> in = hi.isEmpty() ? (lo.isEmpty() ? List.of(x) : List.of(x, lo)) : List.of(x, lo, hi);
        out.node("Clip", nodeName, in, List.of(y));
    }

    private String clip(String nodeName, String outputBase, String x, float min, float max) {
        String y = out.fresh(outputBase);
        clip(out, nodeName, x, min, max, y);
        return y;
    }

    /**
     * The op's integer clamp [actMin, actMax] on the float result: nothing when it covers the output type, Relu
     * when it is [zero point, type max], else Clip at the dequantized bounds {@code (act - zp) * s}.
     */
    private String clamp(Node n, String y, int actMin, int actMax) {
        Value v = n.output();
        QuantParams q = requirePerTensor(v);
        DType t = v.type().dtype();
        long zp = q.zeroPoint(0);
        float s = q.scale(0);
        boolean lowerFree = actMin <= t.minValue(), upperFree = actMax >= t.maxValue();
        if (lowerFree && upperFree) return y;
        String base = v.name() + "_clamped";
        if (actMin == zp && upperFree) return out.node1("Relu", n.name() + "_relu", base, List.of(y));
        float lo = lowerFree ? Float.NEGATIVE_INFINITY : (float) ((actMin - zp) * (double) s);
        float hi = upperFree ? Float.POSITIVE_INFINITY : (float) ((actMax - zp) * (double) s);
        return clip(n.name() + "_clip", base, y, lo, hi);
    }

    private static String floatName(Node n) { return n.output().name() + "_float"; }

    /** Quantizes the op's float result into its output value. */
    private void finish(Node n, String y) { values.quantize(y, n.output()); }
}
