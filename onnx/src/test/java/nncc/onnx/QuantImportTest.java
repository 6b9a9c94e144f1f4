package nncc.onnx;

import static nncc.onnx.TestModel.attr;
import static nncc.onnx.TestModel.only;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.ConvInteger;
import nncc.ir.op.DequantizeLinear;
import nncc.ir.op.MatMulInteger;
import nncc.ir.op.QLinearConv;
import nncc.ir.op.QLinearMatMul;
import nncc.ir.op.QuantizeLinear;
import org.junit.jupiter.api.Test;

/** Quantization ops: absent zero points become explicit zero constants of the right type and shape. */
class QuantImportTest {
    private static Tensor u8(Shape s, long... v) { return Tensor.ofLongs(DType.U8, s, v); }

    private static Tensor i8(Shape s, long... v) { return Tensor.ofLongs(DType.I8, s, v); }

    private static void assertZeros(Graph g, Node n, int input, DType dtype, Shape shape) {
        Tensor t = g.constant(n.input(input).name()).data();
        assertEquals(dtype, t.dtype());
        assertEquals(shape, t.shape());
        assertArrayEquals(new long[Math.toIntExact(shape.numElements())], t.toLongs());
    }

    @Test
    void quantizeLinearWithoutZeroPointDefaultsToUint8Zero() {
        Graph g = new TestModel(10).input("x", DType.F32, "N", 4).initializer("s", Tensor.scalar(0.1f)).output("q")
                .node("QuantizeLinear", "x,s->q").load();
        Node n = only(g);
        assertEquals(new QuantizeLinear(1, DType.U8), n.op());
        assertEquals(3, n.inputs().size());
        assertZeros(g, n, 2, DType.U8, Shape.SCALAR);
        assertEquals("u8[?N,4]", n.output().type().toString());
    }

    @Test
    void quantizeLinearPerAxisTakesTheZeroPointType() {
        Node n = only(new TestModel(13).input("x", DType.F32, 3, 4).initializer("s", Tensor.ofFloats(Shape.of(3), 1, 2, 3))
                .initializer("z", i8(Shape.of(3), 0, 1, -1)).output("q").node("QuantizeLinear", "x,s,z->q", attr("axis", 0L)).load());
        assertEquals(new QuantizeLinear(0, DType.I8), n.op());
    }

    @Test
    void dequantizeLinearZeroPointHasTheInputType() {
        Graph g = new TestModel(13).input("q", DType.I8, 3, 4).initializer("s", Tensor.ofFloats(Shape.of(4), 1, 2, 3, 4))
                .output("x").node("DequantizeLinear", "q,s->x", attr("axis", -1L)).load();
        Node n = only(g);
        assertEquals(new DequantizeLinear(-1), n.op());
        assertZeros(g, n, 2, DType.I8, Shape.of(4));
        assertEquals("f32[3,4]", n.output().type().toString());
    }

    @Test
    void qlinearConvWithMissingZeroPoints() {
        Graph g = new TestModel(10).input("x", DType.U8, 1, 2, 5, 5).initializer("xs", Tensor.scalar(0.5f))
                .initializer("w", i8(Shape.of(4, 2, 3, 3), new long[72])).initializer("ws", Tensor.ofFloats(Shape.of(4), 1, 1, 1, 1))
                .initializer("ys", Tensor.scalar(0.25f)).initializer("yz", u8(Shape.SCALAR, 128))
                .initializer("b", Tensor.ofLongs(DType.I32, Shape.of(4), 1, 2, 3, 4)).output("y")
                .node("QLinearConv", "x,xs,,w,ws,,ys,yz,b->y", TestModel.ints("pads", 1, 1, 1, 1)).load();
        Node n = only(g);
        assertEquals(new QLinearConv(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 1, DType.U8), n.op());
        assertEquals(9, n.inputs().size());
        assertZeros(g, n, 2, DType.U8, Shape.SCALAR);
        assertZeros(g, n, 5, DType.I8, Shape.of(4));
        assertEquals("u8[1,4,5,5]", n.output().type().toString());
    }

    @Test
    void qlinearMatMulWithAllInputs() {
        Node n = only(new TestModel(10).input("a", DType.U8, 2, 4).initializer("as", Tensor.scalar(0.5f))
                .initializer("az", u8(Shape.SCALAR, 3)).initializer("b", u8(Shape.of(4, 3), new long[12]))
                .initializer("bs", Tensor.scalar(0.5f)).initializer("bz", u8(Shape.SCALAR, 0))
                .initializer("ys", Tensor.scalar(1f)).initializer("yz", i8(Shape.SCALAR, 0)).output("y")
                .node("QLinearMatMul", "a,as,az,b,bs,bz,ys,yz->y").load());
        assertEquals(new QLinearMatMul(DType.I8), n.op());
        assertEquals("i8[2,3]", n.output().type().toString());
    }

    @Test
    void convIntegerAndMatMulIntegerGetScalarZeroPoints() {
        Graph g = new TestModel(10).input("x", DType.U8, 1, 1, 4, 4).initializer("w", i8(Shape.of(2, 1, 2, 2), new long[8]))
                .output("y").node("ConvInteger", "x,w->y").load();
        Node n = only(g);
        assertEquals(new ConvInteger(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), 1), n.op());
        assertZeros(g, n, 2, DType.U8, Shape.SCALAR);
        assertZeros(g, n, 3, DType.I8, Shape.SCALAR);
        assertEquals("i32[1,2,3,3]", n.output().type().toString());

        Graph mm = new TestModel(10).input("a", DType.U8, 2, 3).input("b", DType.U8, 3, 2)
                .initializer("az", u8(Shape.SCALAR, 12)).output("y").node("MatMulInteger", "a,b,az->y").load();
        Node m = only(mm);
        assertEquals(new MatMulInteger(), m.op());
        assertEquals("az", m.input(2).name());
        assertZeros(mm, m, 3, DType.U8, Shape.SCALAR);
    }
}
