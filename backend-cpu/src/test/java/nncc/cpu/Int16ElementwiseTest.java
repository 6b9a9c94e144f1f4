package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.op.Op;
import nncc.ir.op.QAdd;
import nncc.ir.op.QMul;
import org.junit.jupiter.api.Test;

/**
 * Same-shape 16x8 QAdd and QMul on shorts (the vector set's chunked path) against the scalar reference, bit for bit, at
 * sizes below, at and across the chunk length, with random multipliers; the vector set's output stays shorts.
 */
class Int16ElementwiseTest {
    @Test
    void sameShapeInt16AddAndMulEqualTheScalarReferenceAndStayShorts() {
        Random r = new Random(9);
        for (int size : new int[] {1, 7, 511, 512, 513, 1500, 12544}) {
            QAdd add = new QAdd(0, 0, 15, (1 << 30) + r.nextInt(1 << 30), -1 - r.nextInt(3), (1 << 30) + r.nextInt(1 << 30),
                    -1 - r.nextInt(3), (1 << 30) + r.nextInt(1 << 30), -14 - r.nextInt(3), 0, 0.1f, DType.I16, -32768, 32767,
                    Rounding.SINGLE_ROUND);
            QMul mul = new QMul(0, 0, (1 << 30) + r.nextInt(1 << 30), -14 - r.nextInt(4), 0, 0.1f, DType.I16, -32768, 32767,
                    Rounding.SINGLE_ROUND);
            for (Op op : List.of(add, mul)) check(op, size, r);
        }
    }

    private static void check(Op op, int size, Random r) {
        Shape shape = Shape.of(1, size);
        Tensor a = Tensor.ofLongs(DType.I16, shape, r.longs(size, -32768, 32768).toArray());
        Tensor b = Tensor.ofLongs(DType.I16, shape, r.longs(size, -32768, 32768).toArray());
        TestGraphs.Builder builder = new TestGraphs.Builder();
        Graph g = builder.output(builder.node(op, "y", builder.input("a", DType.I16, shape), builder.input("b", DType.I16, shape)));
        long[] expected = new Interpreter(g, KernelSet.SCALAR).run(List.of(a, b)).get(0).toLongs();
        Kernel kernel = Kernels.prepare(new NodeContext(g.nodes().get(0), List.of(a.type(), b.type()), new NdArray[2], KernelSet.VECTOR));
        NdArray y = kernel.run(new NdArray[] {NdArray.fromTensor(a, true), NdArray.fromTensor(b, true)},
                new TensorType[] {g.nodes().get(0).output().type()})[0];
        assertTrue(y.holdsShorts(), op.opName() + " output of " + size + " elements is not held as shorts");
        assertArrayEquals(expected, y.toTensor().toLongs(), op.opName() + " on " + size + " elements");
    }
}
