package nncc.passes.quant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.*;
import nncc.passes.Pass;
import nncc.passes.PassOptions;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * The {@code dynamic} ("hybrid", weight-only) scheme: Conv (2-D) with constant weights becomes a
 * DynamicQuantConv, Gemm and MatMul with a constant 2-D weight a DynamicQuantGemm; their weights are stored as
 * symmetric int8 per output channel (4x smaller), the bias stays float, and activations are quantized on the fly
 * by the kernel. Gemm's alpha is folded into the weights, beta into the bias, transB into the weight layout; a
 * Gemm with transA stays float. A fused activation becomes a Relu or Clip after the hybrid op. Every other node
 * stays float.
 *
 * <pre>{@code
 * // before
 * node @fc = Gemm {alpha = 1.0, beta = 1.0, transA = false, transB = true, activation = relu} (%x, %w, %b) -> (%y : f32[?N,2])
 * // after
 * const %w : i8[2,4]{axis = 0, scale = [0.0078125, 0.015625], zp = [0, 0]} = [...]
 * node @fc = DynamicQuantGemm {weightScales = [0.0078125, 0.015625]} (%x, %w, %b) -> (%y.linear : f32[?N,2])
 * node @fc.relu = Relu (%y.linear) -> (%y : f32[?N,2])
 * }</pre>
 * Cost: one walk over the nodes and one quantization of each rewritten weight tensor: O(nodes + weights).
 */
public final class DynamicRangePass implements Pass {
    public static final String NAME = "quantize-dynamic";

    /** Weight bits (2..8, stored in i8), per-tensor instead of per-channel weights, nodes to keep in float. */
    public record Options(int weightBits, boolean perTensor, Set<String> exclude) {
        public Options {
            if (weightBits < 2 || weightBits > 8) throw new ModelException("weight bits must be in 2..8, got " + weightBits);
            exclude = Set.copyOf(exclude);
        }

        public static Options defaults() { return new Options(8, false, Set.of()); }

        /** From pass options {@code weight-bits=N, per-tensor, exclude=a;b}. */
        public static Options from(PassOptions o) {
            String ex = o.string("exclude", "");
            Set<String> exclude = new HashSet<>(Arrays.asList(ex.split(";")));
            exclude.removeIf(String::isBlank);
            return new Options(Math.toIntExact(o.integer("weight-bits", 8)), o.flag("per-tensor", false), exclude);
        }
    }

    private final Options options;

