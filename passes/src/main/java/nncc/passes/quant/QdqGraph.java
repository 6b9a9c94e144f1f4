package nncc.passes.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Clip;
import nncc.ir.op.Dequantize;
import nncc.ir.op.DequantizeLinear;
import nncc.ir.op.QuantizeLinear;
import nncc.ir.op.Relu;
import nncc.passes.PassResult;

/**
 * The state of one {@link LowerQdqPass} run over a graph with ONNX QuantizeLinear/DequantizeLinear nodes: who
 * reads and writes each value, the integer form (int8) each quantized value of the input graph gets in the new
 * graph, the float form of the values that stay float, and the node list being built. A DequantizeLinear emits
 * nothing by itself: ops read the integer form behind it, and only a consumer that stays in float gets a
 * {@link Dequantize} (made here, once per value). uint8 tensors become int8 with zero point - 128: the same real
 * values, every integer shifted by the same amount, so every lowered op computes the same results.
 */
final class QdqGraph {
    /** Parameters of an int8/uint8 QuantizeLinear or DequantizeLinear, as int8 ({@code zp - 128} for uint8). */
    record Params(QuantParams params, DType stored) {
        float scale() { return params.scale(0); }

        long zp() { return params.zeroPoint(0); }
    }

    /**
     * The quantized float op's way out: optional Relu/Clip nodes (clamp bounds {@code lo}, {@code hi} in real
     * values) and the QuantizeLinear whose output the lowered op produces; {@code absorbed} are those nodes.
     */
    record Sink(Node quantize, Params params, List<Node> absorbed, float lo, float hi) {}

    /** A dequantized integer constant: codes (int8, or int32 for biases), shape and parameters. */
    record IntConst(long[] codes, Shape shape, QuantParams params, DType type) {}

    final Graph graph;
    final LowerQdqPass.Options options;
    final PassResult.Stats stats;
    private final Set<String> graphOutputs = new HashSet<>();
    private final Map<String, Value> integerForm = new HashMap<>();
    private final Map<String, Value> floatForm = new HashMap<>();
    private final Set<String> present = new HashSet<>();
    private final Set<String> absorbed = new HashSet<>();
    private final FreshNames names;
    private final List<Node> nodes = new ArrayList<>();

    QdqGraph(Graph graph, LowerQdqPass.Options options, PassResult.Stats stats) {
        this.graph = graph;
        this.options = options;
        this.stats = stats;
        this.names = new FreshNames(graph);
        for (Value v : graph.outputs()) graphOutputs.add(v.name());
    }

    List<Node> nodes() { return nodes; }

    void emit(Node n) { nodes.add(n); }

    String fresh(String base) { return names.fresh(base); }

    /** The producer of {@code v} in the graph being lowered (its use-def index; the graph is not edited until the end). */
    Node producer(Value v) { return graph.producer(v); }

    /** The nodes reading {@code v} in the graph being lowered, each once. */
    List<Node> consumers(Value v) { return graph.consumers(v); }

    boolean isGraphOutput(Value v) { return graphOutputs.contains(v.name()); }

    boolean isAbsorbed(Node n) { return absorbed.contains(n.name()); }

    void absorb(Node n) { absorbed.add(n.name()); }

    Value integerForm(Value original) { return integerForm.get(original.name()); }

    void setIntegerForm(Value original, Value integer) { integerForm.put(original.name(), integer); }

    /** Registers a value that is in the new graph as it was (an input, the output of a node kept as it is). */
    void keep(Value v) {
        present.add(v.name());
        if (v.type().dtype().isFloat()) floatForm.put(v.name(), v);
    }

