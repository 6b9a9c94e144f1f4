package nncc.passes.quant;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.FixedPointMath;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.AveragePool;
import nncc.ir.op.LutFunction;
import nncc.ir.op.Op;
import nncc.ir.op.QAdd;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QLut;
import nncc.ir.op.QMean;
import nncc.ir.op.QMul;
import nncc.ir.op.QSoftmax;
import nncc.ir.op.Requantize;
import nncc.ir.op.Softmax;

/**
 * {@link LowerQdqPass}'s rules for the ops without weights between DequantizeLinear and QuantizeLinear: Add and
 * Mul (QAdd, QMul), the means (QMean), AveragePool (QAveragePool), activations (QLut, QSoftmax) and the ops that
 * only move values (the same op on int8, with a Requantize when the QuantizeLinear's parameters differ from the
 * input's). The multipliers are the ones {@link ArithmeticLowering} derives (TFLite's Prepare formulas). A rule
 * returns null when it lowered the node, else why not.
 */
final class QdqElementRules {
    private QdqElementRules() {}

    private static final String NOT_QUANTIZED = "its result is not quantized by one QuantizeLinear";

    /** TFLite ADD: left shift 20, {@code twiceMax = 2 max(sA, sB)}, multipliers sA/twiceMax, sB/twiceMax, twiceMax/(2^20 sY). */
    static String add(QdqGraph g, Node n, Activation act) {
        Value a = operand(g, n, 0), b = operand(g, n, 1);
        if (a == null || b == null) return "an operand is not a DequantizeLinear of a quantized tensor or int8 constant";
        QdqGraph.Sink s = g.sink(n, act.min(), act.max(), true);
        if (s == null) return NOT_QUANTIZED;
        float sa = a.type().quant().scale(0), sb = b.type().quant().scale(0), sy = s.params().scale();
        int leftShift = 20;
        double twiceMax = 2.0 * Math.max(sa, sb);
        FixedPoint.Multiplier ma = QuantNumbers.multiplier(sa / twiceMax, g.options.rounding(), n, "input A");
        FixedPoint.Multiplier mb = QuantNumbers.multiplier(sb / twiceMax, g.options.rounding(), n, "input B");
        FixedPoint.Multiplier my = QuantNumbers.multiplier(twiceMax / ((double) (1 << leftShift) * sy), g.options.rounding(), n, "output");
        int[] clamp = QdqGraph.clamp(s.lo(), s.hi(), s.params());
        g.emitLowered(n, s, new QAdd(a.type().quant().zeroPoint(0), b.type().quant().zeroPoint(0), leftShift, ma.multiplier(),
                ma.shift(), mb.multiplier(), mb.shift(), my.multiplier(), my.shift(), s.params().zp(), sy, DType.I8,
                clamp[0], clamp[1], g.options.rounding(), QdqGraph.activation(s, clamp, s.params())), List.of(a, b));
        return null;
    }

    /** TFLite MUL: one multiplier {@code sA sB / sY}. */
    static String mul(QdqGraph g, Node n, Activation act) {
        Value a = operand(g, n, 0), b = operand(g, n, 1);
        if (a == null || b == null) return "an operand is not a DequantizeLinear of a quantized tensor or int8 constant";
        QdqGraph.Sink s = g.sink(n, act.min(), act.max(), true);
        if (s == null) return NOT_QUANTIZED;
        float sa = a.type().quant().scale(0), sb = b.type().quant().scale(0), sy = s.params().scale();
        FixedPoint.Multiplier m = QuantNumbers.multiplier((double) sa * (double) sb / (double) sy, g.options.rounding(), n, "output");
        int[] clamp = QdqGraph.clamp(s.lo(), s.hi(), s.params());
        g.emitLowered(n, s, new QMul(a.type().quant().zeroPoint(0), b.type().quant().zeroPoint(0), m.multiplier(), m.shift(),
                s.params().zp(), sy, DType.I8, clamp[0], clamp[1], g.options.rounding(),
                QdqGraph.activation(s, clamp, s.params())), List.of(a, b));
        return null;
    }

