package nncc.tests;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.AveragePool;
import nncc.ir.op.Conv;
import nncc.ir.op.Dequantize;
import nncc.ir.op.Flatten;
import nncc.ir.op.Gemm;
import nncc.ir.op.LeakyRelu;
import nncc.ir.op.LutFunction;
import nncc.ir.op.MaxPool;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.Quantize;
import nncc.ir.op.Relu;
import nncc.ir.op.Reshape;

/**
 * A deliberately small stand-in for nncc's quantization passes, so the QDQ export can be checked on trained
 * models before the real pipeline lands: min/max calibration with the float interpreter, symmetric per-channel
 * int8 weights, asymmetric int8 activations, a Relu right after a Conv/Gemm fused into its clamp. Only the ops
 * of the small test CNNs: Conv, Gemm (transB), Relu, LeakyRelu, MaxPool, AveragePool, Flatten, Reshape.
 */
final class TinyLowering {
    private final Graph f;
    private final LoweredGraphs out;
    private final Map<String, float[]> ranges = new HashMap<>();
    private final Map<String, Value> lowered = new HashMap<>();
    private final Set<String> fusedRelus = new HashSet<>();

    private TinyLowering(Graph f) {
        this.f = f;
        this.out = new LoweredGraphs(f.name() + "_int8", 0);
    }

    /** The lowered graph of {@code floatGraph}: float input quantized, integer ops, float outputs dequantized. */
    static Graph lower(Graph floatGraph, Tensor calibration) {
        TinyLowering t = new TinyLowering(floatGraph);
        t.calibrate(calibration);
        return t.build();
    }

    private void calibrate(Tensor calib) {
        observe(f.inputs().get(0).name(), calib);
        new Interpreter(f).run(List.of(calib), (node, outs) -> observe(node.output().name(), outs.get(0)));
    }

    private void observe(String name, Tensor t) {
        float[] r = ranges.computeIfAbsent(name, k -> new float[] {0, 0});
        for (float v : t.toFloats()) { r[0] = Math.min(r[0], v); r[1] = Math.max(r[1], v); }
    }

    /** Asymmetric int8 parameters covering the observed range (and zero). */
    private QuantParams act(String name) {
        float[] r = ranges.get(name);
        float s = Math.max((r[1] - r[0]) / 255f, 1e-8f);
        long zp = Math.clamp(Math.round(-128 - r[0] / s), -128, 127);
        return QuantParams.perTensor(s, zp);
    }

    private Graph build() {
        Value in = f.inputs().get(0);
        out.g.addInput(in);
        QuantParams qin = act(in.name());
        lowered.put(in.name(), out.node(in.name() + "_quantize", new Quantize(qin.scale(0), qin.zeroPoint(0), DType.I8), in));
        for (Node n : f.nodes()) if (!fusedRelus.contains(n.name())) lowerNode(n);
        for (Value o : f.outputs()) {
            Value q = lowered.get(o.name());
            Value fl = new Value(o.name(), nncc.ir.TensorType.of(DType.F32, q.type().shape()));
            out.g.addNode(new Node(o.name() + "_dequantize", new Dequantize(q.type().quant().scale(0),
                    q.type().quant().zeroPoint(0)), List.of(q), List.of(fl)));
            out.g.addOutput(fl);
        }
        return out.g;
    }

    private void lowerNode(Node n) {
        Value x = n.inputs().isEmpty() ? null : lowered.get(n.input(0).name());
        Value y = switch (n.op()) {
            case Conv op -> conv(n, op, x);
            case Gemm op -> gemm(n, op, x);
            case MaxPool op -> out.node(n.name(), op, x);
            case Flatten op -> out.node(n.name(), op, x);
            case Reshape op -> out.node(n.name(), op, x);
            case AveragePool op -> {
                if (op.countIncludePad() && op.pads().stream().anyMatch(p -> p != 0))
                    throw new AssertionError("TinyLowering: AveragePool counting padding");
                yield out.node(n.name(), new QAveragePool(op.kernel(), op.strides(), op.pads(), op.ceilMode(), -128, 127), x);
            }
            case Relu op -> lut(n, x, LutFunction.RELU, 0, v -> Math.max(0, v));
            case LeakyRelu op -> lut(n, x, LutFunction.LEAKY_RELU, op.alpha(), v -> v >= 0 ? v : op.alpha() * v);
            default -> throw new AssertionError("TinyLowering does not lower " + n.describe());
        };
        lowered.put(n.output().name(), y);
    }

    private Value lut(Node n, Value x, LutFunction fn, float alpha, java.util.function.DoubleUnaryOperator func) {
        QuantParams q = act(n.output().name());
        return out.lut(n.name(), x, fn, alpha, 0, func, q.scale(0), q.zeroPoint(0));
    }