    /**
     * The parameters of QuantizeLinear/DequantizeLinear node {@code n} when they are constant, per tensor and of
     * an int8 or uint8 tensor; else null.
     */
    Params params(Node n) {
        DType t = n.op() instanceof QuantizeLinear q ? q.outType() : n.input(0).type().dtype();
        if (t != DType.I8 && t != DType.U8) return null;
        Tensor s = graph.constantData(n.input(1));
        Tensor z = n.inputs().size() > 2 ? graph.constantData(n.input(2)) : null;
        if (s == null || s.numElements() != 1 || (n.inputs().size() > 2 && (z == null || z.numElements() != 1))) return null;
        float scale = s.toFloats()[0];
        if (!(scale > 0) || Float.isInfinite(scale)) return null;
        long zp = z == null ? 0 : z.toLongs()[0];
        return new Params(QuantParams.perTensor(scale, t == DType.U8 ? zp - 128 : zp), t);
    }

    /**
     * The int8 form of the activation a float op reads as {@code f}: {@code f} is a DequantizeLinear of a value
     * with an integer form carrying the same parameters. Null otherwise.
     */
    Value activation(Value f) {
        Node dq = producer(f);
        if (dq == null || !(dq.op() instanceof DequantizeLinear)) return null;
        Value q = integerForm(dq.input(0));
        Params p = params(dq);
        if (q == null || p == null || !p.params().equals(q.type().quant())) return null;
        return q;
    }

    /**
     * The integer constant a float op reads as {@code f}: a DequantizeLinear of constant int8/uint8/int32 data with
     * constant parameters (per tensor, or per axis). uint8 data is moved to int8 (codes and zero points - 128).
     */
    IntConst constant(Value f) {
        Node dq = producer(f);
        if (dq == null || !(dq.op() instanceof DequantizeLinear op)) return null;
        Tensor data = graph.constantData(dq.input(0));
        Tensor s = graph.constantData(dq.input(1));
        Tensor z = dq.inputs().size() > 2 ? graph.constantData(dq.input(2)) : null;
        if (data == null || s == null || (dq.inputs().size() > 2 && z == null)) return null;
        DType t = data.dtype();
        if (t != DType.I8 && t != DType.U8 && t != DType.I32) return null;
        long shift = t == DType.U8 ? 128 : 0;
        long[] codes = data.toLongs();
        for (int i = 0; i < codes.length; i++) codes[i] -= shift;
        float[] scales = s.toFloats();
        long[] zps = z == null ? new long[scales.length] : z.toLongs();
        for (int i = 0; i < zps.length; i++) zps[i] -= shift;
        for (float x : scales) if (!(x > 0) || Float.isInfinite(x)) return null;
        QuantParams p;
        if (scales.length == 1 && s.shape().rank() <= 1) p = QuantParams.perTensor(scales[0], zps[0]);
        else {
            int axis = op.axis() < 0 ? op.axis() + data.shape().rank() : op.axis();
            p = QuantParams.perAxis(axis, scales, zps);
        }
        return new IntConst(codes, data.shape(), p, t == DType.I32 ? DType.I32 : DType.I8);
    }

    /**
     * Where float op {@code n}'s result goes: its only reader, optionally through one Relu or Clip read only by
     * it, is a QuantizeLinear with constant int8/uint8 parameters. Null when it is anything else (the op then
     * has no integer output to produce). {@code lo}, {@code hi}: the op's own fused activation bounds.
     */
    Sink sink(Node n, float lo, float hi, boolean activationAllowed) {
        if (n.outputs().size() != 1) return null;
        List<Node> absorbedNodes = new ArrayList<>();
        Value y = n.output();
        Node next = single(y);
        if (next != null && activationAllowed && (next.op() instanceof Relu || next.op() instanceof Clip)) {
            if (next.op() instanceof Relu) lo = Math.max(lo, 0f);
            else if (next.op() instanceof Clip c) {
                lo = Math.max(lo, c.min());
                hi = Math.min(hi, c.max());
            }
            absorbedNodes.add(next);
            next = single(next.output());
        }
        if (next == null || !(next.op() instanceof QuantizeLinear)) return null;
        Params p = params(next);
        if (p == null) return null;
        absorbedNodes.add(next);
        if (activationAllowed) {
            // Q, DQ, Relu/Clip, Q with one set of parameters (PyTorch's FX export of an unfused ReLU6): the second
            // Q of the clipped DQ is exactly the first Q's codes clamped at the bounds' codes, so the clip joins
            // the clamp (rounding is monotonic and Q(DQ(k)) = k)
            for (List<Node> hop = activationHop(next, p); hop != null; hop = activationHop(next, p)) {
                Node act = hop.get(hop.size() - 2);
                if (act.op() instanceof Relu) lo = Math.max(lo, 0f);
                else if (act.op() instanceof Clip c) {
                    lo = Math.max(lo, c.min());
                    hi = Math.min(hi, c.max());
                }
                absorbedNodes.addAll(hop);
                next = hop.get(hop.size() - 1);
            }
        }
        return new Sink(next, p, absorbedNodes, lo, hi);
    }