    /** An Add/Mul operand: a quantized activation, or a per-tensor int8 constant behind a DequantizeLinear. */
    private static Value operand(QdqGraph g, Node n, int i) {
        Value x = g.activation(n.input(i));
        if (x != null) return x;
        QdqGraph.IntConst c = g.constant(n.input(i));
        if (c == null || c.type() != DType.I8 || c.params().isPerAxis()) return null;
        return g.graph.addConstant(g.fresh(n.input(i).name() + ".q"), Tensor.ofLongs(DType.I8, c.shape(), c.codes()), c.params());
    }

    /** QMean with multiplier {@code s_x / (s_y count)}. */
    static String mean(QdqGraph g, Node n, List<Integer> axes, boolean keepDims) {
        Value x = g.activation(n.input(0));
        if (x == null) return "input is not a DequantizeLinear of a quantized tensor";
        Shape shape = x.type().shape();
        long count = 1;
        for (int a : axes) {
            if (shape.isSymbolic(a)) return "reduced dim " + a + " of " + shape + " is symbolic";
            count *= shape.dim(a);
        }
        if (count == 0) return "no elements to average";
        QdqGraph.Sink s = g.sink(n, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, false);
        if (s == null) return NOT_QUANTIZED;
        QuantParams xp = x.type().quant();
        FixedPoint.Multiplier m = QuantNumbers.multiplier((double) xp.scale(0) / ((double) s.params().scale() * count),
                g.options.rounding(), n, "mean");
        g.emitLowered(n, s, new QMean(axes, keepDims, xp.zeroPoint(0), m.multiplier(), m.shift(), s.params().zp(),
                s.params().scale(), DType.I8, g.options.rounding()), List.of(x));
        return null;
    }

    /** QAveragePool on the input's parameters, then a Requantize to the QuantizeLinear's when they differ. */
    static String averagePool(QdqGraph g, Node n, AveragePool op) {
        if (op.countIncludePad() && op.pads().stream().anyMatch(p -> p != 0)) return "the divisor counts padding (count_include_pad)";
        return same(g, n, new QAveragePool(op.kernel(), op.strides(), op.pads(), op.ceilMode(), -128, 127));
    }

    /** An op that only moves values (MaxPool, Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Identity). */
    static String movement(QdqGraph g, Node n) {
        if (n.outputs().size() != 1) return "it has more than one output";
        Value direct = g.integerForm(n.input(0));
        if (direct != null && (n.op() instanceof nncc.ir.op.Identity || n.op() instanceof nncc.ir.op.Dropout)) {
            g.setIntegerForm(n.output(), direct); // PyTorch's uint8-to-uint8 Casts, imported as Identity
            g.stats.inc("identities on integers removed");
            return null;
        }
        if (direct != null) { // an integer tensor moved as it is (uint8 as int8: the shift commutes with moving)
            List<Value> ins = new ArrayList<>(List.of(direct));
            for (int i = 1; i < n.inputs().size(); i++) ins.add(n.input(i));
            TensorType t = n.op().inferTypes(ins.stream().map(Value::type).toList()).get(0);
            Value y = new Value(n.output().name(), t);
            g.emit(new Node(n.name(), n.op(), ins, List.of(y)));
            g.setIntegerForm(n.output(), y);
            g.stats.inc("lowered " + n.op().opName() + " on int8");
            return null;
        }
        return same(g, n, n.op());
    }

    /**
     * {@code op} on the int8 form of the node's input, producing the input's parameters; its result becomes the
     * QuantizeLinear's output, through a Requantize when that has other parameters.
     */
    private static String same(QdqGraph g, Node n, Op op) {
        Value x = g.activation(n.input(0));
        if (x == null) return "input is not a DequantizeLinear of a quantized tensor";
        QdqGraph.Sink s = g.sink(n, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, false);
        if (s == null) return NOT_QUANTIZED;
        List<Value> ins = new ArrayList<>(List.of(x));
        for (int i = 1; i < n.inputs().size(); i++) ins.add(n.input(i));
        TensorType t = op.inferTypes(ins.stream().map(Value::type).toList()).get(0);
        if (t.quant().equals(s.params().params())) {
            g.emitLowered(n, s, op, ins);
            return null;
        }
        Value mid = new Value(n.output().name(), t); // the float result's name, which nothing else defines now
        g.emit(new Node(n.name(), op, ins, List.of(mid)));
        requantizeInto(g, mid, s);
        g.stats.inc("lowered " + n.op().opName() + " to " + op.opName() + " + Requantize");
        return null;
    }

