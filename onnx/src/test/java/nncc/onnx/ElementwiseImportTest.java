package nncc.onnx;

import static nncc.onnx.TestModel.attr;
import static nncc.onnx.TestModel.f32;
import static nncc.onnx.TestModel.only;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Add;
import nncc.ir.op.Clip;
import nncc.ir.op.Dropout;
import nncc.ir.op.Gemm;
import nncc.ir.op.HardSigmoid;
import nncc.ir.op.HardSwish;
import nncc.ir.op.LeakyRelu;
import nncc.ir.op.MatMul;
import nncc.ir.op.Mul;
import nncc.ir.op.PRelu;
import nncc.ir.op.Reshape;
import org.junit.jupiter.api.Test;

/** Gemm/MatMul, binary arithmetic (incl. legacy broadcast), activations, Clip, PRelu and Dropout import. */
class ElementwiseImportTest {
    @Test
    void gemmAttributesAndOptionalC() {
        Node n = only(new TestModel(13).input("a", DType.F32, 4, "N").initializer("b", f32(Shape.of(5, 4))).output("y")
                .node("Gemm", "a,b->y", attr("alpha", 0.5f), attr("transA", 1L), attr("transB", 1L)).load());
        assertEquals(new Gemm(0.5f, 1f, true, true), n.op());
        assertEquals("[?N,5]", n.output().type().shape().toString());
        assertEquals(2, n.inputs().size());
    }

    @Test
    void gemmOpset6RequiresCAndAcceptsLegacyBroadcast() {
        Node n = only(new TestModel(6).input("a", DType.F32, 2, 3).initializer("b", f32(Shape.of(3, 4)))
                .initializer("c", f32(Shape.of(4))).output("y")
                .node("Gemm", "a,b,c->y", attr("beta", 2f), attr("broadcast", 1L)).load());
        assertEquals(new Gemm(1f, 2f, false, false), n.op());
        ModelException e = assertThrows(ModelException.class, () -> new TestModel(6).input("a", DType.F32, 2, 3)
                .initializer("b", f32(Shape.of(3, 4))).output("y").node("Gemm", "a,b->y").load());
        assertTrue(e.getMessage().contains("input C is required before opset 11"), e.getMessage());
    }

    @Test
    void matMulBatched() {
        Node n = only(new TestModel(13).input("a", DType.F32, "N", 3, 4).input("b", DType.F32, 4, 6).output("y")
                .node("MatMul", "a,b->y").load());
        assertEquals(new MatMul(), n.op());
        assertEquals("[?N,3,6]", n.output().type().shape().toString());
    }

    @Test
    void legacyBroadcastWithAxisReshapesAConstant() {
        Graph g = new TestModel(6).input("x", DType.F32, 2, 3, 4, 5).initializer("bias", f32(Shape.of(3))).output("y")
                .node("Add", "x,bias->y", attr("broadcast", 1L), attr("axis", 1L)).load();
        Node n = only(g);
        assertEquals(new Add(), n.op());
        assertEquals(Shape.of(3, 1, 1), g.constant(n.input(1).name()).data().shape());
        assertEquals("[2,3,4,5]", n.output().type().shape().toString());
    }

    @Test
    void legacyBroadcastWithAxisReshapesARuntimeValue() {
        Graph g = new TestModel(6).input("x", DType.F32, 2, 3, 4, 5).input("s", DType.F32, 3, 4).output("y")
                .node("Mul", "m", "x,s->y", attr("broadcast", 1L), attr("axis", 1L)).load();
        assertEquals(2, g.nodes().size());
        assertEquals(new Reshape(java.util.List.of(3L, 4L, 1L), false), g.nodes().get(0).op());
        assertEquals(new Mul(), g.nodes().get(1).op());
        assertEquals("[2,3,4,5]", g.nodes().get(1).output().type().shape().toString());
    }

    @Test
    void activationsWithDefaults() {
        assertEquals(new LeakyRelu(0.01f), only(unary("LeakyRelu", 16)).op());
        assertEquals(new HardSigmoid(0.2f, 0.5f), only(unary("HardSigmoid", 6)).op());
        assertEquals(new HardSwish(), only(unary("HardSwish", 14)).op());
        assertEquals(new LeakyRelu(0.1f), only(new TestModel(6).input("x", DType.F32, 4).output("y")
                .node("LeakyRelu", "x->y", attr("alpha", 0.1f)).load()).op());
    }

    private static Graph unary(String op, int opset) {
        return new TestModel(opset).input("x", DType.F32, "N", 4).output("y").node(op, "x->y").load();
    }

