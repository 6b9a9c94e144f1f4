package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Op;

/** Builds small test graphs directly from IR classes and runs single ops through the interpreter. */
final class TestGraphs {
    private TestGraphs() {}

    /** A graph under construction; node output types come from the op's own type inference. */
    static final class Builder {
        final Graph graph = new Graph("test");
        private int nodes;

        Value input(String name, DType t, Shape s) {
            Value v = new Value(name, TensorType.of(t, s));
            graph.addInput(v);
            return v;
        }

        Value constant(String name, Tensor t) { return graph.addConstant(name, t); }

        Value node(Op op, String out, Value... inputs) { return nodeMulti(op, 1, out, inputs).get(0); }

        /** A node with its first {@code outputs} outputs, named {@code out}, {@code out_1}, ... */
        List<Value> nodeMulti(Op op, int outputs, String out, Value... inputs) {
            List<TensorType> types = op.inferTypes(List.of(inputs).stream().map(Value::type).toList());
            List<Value> outs = new ArrayList<>();
            for (int i = 0; i < outputs; i++) outs.add(new Value(i == 0 ? out : out + "_" + i, types.get(i)));
            graph.addNode(new Node("n" + (nodes++) + "_" + op.opName(), op, List.of(inputs), outs));
            return outs;
        }

        Graph output(Value... outs) {
            for (Value v : outs) graph.addOutput(v);
            return graph;
        }
    }

    /**
     * Runs one op on {@code inputs}: input 0 is a graph input, the rest are constants when {@code constants} is
     * true (exercising prepared weights) or graph inputs otherwise. Returns the first {@code outputs} outputs.
     */
    static List<Tensor> runOp(Op op, boolean constants, int outputs, Tensor... inputs) {
        Builder b = new Builder();
        List<Value> in = new ArrayList<>();
        List<Tensor> fed = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            if (i > 0 && constants) in.add(b.constant("c" + i, inputs[i]));
            else {
                in.add(b.input("in" + i, inputs[i].dtype(), inputs[i].shape()));
                fed.add(inputs[i]);
            }
        }
        List<Value> outs = b.nodeMulti(op, outputs, "y", in.toArray(new Value[0]));
        b.output(outs.toArray(new Value[0]));
        return new Interpreter(b.graph).run(fed);
    }

    /** Runs one op with its other inputs as constants and as graph inputs; both must agree exactly. */
    static Tensor run(Op op, Tensor... inputs) {
        Tensor asConstants = runOp(op, true, 1, inputs).get(0);
        Tensor asInputs = runOp(op, false, 1, inputs).get(0);
        assertEquals(asConstants, asInputs, "prepared-constant and run-time paths differ");
        return asConstants;
    }

    static Tensor f32(long[] shape, float... v) { return Tensor.ofFloats(Shape.of(shape), v); }

    static Tensor ints(DType t, long[] shape, long... v) { return Tensor.ofLongs(t, Shape.of(shape), v); }

    static long[] dims(long... d) { return d; }

    static Tensor scalarF(float v) { return Tensor.ofFloats(Shape.SCALAR, v); }

    static Tensor scalarI(DType t, long v) { return Tensor.ofLongs(t, Shape.SCALAR, v); }

    /** Floats 1, 2, ..., n. */
    static float[] iota(int n) {
        float[] r = new float[n];
        for (int i = 0; i < n; i++) r[i] = i + 1;
        return r;
    }

    static void assertFloats(float[] expected, Tensor actual, float tolerance) {
        assertArrayEquals(expected, actual.toFloats(), tolerance);
    }

    static void assertShape(Tensor t, long... dims) { assertEquals(Shape.of(dims), t.shape()); }
}
