package nncc.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Op;

/** Helpers for building test graphs: nodes whose output types come from the op's own type inference. */
final class TestGraphs {
    private TestGraphs() {}

    /** Adds a node named {@code name} with {@code outputs} outputs named {@code name.out<i>}, typed by inference. */
    static List<Value> nodeN(Graph g, String name, Op op, int outputs, QuantParams quant, Value... inputs) {
        List<TensorType> types = op.inferTypes(List.of(inputs).stream().map(Value::type).toList());
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < outputs; i++)
            outs.add(new Value(outputs == 1 ? name + ".out" : name + ".out" + i,
                    i == 0 && quant != null ? types.get(i).withQuant(quant) : types.get(i)));
        g.addNode(new Node(name, op, List.of(inputs), outs));
        return outs;
    }

    static Value node(Graph g, String name, Op op, Value... inputs) { return nodeN(g, name, op, 1, null, inputs).get(0); }

    static Value quantNode(Graph g, String name, Op op, QuantParams q, Value... inputs) {
        return nodeN(g, name, op, 1, q, inputs).get(0);
    }

    static Value input(Graph g, String name, TensorType t) {
        Value v = new Value(name, t);
        g.addInput(v);
        return v;
    }

    /** Deterministic pseudo-random floats in [-1, 1). */
    static float[] floats(int n, long seed) {
        Random r = new Random(seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = r.nextFloat() * 2 - 1;
        return f;
    }

    /** Deterministic pseudo-random doubles in [-1, 1) (not float-representable in general). */
    static double[] doubles(int n, long seed) {
        Random r = new Random(seed);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = r.nextDouble() * 2 - 1;
        return d;
    }

    /** Deterministic pseudo-random integers in [min, max] (the full long range when max is Long.MAX_VALUE). */
    static long[] longs(int n, long min, long max, long seed) {
        Random r = new Random(seed);
        long[] l = new long[n];
        for (int i = 0; i < n; i++) l[i] = max == Long.MAX_VALUE ? r.nextLong() : r.nextLong(min, max + 1);
        return l;
    }

    static Value floatConst(Graph g, String name, long seed, long... dims) {
        Shape s = Shape.of(dims);
        return g.addConstant(name, Tensor.ofFloats(s, floats((int) s.numElements(), seed)));
    }

    static Value intConst(Graph g, String name, DType dt, QuantParams q, long[] values, long... dims) {
        return g.addConstant(name, Tensor.ofLongs(dt, Shape.of(dims), values), q);
    }

    static Shape sym(String symbol, long... rest) {
        long[] d = new long[rest.length + 1];
        String[] s = new String[rest.length + 1];
        s[0] = symbol;
        System.arraycopy(rest, 0, d, 1, rest.length);
        return Shape.withSymbols(d, s);
    }

    /** Asserts two graphs are equal part by part (names, types, quantization, ops, data bytes). */
    static void assertSameGraph(Graph expected, Graph actual) {
        assertEquals(expected.name(), actual.name(), "graph name");
        assertEquals(expected.inputs(), actual.inputs(), "inputs");
        assertEquals(expected.constants(), actual.constants(), "constants");
        assertEquals(expected.nodes(), actual.nodes(), "nodes");
        assertEquals(expected.outputs(), actual.outputs(), "outputs");
    }
}
