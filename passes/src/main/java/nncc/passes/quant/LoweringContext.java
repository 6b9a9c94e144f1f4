package nncc.passes.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Dequantize;
import nncc.ir.op.Quantize;
import nncc.ir.op.Requantize;
import nncc.passes.PassResult;

/**
 * The state of one {@link LowerToIntegerPass} run: the new node list, and for every value of the float graph
 * its integer form and its float form in the new graph. Forms are made on demand: a consumer that needs the
 * integer form of a float value gets a Quantize inserted, one that needs the float form of an integer value a
 * Dequantize, each at most once per value. Integer forms keep the float value's name (so float and quantized
 * traces match by name); float forms made here are named {@code <name>.dq} (Dequantize) or
 * {@code <name>.float} (the result of an op kept in float). With a float interface, graph inputs and outputs
 * keep their names and float types, and their integer forms are named {@code <name>.q}.
 */
final class LoweringContext {
    final Graph graph;
    final LowerToIntegerPass.Options options;
    final PassResult.Stats stats;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Value> integerForm = new HashMap<>();
    private final Map<String, Value> floatForm = new HashMap<>();
    private final FreshNames names;
    private final Set<String> graphOutputs = new HashSet<>();
    private final Set<String> graphInputs = new HashSet<>();
    private final Map<String, Integer> constantReaders = new HashMap<>();
    /** The codes of each 2-D convolution's planned weights, decided up front on every core (they are independent). */
    private final Map<String, WeightQuantizer.Weights> convCodes = new java.util.concurrent.ConcurrentHashMap<>();

