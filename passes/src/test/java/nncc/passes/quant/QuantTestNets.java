package nncc.passes.quant;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.Add;
import nncc.ir.op.Conv;
import nncc.ir.op.Flatten;
import nncc.ir.op.Gemm;
import nncc.ir.op.GlobalAveragePool;
import nncc.ir.op.MaxPool;
import nncc.passes.calib.QuantChoice;
import nncc.passes.calib.Range;

/**
 * Small float networks for the quantization tests, with seeded random weights, and a way to give their values
 * quantization plans from the ranges the float interpreter sees (the "hand-set plan" of the tests; the real
 * calibration is tested in its own package).
 */
final class QuantTestNets {
    private QuantTestNets() {}

    /**
     * conv 3x3 (relu) -> maxpool 2x2 -> depthwise conv 3x3 (relu6) -> add (residual) -> global average pool ->
     * flatten -> fully connected (3 outputs); input [?N,1,6,6].
     */
    static Graph convNet(long seed) {
        Random r = new Random(seed);
        Graph g = new Graph("small_cnn");
        Value x = new Value("x", TensorType.of(DType.F32, Shape.withSymbols(new long[] {0, 1, 6, 6}, new String[] {"N", null, null, null})));
        g.addInput(x);
        Value w1 = g.addConstant("conv1.weight", random(r, Shape.of(4, 1, 3, 3), 0.6f));
        Value b1 = g.addConstant("conv1.bias", random(r, Shape.of(4), 0.2f));
        Value w2 = g.addConstant("dw.weight", random(r, Shape.of(4, 1, 3, 3), 0.5f));
        Value b2 = g.addConstant("dw.bias", random(r, Shape.of(4), 0.2f));
        Value wf = g.addConstant("fc.weight", random(r, Shape.of(3, 4), 1.0f));
        Value bf = g.addConstant("fc.bias", random(r, Shape.of(3), 0.3f));
        Value c1 = node(g, "conv1", new Conv(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 1, Activation.RELU), x, w1, b1);
        Value p = node(g, "pool", new MaxPool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), List.of(1, 1), false, 0), c1);
        Value c2 = node(g, "dw", new Conv(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 4, Activation.RELU6), p, w2, b2);
        Value a = node(g, "add", new Add(), c2, p);
        Value gp = node(g, "gap", new GlobalAveragePool(), a);
        Value f = node(g, "flat", new Flatten(1), gp);
        Value y = node(g, "fc", new Gemm(1f, 1f, false, true), f, wf, bf);
        g.addOutput(y);
        return g;
    }

    private static Value node(Graph g, String name, nncc.ir.op.Op op, Value... inputs) {
        List<Value> in = List.of(inputs);
        TensorType t = op.inferTypes(in.stream().map(Value::type).toList()).get(0);
        Value out = new Value(name + ".out", t);
        g.addNode(new Node(name, op, in, List.of(out)));
        return out;
    }

    static Tensor random(Random r, Shape s, float amplitude) {
        float[] v = new float[Math.toIntExact(s.numElements())];
        for (int i = 0; i < v.length; i++) v[i] = (r.nextFloat() * 2 - 1) * amplitude;
        return Tensor.ofFloats(s, v);
    }

    /**
     * Gives every float graph input and node output the plan {@link QuantChoice#forActivation} makes of the
     * min/max the float interpreter sees on {@code inputs}.
     */
    static void annotatePlans(Graph g, List<Tensor> inputs, DType target) {
        Map<String, double[]> ranges = new HashMap<>();
        for (int i = 0; i < g.inputs().size(); i++) widen(ranges, g.inputs().get(i).name(), inputs.get(i));
        new Interpreter(g).run(inputs, (n, outs) -> {
            for (int i = 0; i < outs.size(); i++) if (outs.get(i).dtype().isFloat()) widen(ranges, n.outputs().get(i).name(), outs.get(i));
        });
        Map<String, TensorType> types = new HashMap<>();
        for (Value v : g.valuesByName().values()) {
            double[] r = ranges.get(v.name());
            if (r == null || g.isConstant(v)) continue;
            QuantParams p = QuantChoice.forActivation(new Range(r[0], r[1]), target);
            types.put(v.name(), v.type().withQuant(p));
        }
        ValueRetyping.apply(g, types);
    }

    private static void widen(Map<String, double[]> ranges, String name, Tensor t) {
        double[] r = ranges.computeIfAbsent(name, k -> new double[] {0, 0});
        for (float f : t.toFloats()) { r[0] = Math.min(r[0], f); r[1] = Math.max(r[1], f); }
    }

    /** A batch of {@code n} inputs uniform in [-1, 1) for a graph's first input (symbolic batch bound to n). */
    static Tensor inputBatch(Graph g, int n, long seed) {
        Shape s = g.inputs().get(0).type().shape().bindSymbols(n);
        return random(new Random(seed), s, 1f);
    }
}
