package nncc.onnx;

import static nncc.onnx.TestModel.attr;
import static nncc.onnx.TestModel.f32;
import static nncc.onnx.TestModel.floats;
import static nncc.onnx.TestModel.i64;
import static nncc.onnx.TestModel.ints;
import static nncc.onnx.TestModel.only;
import static nncc.onnx.TestModel.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Concat;
import nncc.ir.op.Flatten;
import nncc.ir.op.Gather;
import nncc.ir.op.Pad;
import nncc.ir.op.Slice;
import nncc.ir.op.Squeeze;
import nncc.ir.op.Unsqueeze;
import org.junit.jupiter.api.Test;

/** Run-time data-movement ops (Squeeze, Unsqueeze, Pad, Gather, Flatten, Concat, Slice, Split) and Constant import. */
class ShapeOpImportTest {
    @Test
    void squeezeAndUnsqueezeAxesMovedFromAttributeToInput() {
        Node u11 = only(new TestModel(11).input("x", DType.F32, "N", 3).output("y").node("Unsqueeze", "x->y", ints("axes", 2)).load());
        assertEquals(new Unsqueeze(List.of(2)), u11.op());
        assertEquals("[?N,3,1]", u11.output().type().shape().toString());
        Node u13 = only(new TestModel(13).input("x", DType.F32, "N", 3).initializer("a", i64(-1)).output("y")
                .node("Unsqueeze", "x,a->y").load());
        assertEquals(new Unsqueeze(List.of(-1)), u13.op());
        Node s11 = only(new TestModel(11).input("x", DType.F32, "N", 1, 3).output("y").node("Squeeze", "x->y", ints("axes", 1)).load());
        assertEquals(new Squeeze(List.of(1)), s11.op());
        Node s13 = only(new TestModel(13).input("x", DType.F32, 1, 3, 1).output("y").node("Squeeze", "x->y").load());
        assertEquals(new Squeeze(List.of()), s13.op());
        assertEquals("[3]", s13.output().type().shape().toString());
    }

    @Test
    void padOpset2UsesAttributes() {
        Node n = only(new TestModel(2).input("x", DType.F32, 1, 2, 3, 3).output("y")
                .node("Pad", "x->y", ints("pads", 0, 0, 1, 2, 0, 0, 1, 2), attr("mode", "reflect")).load());
        assertEquals(new Pad(List.of(0L, 0L, 1L, 2L, 0L, 0L, 1L, 2L), Pad.Mode.REFLECT, 0f), n.op());
        assertEquals("[1,2,5,7]", n.output().type().shape().toString());
        Node v = only(new TestModel(6).input("x", DType.F32, 2, 2).output("y")
                .node("Pad", "x->y", ints("pads", 1, 0, 0, 0), attr("value", 2.5f)).load());
        assertEquals(new Pad(List.of(1L, 0L, 0L, 0L), Pad.Mode.CONSTANT, 2.5f), v.op());
    }

    @Test
    void padOpset11UsesConstantInputs() {
        Node n = only(new TestModel(11).input("x", DType.F32, 2, 3).initializer("p", i64(0, 1, 0, 2))
                .initializer("v", Tensor.scalar(-1f)).output("y").node("Pad", "x,p,v->y").load());
        assertEquals(new Pad(List.of(0L, 1L, 0L, 2L), Pad.Mode.CONSTANT, -1f), n.op());
        assertEquals("[2,6]", n.output().type().shape().toString());
        Node edge = only(new TestModel(13).input("x", DType.F32, 2, 3).initializer("p", i64(1, 1, 1, 1)).output("y")
                .node("Pad", "x,p->y", attr("mode", "edge")).load());
        assertEquals(Pad.Mode.EDGE, ((Pad) edge.op()).mode());
        Node axes = only(new TestModel(18).input("x", DType.F32, 2, 3).initializer("p", i64(1, 2)).initializer("a", i64(-1))
                .output("y").node("Pad", "x,p,,a->y").load());
        assertEquals(List.of(0L, 1L, 0L, 2L), ((Pad) axes.op()).pads());
    }

    @Test
    void unsupportedPadModeIsNamed() {
        ModelException e = assertThrows(ModelException.class, () -> new TestModel(19).input("x", DType.F32, 2, 3)
                .initializer("p", i64(0, 1, 0, 1)).output("y").node("Pad", "pad1", "x,p->y", attr("mode", "wrap")).load());
        assertTrue(e.getMessage().contains("unsupported pad mode 'wrap'"), e.getMessage());
        assertTrue(e.getMessage().contains("node 'pad1'") && e.getMessage().contains("Pad (opset 19)"), e.getMessage());
        assertTrue(e.getMessage().startsWith("test.onnx: "), e.getMessage());
    }

    @Test
    void gatherWithConstantTableAndRuntimeIndices() {
        Graph g = new TestModel(13).input("idx", DType.I64, "N", 4).initializer("table", f32(Shape.of(10, 3))).output("y")
                .node("Gather", "table,idx->y").load();
        Node n = only(g);
        assertEquals(new Gather(0), n.op());
        assertEquals("[?N,4,3]", n.output().type().shape().toString());
        assertEquals(Shape.of(10, 3), g.constant("table").data().shape());
    }