    /** Concat on inputs brought to the QuantizeLinear's parameters (Requantize where they differ). */
    static String concat(QdqGraph g, Node n) {
        QdqGraph.Sink s = g.sink(n, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, false);
        if (s == null) return NOT_QUANTIZED;
        List<Value> ins = new ArrayList<>();
        for (Value v : n.inputs()) {
            Value x = g.activation(v);
            if (x == null) return "input %" + v.name() + " is not a DequantizeLinear of a quantized tensor";
            ins.add(x);
        }
        List<Value> ready = new ArrayList<>();
        for (Value x : ins) ready.add(x.type().quant().equals(s.params().params()) ? x : requantize(g, x, s.params(), n));
        g.emitLowered(n, s, n.op(), ready);
        return null;
    }

    /** A standalone activation as a 256-entry table from input codes to output codes (QLut). */
    static String lut(QdqGraph g, Node n, LutFunction fn, float alpha, float beta) {
        Value x = g.activation(n.input(0));
        if (x == null) return "input is not a DequantizeLinear of a quantized tensor";
        QdqGraph.Sink s = g.sink(n, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, false);
        if (s == null) return NOT_QUANTIZED;
        Tensor table = ActivationLowering.table(ActivationLowering.function(fn, alpha, beta), x.type().quant(), DType.I8,
                s.params().params(), DType.I8);
        Value t = g.graph.addConstant(g.fresh(n.name() + ".table"), table);
        g.emitLowered(n, s, new QLut(fn, alpha, beta, DType.I8, s.params().scale(), s.params().zp()), List.of(x, t));
        return null;
    }

    /** QSoftmax (TFLite's int8 numbers, output 1/256 and -128), then a Requantize when the QuantizeLinear differs. */
    static String softmax(QdqGraph g, Node n, Softmax op) {
        Value x = g.activation(n.input(0));
        if (x == null) return "input is not a DequantizeLinear of a quantized tensor";
        QdqGraph.Sink s = g.sink(n, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, false);
        if (s == null) return NOT_QUANTIZED;
        FixedPointMath.SoftmaxScaling k;
        try {
            k = FixedPointMath.softmaxScaling(1.0, x.type().quant().scale(0));
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        return same(g, n, new QSoftmax(op.axis(), k.inputMultiplier(), k.inputLeftShift(), k.diffMin(), 1f / 256, -128, DType.I8));
    }

    /** Requantizes {@code x} into the sink's QuantizeLinear output (named after it), absorbing the sink. */
    private static void requantizeInto(QdqGraph g, Value x, QdqGraph.Sink s) {
        Value q = s.quantize().output();
        Value y = new Value(q.name(), new TensorType(DType.I8, q.type().shape(), s.params().params()));
        g.emit(new Node(g.fresh(q.name() + ".requantize"), requantizeOp(g, x.type().quant(), s.params(), s.quantize()),
                List.of(x), List.of(y)));
        g.setIntegerForm(q, y);
        s.absorbed().forEach(g::absorb);
        g.stats.inc("requantize inserted");
    }

    /** {@code x} brought to parameters {@code p} by a new Requantize. */
    static Value requantize(QdqGraph g, Value x, QdqGraph.Params p, Node at) {
        Value y = new Value(g.fresh(x.name() + ".rq"), new TensorType(DType.I8, x.type().shape(), p.params()));
        g.emit(new Node(g.fresh(x.name() + ".requantize"), requantizeOp(g, x.type().quant(), p, at), List.of(x), List.of(y)));
        g.stats.inc("requantize inserted");
        return y;
    }

    /** Requantize with multiplier {@code s_from / s_to}, as the calibrated lowering derives it. */
    static Requantize requantizeOp(QdqGraph g, QuantParams from, QdqGraph.Params to, Node at) {
        FixedPoint.Multiplier m = QuantNumbers.multiplier((double) from.scale(0) / (double) to.scale(), g.options.rounding(), at, "requantize");
        return new Requantize(from.zeroPoint(0), m.multiplier(), m.shift(), to.zp(), to.scale(), DType.I8, g.options.rounding());
    }
}