    /**
     * The nodes after QuantizeLinear {@code q} (parameters {@code p}) up to a second QuantizeLinear with the same
     * parameters: only readers each time, through Identity nodes, a DequantizeLinear with {@code p}, then one Relu
     * or Clip. Null when the chain is anything else.
     */
    private List<Node> activationHop(Node q, Params p) {
        List<Node> hop = new ArrayList<>();
        Node next = single(q.output());
        while (next != null && next.op() instanceof nncc.ir.op.Identity) {
            hop.add(next);
            next = single(next.output());
        }
        if (next == null || !(next.op() instanceof DequantizeLinear) || params(next) == null
                || !params(next).params().equals(p.params())) return null;
        hop.add(next);
        next = single(next.output());
        if (next == null || !(next.op() instanceof Relu || next.op() instanceof Clip)) return null;
        hop.add(next);
        next = single(next.output());
        if (next == null || !(next.op() instanceof QuantizeLinear) || params(next) == null
                || !params(next).params().equals(p.params())) return null;
        hop.add(next);
        return hop;
    }

    /** The only node reading {@code v}, reading it once, when {@code v} is not a graph output; else null. */
    private Node single(Value v) {
        List<Node> c = consumers(v);
        boolean once = c.size() == 1 && c.get(0).inputs().stream().filter(x -> x.name().equals(v.name())).count() == 1;
        return once && !isGraphOutput(v) ? c.get(0) : null;
    }

    /**
     * Emits lowered op {@code op} under {@code n}'s name on {@code inputs}; its output is the integer form of the
     * sink's QuantizeLinear output (named after it), and the sink's nodes are absorbed.
     */
    Value emitLowered(Node n, Sink s, nncc.ir.op.Op op, List<Value> inputs) {
        Value q = s.quantize().output();
        Value y = new Value(q.name(), new TensorType(DType.I8, q.type().shape(), s.params().params()));
        emit(new Node(n.name(), op, inputs, List.of(y)));
        setIntegerForm(q, y);
        s.absorbed().forEach(this::absorb);
        stats.inc("lowered " + n.op().opName() + " to " + op.opName());
        long hops = s.absorbed().stream().filter(a -> a.op() instanceof DequantizeLinear).count();
        if (hops > 0) stats.add("activations after a QuantizeLinear folded into the clamp", hops);
        return y;
    }

    /**
     * The float form of {@code original} for a node that stays in float: the value itself, a Dequantize of the
     * integer form behind a DequantizeLinear, or the dequantized data of a constant behind one.
     */
    Value asFloat(Value original) {
        Value f = floatForm.get(original.name());
        if (f != null) return f;
        if (graph.isConstant(original) || present.contains(original.name())) return original;
        Node dq = producer(original);
        if (dq != null && dq.op() instanceof DequantizeLinear) {
            IntConst c = constant(original);
            if (c != null) {
                Value v = graph.addConstant(original.name(), dequantize(c)); // the DequantizeLinear itself is gone
                floatForm.put(original.name(), v);
                return v;
            }
            Value q = integerForm(dq.input(0));
            Params p = params(dq);
            if (q != null && p != null) {
                Value d = new Value(original.name(), TensorType.of(DType.F32, original.type().shape()));
                emit(new Node(dq.name(), new Dequantize(p.scale(), p.zp()), List.of(q), List.of(d))); // in its place
                floatForm.put(original.name(), d);
                stats.inc("dequantize inserted");
                return d;
            }
        }
        Value q = integerForm(original);
        if (q != null) return q; // an int8 value read as it is (only for values that were int8 already)
        throw new IllegalStateException("value %" + original.name() + " read before it is defined");
    }