    public DynamicRangePass(Options options) { this.options = options; }

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.SHAPES_INFERRED; }

    @Override public Stage produces() { return Stage.LOWERED; }

    @Override public PassResult run(Graph g) {
        Set<String> unknown = new HashSet<>(options.exclude());
        g.nodes().forEach(n -> unknown.remove(n.name()));
        if (!unknown.isEmpty()) throw new ModelException("cannot exclude " + unknown + ": no such node in graph " + g.name());
        PassResult.Stats stats = new PassResult.Stats().declare("convs made hybrid", "fully connected made hybrid",
                "weight bytes before", "weight bytes after");
        Map<String, Integer> readers = new HashMap<>();
        for (Node n : g.nodes()) for (Value v : n.inputs()) readers.merge(v.name(), 1, Integer::sum);
        for (Value v : g.outputs()) readers.merge(v.name(), 1, Integer::sum);
        Set<String> taken = new HashSet<>(g.valuesByName().keySet());
        g.nodes().forEach(n -> taken.add(n.name()));
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            List<Node> r = options.exclude().contains(n.name()) ? null : rewrite(g, n, readers, taken, stats);
            if (r == null) nodes.add(n);
            else nodes.addAll(r);
        }
        g.setNodes(nodes);
        g.removeUnusedConstants();
        return stats.result();
    }

    /** The hybrid form of {@code n}, or null when it stays float. */
    private List<Node> rewrite(Graph g, Node n, Map<String, Integer> readers, Set<String> taken, PassResult.Stats stats) {
        switch (n.op()) {
            case Conv op -> {
                Tensor w = g.constantData(n.input(1));
                Tensor b = n.inputs().size() > 2 ? g.constantData(n.input(2)) : null;
                if (w == null || n.input(0).type().rank() != 4 || !n.input(0).type().dtype().isFloat()
                        || (n.inputs().size() > 2 && b == null)) return null;
                WeightQuantizer.Weights q = WeightQuantizer.symmetric(w, options.weightBits(), !options.perTensor());
                List<Value> ins = new ArrayList<>(List.of(n.input(0), weights(g, n.input(1), q, readers, taken, stats)));
                if (b != null) ins.add(n.input(2));
                stats.inc("convs made hybrid");
                return withActivation(n, new DynamicQuantConv(op.strides(), op.pads(), op.dilations(), op.group(),
                        scales(q)), ins, op.activation(), taken);
            }
            case Gemm op -> {
                Tensor bm = g.constantData(n.input(1));
                if (op.transA() || bm == null || bm.shape().rank() != 2 || n.input(0).type().rank() != 2) return null;
                Tensor w = op.transB() ? bm : WeightQuantizer.transpose2d(bm);
                long m = w.shape().dim(0);
                Tensor bias = null;
                if (n.inputs().size() > 2) {
                    Tensor c = g.constantData(n.input(2));
                    if (c == null || c.numElements() != m && c.numElements() != 1) return null;
                    bias = vector(c, m, op.beta());
                }
                if (op.alpha() != 1f) w = scaled(w, op.alpha());
                return gemm(g, n, w, bias, op.activation(), readers, taken, stats);
            }
            case MatMul op -> {
                Tensor bm = g.constantData(n.input(1));
                if (bm == null || bm.shape().rank() != 2 || n.input(0).type().rank() != 2) return null;
                return gemm(g, n, WeightQuantizer.transpose2d(bm), null, Activation.NONE, readers, taken, stats);
            }
            default -> { return null; }
        }
    }

    private List<Node> gemm(Graph g, Node n, Tensor w, Tensor bias, Activation act, Map<String, Integer> readers,
                            Set<String> taken, PassResult.Stats stats) {
        WeightQuantizer.Weights q = WeightQuantizer.symmetric(w, options.weightBits(), !options.perTensor());
        List<Value> ins = new ArrayList<>(List.of(n.input(0), weights(g, n.input(1), q, readers, taken, stats)));
        if (bias != null) {
            Value c = n.input(2);
            boolean same = bias.equals(g.constantData(c));
            ins.add(same ? c : g.addConstant(fresh(taken, c.name() + ".bias"), bias));
        }
        stats.inc("fully connected made hybrid");
        return withActivation(n, new DynamicQuantGemm(scales(q)), ins, act, taken);
    }

    /** The int8 weight constant: replacing the float one when only this node reads it, else beside it. */
    private static Value weights(Graph g, Value original, WeightQuantizer.Weights q, Map<String, Integer> readers,
                                 Set<String> taken, PassResult.Stats stats) {
        stats.add("weight bytes before", g.constantData(original).byteSize());
        stats.add("weight bytes after", q.data().byteSize());
        String name = readers.getOrDefault(original.name(), 0) <= 1 ? original.name() : fresh(taken, original.name() + ".q");
        return g.addConstant(name, q.data(), q.params());
    }

    /** The hybrid node, followed by a Relu or Clip node standing for the fused activation when there is one. */
    private static List<Node> withActivation(Node n, Op hybrid, List<Value> ins, Activation act, Set<String> taken) {
        Value plainOut = n.output();
        if (act == Activation.NONE) return List.of(new Node(n.name(), hybrid, ins, List.of(plainOut)));
        Value linear = new Value(fresh(taken, plainOut.name() + ".linear"), plainOut.type());
        Op clamp = act == Activation.RELU ? new Relu() : new Clip(act.min(), act.max());
        return List.of(new Node(n.name(), hybrid, ins, List.of(linear)),
                new Node(fresh(taken, n.name() + "." + clamp.opName().toLowerCase(Locale.ROOT)), clamp, List.of(linear),
                        List.of(plainOut)));
    }

    private static List<Float> scales(WeightQuantizer.Weights q) {
        List<Float> r = new ArrayList<>();
        for (float s : q.params().scales()) r.add(s);
        return r;
    }

    /** A bias vector of {@code m} values: {@code beta * c}, broadcast from one value when c has one. */
    private static Tensor vector(Tensor c, long m, float beta) {
        float[] v = c.toFloats(), r = new float[Math.toIntExact(m)];
        for (int i = 0; i < r.length; i++) r[i] = beta * v[v.length == 1 ? 0 : i];
        return Tensor.ofFloats(Shape.of(m), r);
    }

    private static Tensor scaled(Tensor w, float alpha) {
        float[] v = w.toFloats();
        for (int i = 0; i < v.length; i++) v[i] *= alpha;
        return Tensor.ofFloats(w.shape(), v);
    }

    private static String fresh(Set<String> taken, String base) {
        String name = base;
        for (int i = 1; taken.contains(name); i++) name = base + "_" + i;
        taken.add(name);
        return name;
    }
}