    @Test
    void flattenAndConcatOnRuntimeValues() {
        Node f = only(new TestModel(13).input("x", DType.F32, "N", 2, 3).output("y").node("Flatten", "x->y").load());
        assertEquals(new Flatten(1), f.op());
        assertEquals("[?N,6]", f.output().type().shape().toString());
        Node c = only(new TestModel(13).input("a", DType.F32, "N", 2).initializer("b", f32(Shape.of(1, 3))).input("c", DType.F32, "N", 3)
                .output("y").node("Concat", "a,c->y", attr("axis", -1L)).load());
        assertEquals(new Concat(-1), c.op());
        assertEquals("[?N,5]", c.output().type().shape().toString());
    }

    @Test
    void constantAttributeForms() {
        Graph g = new TestModel(13).input("x", DType.F32, 3).output("y", "z", "w")
                .node("Constant", "->c1", tensor("value", Tensor.ofFloats(Shape.of(3), 1, 2, 3)))
                .node("Constant", "->c2", attr("value_float", 0.5f))
                .node("Constant", "->y", TestModel.ints("value_ints", 4, 5))
                .node("Constant", "->z", floats("value_floats", 1f, 2f))
                .node("Constant", "->c3", attr("value_int", 7L))
                .node("Mul", "c1,c2->c12").node("Add", "x,c12->w").load();
        assertEquals(1, g.nodes().size());
        assertArrayEquals(new float[] {0.5f, 1f, 1.5f}, g.constant("c12").data().toFloats(), 0f);
        assertArrayEquals(new long[] {4, 5}, g.constant("y").data().toLongs());
        assertEquals(DType.I64, g.constant("y").data().dtype());
        assertArrayEquals(new float[] {1f, 2f}, g.constant("z").data().toFloats(), 0f);
    }

    @Test
    void sliceOfARunTimeTensorWithConstantBounds() {
        Node s13 = only(new TestModel(13).input("x", DType.F32, "N", 6, 4).initializer("b", i64(1)).initializer("e", i64(-1))
                .initializer("a", i64(-2)).initializer("s", i64(2)).output("y").node("Slice", "x,b,e,a,s->y").load());
        assertEquals(new Slice(List.of(1), List.of(1L), List.of(-1L), List.of(2L)), s13.op());
        assertEquals("[?N,2,4]", s13.output().type().shape().toString());
        Node s9 = only(new TestModel(9).input("x", DType.F32, 2, 6).output("y")
                .node("Slice", "x->y", ints("starts", 0, 3), ints("ends", 1, 100)).load());
        assertEquals(new Slice(List.of(0, 1), List.of(0L, 3L), List.of(1L, 100L), List.of(1L, 1L)), s9.op());
        assertEquals("[1,3]", s9.output().type().shape().toString());
        ModelException e = assertThrows(ModelException.class, () -> new TestModel(13).input("x", DType.F32, 2, 6)
                .input("b", DType.I64, 1).initializer("e", i64(2)).output("y").node("Slice", "x,b,e->y").load());
        assertTrue(e.getMessage().contains("starts"), e.getMessage());
    }

    @Test
    void splitBecomesOneSlicePerOutput() {
        Graph g13 = new TestModel(13).input("x", DType.F32, "N", 6, 2).initializer("sp", i64(1, 2, 3)).output("a", "b", "c")
                .node("Split", "s", "x,sp->a,b,c", attr("axis", 1)).load();
        assertEquals(3, g13.nodes().size());
        assertEquals(new Slice(List.of(1), List.of(1L), List.of(3L), List.of(1L)), g13.nodes().get(1).op());
        assertEquals("[?N,3,2]", g13.outputs().get(2).type().shape().toString());
        Graph g11 = new TestModel(11).input("x", DType.F32, 4, 2).output("a", "b").node("Split", "x->a,b").load();
        assertEquals(new Slice(List.of(0), List.of(2L), List.of(4L), List.of(1L)), g11.nodes().get(1).op());
        Graph attr11 = new TestModel(11).input("x", DType.F32, 5).output("a", "b").node("Split", "x->a,b", ints("split", 4, 1)).load();
        assertEquals("[1]", attr11.outputs().get(1).type().shape().toString());
        // opset 18: num_outputs parts of ceil(7 / 3) = 3, the last one smaller
        Graph g18 = new TestModel(18).input("x", DType.F32, 7).output("a", "b", "c")
                .node("Split", "x->a,b,c", attr("num_outputs", 3)).load();
        assertEquals(List.of("[3]", "[3]", "[1]"), g18.outputs().stream().map(v -> v.type().shape().toString()).toList());
        ModelException uneven = assertThrows(ModelException.class,
                () -> new TestModel(13).input("x", DType.F32, 5).output("a", "b").node("Split", "x->a,b").load());
        assertTrue(uneven.getMessage().contains("does not split into 2 equal parts"), uneven.getMessage());
        ModelException sum = assertThrows(ModelException.class, () -> new TestModel(13).input("x", DType.F32, 5)
                .initializer("sp", i64(1, 2)).output("a", "b").node("Split", "x,sp->a,b").load());
        assertTrue(sum.getMessage().contains("add up to 3, not dim 0 = 5"), sum.getMessage());
    }
}