    /** The real values of a dequantized constant, float32 {@code (q - zp) * scale} as DequantizeLinear computes. */
    static Tensor dequantize(IntConst c) {
        QuantParams p = c.params();
        float[] out = new float[c.codes().length];
        long inner = 1;
        int axis = p.isPerAxis() ? p.axis() : -1;
        if (axis >= 0) for (int d = axis + 1; d < c.shape().rank(); d++) inner *= c.shape().dim(d);
        for (int i = 0; i < out.length; i++) {
            int k = axis < 0 ? 0 : (int) ((i / inner) % p.count());
            out[i] = (float) (c.codes()[i] - p.zeroPoint(k)) * p.scale(k);
        }
        return Tensor.ofFloats(c.shape(), out);
    }

    /**
     * Clamp bounds [actMin, actMax] of real bounds [lo, hi] on an int8 output with params {@code p}, as a Clip
     * followed by QuantizeLinear computes them: {@code zp + round_half_even(bound / scale)} in float32, saturated.
     */
    static int[] clamp(float lo, float hi, Params p) {
        long min = DType.I8.minValue(), max = DType.I8.maxValue();
        if (Float.isFinite(lo)) min = Math.max(min, Math.min(max, p.zp() + (long) Math.rint(lo / p.scale())));
        if (Float.isFinite(hi)) max = Math.min(max, Math.max(min, p.zp() + (long) Math.rint(hi / p.scale())));
        return new int[] {(int) min, (int) Math.max(min, max)};
    }

    /**
     * The fused activation the absorbed Relu/Clip of {@code s} names (relu, relu6, relu_n1_to_1), when its TFLite clamp
     * is the clamp the ONNX graph computes; else none (the clamp then stands on its own in the lowered op).
     */
    static nncc.ir.op.Activation activation(Sink s, int[] clamp, Params p) {
        if (s == null) return nncc.ir.op.Activation.NONE;
        nncc.ir.op.Activation a = nncc.ir.op.Activation.ofBounds(s.lo(), s.hi());
        if (a == null || a == nncc.ir.op.Activation.NONE) return nncc.ir.op.Activation.NONE;
        int[] b = a.clampBounds(p.scale(), p.zp(), DType.I8);
        return b[0] == clamp[0] && b[1] == clamp[1] ? a.ifClamping(clamp, DType.I8) : nncc.ir.op.Activation.NONE;
    }

    /** {@code op} (a QConv or QGemm) stating {@code a} as its fused activation. */
    static nncc.ir.op.Op withActivation(nncc.ir.op.Op op, nncc.ir.op.Activation a) {
        return switch (op) {
            case nncc.ir.op.QConv c -> new nncc.ir.op.QConv(c.strides(), c.pads(), c.dilations(), c.group(), c.inputZp(),
                    c.multiplier(), c.shift(), c.outputZp(), c.outputScale(), c.outType(), c.actMin(), c.actMax(), c.rounding(),
                    c.accumulator(), c.weightBits(), a);
            case nncc.ir.op.QGemm q -> new nncc.ir.op.QGemm(q.inputZp(), q.multiplier(), q.shift(), q.outputZp(), q.outputScale(),
                    q.outType(), q.actMin(), q.actMax(), q.rounding(), q.accumulator(), q.weightBits(), a);
            default -> op;
        };
    }
}