    LoweringContext(Graph graph, LowerToIntegerPass.Options options, PassResult.Stats stats) {
        this.graph = graph;
        this.options = options;
        this.stats = stats;
        this.names = new FreshNames(graph);
        for (Node n : graph.nodes()) {
            for (Value v : n.inputs()) if (graph.isConstant(v)) constantReaders.merge(v.name(), 1, Integer::sum);
        }
        for (Value v : graph.outputs()) {
            graphOutputs.add(v.name());
            if (graph.isConstant(v)) constantReaders.merge(v.name(), 1, Integer::sum);
        }
        for (Value v : graph.inputs()) graphInputs.add(v.name());
        List<Value> planned = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Node n : graph.nodes()) {
            if (!(n.op() instanceof nncc.ir.op.Conv) || n.inputs().size() < 2) continue;
            Value w = n.input(1);
            Tensor data = graph.constantData(w);
            if (data != null && data.dtype().isFloat() && data.shape().rank() == 4 && w.type().quant() != null && seen.add(w.name()))
                planned.add(w);
        }
        planned.parallelStream().forEach(w -> {
            try {
                convCodes.put(w.name(), WeightQuantizer.fromPlan(graph.constantData(w), w.type().quant(), options.weightBits()));
            } catch (ModelException e) {
                // left out: computed again where the layer is lowered, which reports it there
            }
        });
    }

    /**
     * {@link WeightQuantizer#fromPlan} of {@code wData} under {@code plan}, as decided up front for the convolution weight
     * {@code w} when it is the same tensor under the same plan.
     */
    WeightQuantizer.Weights weightsFromPlan(Value w, Tensor wData, QuantParams plan) {
        WeightQuantizer.Weights q = convCodes.get(w.name());
        if (q != null && graph.constantData(w) == wData && plan.equals(w.type().quant())) return q;
        return WeightQuantizer.fromPlan(wData, plan, options.weightBits());
    }

    DType activation() { return options.activation(); }

    Rounding rounding() { return options.rounding(); }

    /** The accumulator (and bias) type of products of activations and weights. */
    /** The accumulator of convolutions and fully connected layers: TFLite's rule, i64 for i16 activations, else i32. */
    DType accumulator() { return activation() == DType.I16 ? DType.I64 : DType.I32; }

    /**
     * The requantization of convolutions and fully connected layers: TFLite's int64 (Q15) form for i16 activations,
     * whatever the int32 rounding option says (TFLite's 16x8 kernels have no other), else the option's.
     */
    Rounding linearRounding() { return accumulator() == DType.I64 ? Rounding.SINGLE_ROUND_Q15 : rounding(); }

    List<Node> nodes() { return nodes; }

    void emit(Node n) { nodes.add(n); }

    /** A value or node name not used yet, built from {@code base}. */
    String fresh(String base) { return names.fresh(base); }

    private boolean onFloatBoundary(String name) {
        return options.floatInterface() && (graphInputs.contains(name) || graphOutputs.contains(name));
    }

    /** The per-tensor plan of a float value, or an error at {@code at} (a node, or null for a graph output). */
    QuantParams plan(Value original, Node at, String role) {
        QuantParams p = QuantNumbers.perTensor(original.type().quant(), at, original.name());
        if (p != null) return p;
        String msg = role + " %" + original.name() + " has no quantization plan; calibrate the graph (annotate ranges) "
                + "before lowering";
        throw at != null ? at.error(msg) : new ModelException(msg);
    }

    /** The plan of a node's output, checked to be per-tensor. */
    QuantParams outputPlan(Node n, Value out) { return plan(out, n, "output"); }

    /** Registers the integer form of a graph input that becomes an integer tensor. */
    void integerInput(Value original, Value integer) { integerForm.put(original.name(), integer); }

    /** Registers a value that passes through unchanged (a float-interface input, a non-float value). */
    void unchanged(Value v) {
        if (v.type().dtype().isFloat()) floatForm.put(v.name(), v);
        else { floatForm.put(v.name(), v); integerForm.put(v.name(), v); }
    }

    /** Defines the integer form of {@code original} as the output of a lowered op; returns the new value. */
    Value defineInteger(Value original, TensorType type) {
        String name = onFloatBoundary(original.name()) ? fresh(original.name() + ".q") : original.name();
        Value v = new Value(name, type);
        integerForm.put(original.name(), v);
        return v;
    }

    /** Emits lowered op {@code q} under the node's name, producing the integer form of its output with params {@code p}. */
    void emitLowered(Node n, nncc.ir.op.Op q, List<Value> inputs, QuantParams p) {
        Value out = n.output();
        Value y = defineInteger(out, new TensorType(activation(), out.type().shape(), p));
        emit(new Node(n.name(), q, inputs, List.of(y)));
        stats.inc("lowered " + n.op().opName() + " to " + q.opName());
    }

    /** Defines the float form of {@code original} as the output of an op kept in float; returns the new value. */
    Value defineFloat(Value original) {
        if (!original.type().dtype().isFloat()) { unchanged(original); return original; }
        boolean keepName = graphOutputs.contains(original.name())
                && (options.floatInterface() || original.type().quant() == null);
        String name = keepName ? original.name() : fresh(original.name() + ".float");
        Value v = new Value(name, original.type().withQuant(null));
        floatForm.put(original.name(), v);
        return v;
    }

    /**
     * The integer form of a float value read by {@code at}: already there, a constant quantized now, or a
     * Quantize of its float form with the value's plan (inserted now).
     */
    Value asInteger(Value original, Node at) {
        Value v = integerForm.get(original.name());
        if (v != null) return v;
        if (!original.type().dtype().isFloat()) return original;
        if (graph.isConstant(original)) return quantizedConstant(original, at);
        Value f = floatForm.get(original.name());
        if (f == null) throw new IllegalStateException("value %" + original.name() + " read before it is defined");
        QuantParams p = plan(original, at, "input");
        DType t = activation();
        Value q = defineInteger(original, new TensorType(t, original.type().shape(), p));
        emit(new Node(fresh(q.name() + ".quantize"), new Quantize(p.scale(0), p.zeroPoint(0), t), List.of(f), List.of(q)));
        stats.inc("quantize inserted");
        return q;
    }

    /** The float form of a value read by an op kept in float (a Dequantize of its integer form if needed). */
    Value asFloat(Value original) {
        Value f = floatForm.get(original.name());
        if (f != null) return f;
        if (!original.type().dtype().isFloat() || graph.isConstant(original)) return original;
        Value q = integerForm.get(original.name());
        if (q == null) throw new IllegalStateException("value %" + original.name() + " read before it is defined");
        QuantParams p = q.type().quant();
        String name = onFloatBoundary(original.name()) ? original.name() : fresh(original.name() + ".dq");
        Value d = new Value(name, TensorType.of(DType.F32, original.type().shape()));
        emit(new Node(fresh(q.name() + ".dequantize"), new Dequantize(p.scale(0), p.zeroPoint(0)), List.of(q), List.of(d)));
        floatForm.put(original.name(), d);
        stats.inc("dequantize inserted");
        return d;
    }

    /** Whether the value has an integer form, or could get one (a plan, or constant data). */
    boolean canBeInteger(Value original) {
        return integerForm.containsKey(original.name()) || original.type().quant() != null || graph.isConstant(original);
    }

    /**
     * A float constant read as an activation (an Add operand, a Concat input): quantized per tensor with its
     * plan, or with parameters from its own range when it has none.
     */
    private Value quantizedConstant(Value original, Node at) {
        Tensor data = graph.constantData(original);
        QuantParams p = QuantNumbers.perTensor(original.type().quant(), at, original.name());
        float[] v = data.toFloats();
        if (p == null) {
            double lo = 0, hi = 0;
            for (float x : v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
            p = QuantNumbers.activationParams(lo, hi, activation());
        }
        long[] q = new long[v.length];
        for (int i = 0; i < v.length; i++) q[i] = QuantNumbers.quantize(v[i], p.scale(0), p.zeroPoint(0), activation());
        Value c = constant(original, Tensor.ofLongs(activation(), data.shape(), q), p);
        integerForm.put(original.name(), c);
        stats.inc("constants quantized");
        return c;
    }

    /**
     * Adds the quantized form of constant {@code original}: under the same name when only one node reads it
     * (the float data is then replaced), else as {@code <name>.q}.
     */
    Value constant(Value original, Tensor data, QuantParams params) {
        boolean sole = constantReaders.getOrDefault(original.name(), 0) <= 1;
        String name = sole ? original.name() : fresh(original.name() + ".q");
        return graph.addConstant(name, data, params);
    }

    /** A new constant (a table, a transposed weight) under a fresh name built from {@code base}. */
    Value newConstant(String base, Tensor data, QuantParams params) {
        return graph.addConstant(fresh(base), data, params);
    }

    /**
     * Emits node {@code n} (an Identity that {@code insert-requantize} placed) as a Requantize of integer value
     * {@code integer} to params {@code target}, defining the integer form of {@code n}'s output.
     */
    void emitRequantize(Node n, Value integer, QuantParams target) {
        QuantParams from = integer.type().quant();
        double real = (double) from.scale(0) / (double) target.scale(0);
        var m = QuantNumbers.multiplier(real, rounding(), n, "requantize");
        DType t = activation();
        Value r = defineInteger(n.output(), new TensorType(t, integer.type().shape(), target));
        emit(new Node(n.name(), new Requantize(from.zeroPoint(0), m.multiplier(), m.shift(), target.zeroPoint(0),
                target.scale(0), t, rounding()), List.of(integer), List.of(r)));
        stats.inc("requantize inserted");
    }
}