    /** The Relu that alone reads the output of {@code n}, or null. */
    private Node fusibleRelu(Node n) {
        List<Node> readers = f.consumers(n.output());
        boolean isOutput = f.outputs().stream().anyMatch(v -> v.name().equals(n.output().name()));
        if (readers.size() == 1 && !isOutput && readers.get(0).op() instanceof Relu) return readers.get(0);
        return null;
    }

    /** Output params and clamp: the fused Relu's output range and [zp, 127] when one follows, else the op's own. */
    private record OutputPlan(String name, QuantParams q, int actMin) {}

    private OutputPlan plan(Node n) {
        Node relu = fusibleRelu(n);
        if (relu == null) return new OutputPlan(n.output().name(), act(n.output().name()), -128);
        fusedRelus.add(relu.name());
        QuantParams q = act(relu.output().name());
        return new OutputPlan(relu.output().name(), q, (int) q.zeroPoint(0));
    }

    private Value conv(Node n, Conv op, Value x) {
        Tensor w = f.constantData(n.input(1));
        Value wq = weights(n.name() + "_w", w);
        Value b = n.inputs().size() > 2 ? bias(n.name() + "_b", f.constantData(n.input(2)), x, wq) : null;
        OutputPlan p = plan(n);
        List<List<Integer>> ms = multipliers(x, wq, p.q.scale(0));
        QConv q = new QConv(op.strides(), op.pads(), op.dilations(), op.group(), x.type().quant().zeroPoint(0), ms.get(0),
                ms.get(1), p.q.zeroPoint(0), p.q.scale(0), DType.I8, p.actMin, 127, LoweredGraphs.R);
        Value y = b == null ? out.node(n.name(), q, x, wq) : out.node(n.name(), q, x, wq, b);
        lowered.put(p.name, y);
        return y;
    }

    private Value gemm(Node n, Gemm op, Value x) {
        if (!op.transB() || op.transA() || op.alpha() != 1 || op.beta() != 1 || n.inputs().size() < 3)
            throw new AssertionError("TinyLowering: only Gemm(x, w^T) + bias, got " + op);
        Value wq = weights(n.name() + "_w", f.constantData(n.input(1)));
        Value b = bias(n.name() + "_b", f.constantData(n.input(2)), x, wq);
        OutputPlan p = plan(n);
        List<List<Integer>> ms = multipliers(x, wq, p.q.scale(0));
        Value y = out.node(n.name(), new QGemm(x.type().quant().zeroPoint(0), ms.get(0), ms.get(1), p.q.zeroPoint(0),
                p.q.scale(0), DType.I8, p.actMin, 127, LoweredGraphs.R), x, wq, b);
        lowered.put(p.name, y);
        return y;
    }

    /** Symmetric per-output-channel int8: scale max|w| / 127, values rounded half away from zero. */
    private Value weights(String name, Tensor w) {
        int c = (int) w.shape().dim(0);
        float[] v = w.toFloats();
        int per = v.length / c;
        float[] scales = new float[c];
        long[] q = new long[v.length];
        for (int k = 0; k < c; k++) {
            float max = 0;
            for (int i = 0; i < per; i++) max = Math.max(max, Math.abs(v[k * per + i]));
            scales[k] = max > 0 ? max / 127 : 1f;
            for (int i = 0; i < per; i++)
                q[k * per + i] = Math.clamp(FixedPoint.roundHalfAway(v[k * per + i] / scales[k]), -127, 127);
        }
        return out.g.addConstant(name, Tensor.ofLongs(DType.I8, w.shape(), q), QuantParams.perAxis(0, scales, new long[c]));
    }

    /** int32 bias with scale sX * sW[c]. */
    private Value bias(String name, Tensor b, Value x, Value w) {
        float[] v = b.toFloats();
        long[] q = new long[v.length];
        for (int c = 0; c < v.length; c++)
            q[c] = FixedPoint.roundHalfAway(v[c] / ((double) x.type().quant().scale(0) * w.type().quant().scale(c)));
        return out.g.addConstant(name, Tensor.ofLongs(DType.I32, Shape.of(v.length), q));
    }

    private static List<List<Integer>> multipliers(Value x, Value w, float sy) {
        List<Integer> m = new java.util.ArrayList<>(), s = new java.util.ArrayList<>();
        for (float sw : w.type().quant().scales()) {
            FixedPoint.Multiplier mq = LoweredGraphs.multiplier((double) x.type().quant().scale(0) * sw / sy);
            m.add(mq.multiplier());
            s.add(mq.shift());
        }
        return List.of(m, s);
    }
}