    @Test
    void clipOpset6UsesAttributes() {
        Node n = only(new TestModel(6).input("x", DType.F32, 4).output("y").node("Clip", "x->y", attr("min", -1f), attr("max", 6f)).load());
        assertEquals(new Clip(-1f, 6f), n.op());
        Node open = only(new TestModel(6).input("x", DType.F32, 4).output("y").node("Clip", "x->y", attr("max", 6f)).load());
        assertEquals(new Clip(Float.NEGATIVE_INFINITY, 6f), open.op());
    }

    @Test
    void clipOpset11UsesConstantInputsAndIntegerBounds() {
        Node n = only(new TestModel(11).input("x", DType.F32, 4).initializer("lo", Tensor.scalar(0f))
                .initializer("hi", Tensor.scalar(6f)).output("y").node("Clip", "x,lo,hi->y").load());
        assertEquals(new Clip(0f, 6f), n.op());
        Node onlyMax = only(new TestModel(13).input("x", DType.F32, 4).initializer("hi", Tensor.scalar(6f)).output("y")
                .node("Clip", "x,,hi->y").load());
        assertEquals(new Clip(Float.NEGATIVE_INFINITY, 6f), onlyMax.op());
        Node int8 = only(new TestModel(13).input("x", DType.I8, 4).output("y").node("Clip", "x->y").load());
        assertEquals(new Clip(-128f, 127f), int8.op());
    }

    @Test
    void clipWithRuntimeBoundIsRejected() {
        ModelException e = assertThrows(ModelException.class, () -> new TestModel(13).input("x", DType.F32, 4)
                .input("lo", DType.F32).output("y").node("Clip", "x,lo->y").load());
        assertTrue(e.getMessage().contains("run-time Clip min (input 'lo') is not supported"), e.getMessage());
    }

    @Test
    void legacyPReluSlopeIsPerChannel() {
        Graph g = new TestModel(6).input("x", DType.F32, 2, 3, 4, 5).initializer("slope", f32(Shape.of(3))).output("y")
                .node("PRelu", "x,slope->y").load();
        Node n = only(g);
        assertEquals(new PRelu(), n.op());
        assertEquals(Shape.of(3, 1, 1), n.input(1).type().shape());
        Node modern = only(new TestModel(9).input("x", DType.F32, 2, 3, 4, 5).initializer("slope", f32(Shape.of(5)))
                .output("y").node("PRelu", "x,slope->y").load());
        assertEquals(Shape.of(5), modern.input(1).type().shape());
    }

    @Test
    void dropoutVariants() {
        Node old = only(new TestModel(7).input("x", DType.F32, 3).output("y").node("Dropout", "x->y", attr("ratio", 0.25f)).load());
        assertEquals(new Dropout(0.25f), old.op());
        Node withMask = only(new TestModel(13).input("x", DType.F32, 3).initializer("r", Tensor.scalar(0.1f))
                .initializer("t", Tensor.ofLongs(DType.BOOL, Shape.SCALAR, 0)).output("y", "mask")
                .node("Dropout", "x,r,t->y,mask").load());
        assertEquals(new Dropout(0.1f), withMask.op());
        assertEquals(DType.BOOL, withMask.output(1).type().dtype());
        assertEquals(1, withMask.inputs().size());
    }

    @Test
    void trainingModeDropoutIsRejected() {
        ModelException legacy = assertThrows(ModelException.class, () -> new TestModel(6).input("x", DType.F32, 3)
                .output("y").node("Dropout", "x->y", attr("is_test", 0L)).load());
        assertTrue(legacy.getMessage().contains("training-mode Dropout is not supported"), legacy.getMessage());
        ModelException modern = assertThrows(ModelException.class, () -> new TestModel(13).input("x", DType.F32, 3)
                .initializer("t", Tensor.ofLongs(DType.BOOL, Shape.SCALAR, 1)).output("y").node("Dropout", "x,,t->y").load());
        assertTrue(modern.getMessage().contains("training-mode Dropout is not supported"), modern.getMessage());
    }

    @Test
    void arithmeticOnConstantsFolds() {
        Graph g = new TestModel(13).input("x", DType.F32, 2).initializer("a", Tensor.ofFloats(Shape.of(2), 1f, 2f))
                .initializer("b", Tensor.scalar(3f)).output("y")
                .node("Mul", "a,b->ab").node("Add", "x,ab->y").load();
        Node n = only(g);
        assertEquals(new Add(), n.op());
        assertArrayEquals(new float[] {3f, 6f}, g.constant("ab").data().toFloats(), 0f);
        assertNull(g.constant("a"), "inputs of folded nodes do not become graph constants");
    }
}
