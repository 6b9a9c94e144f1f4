package nncc.onnx;

import static nncc.onnx.TestModel.attr;
import static nncc.onnx.TestModel.f32;
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
import nncc.ir.op.Reshape;
import nncc.ir.op.Transpose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Import-time folding of shape computations (with symbolic batch) and of layout ops applied to constants. */
class ShapeFoldingImportTest {
    /** PyTorch's {@code x.view(x.size(0), -1)}: Shape, Gather(0), Unsqueeze, Concat with [-1], Reshape. */
    @ParameterizedTest
    @ValueSource(ints = {11, 13})
    void viewChainWithSymbolicBatchFoldsToOneReshape(int opset) {
        TestModel m = new TestModel(opset).input("x", DType.F32, "batch", 32, 7, 7)
                .initializer("zero", Tensor.ofLongs(DType.I64, Shape.SCALAR, 0)).initializer("minus1", i64(-1))
                .output("y")
                .node("Shape", "x->s")
                .node("Gather", "s,zero->n", attr("axis", 0L));
        if (opset < 13) m.node("Unsqueeze", "n->n1", ints("axes", 0));
        else m.initializer("axes0", i64(0)).node("Unsqueeze", "n,axes0->n1");
        Graph g = m.node("Concat", "n1,minus1->target", attr("axis", 0L)).node("Reshape", "view", "x,target->y").load();
        Node n = only(g);
        assertEquals("view", n.name());
        assertEquals(new Reshape(List.of(0L, -1L), false), n.op());
        assertEquals("[?batch,1568]", n.output().type().shape().toString());
        assertTrue(g.constants().isEmpty(), "the shape computation leaves no constants behind: " + g.constants());
    }

    @Test
    void symbolicEntryAtAnotherPositionBecomesMinusOne() {
        Graph g = new TestModel(13).input("x", DType.F32, "N", 6)
                .initializer("zero", i64(0)).initializer("six", i64(6)).output("y")
                .node("Shape", "x->s").node("Gather", "s,zero->n")
                .node("Concat", "six,n->target", attr("axis", 0L)).node("Reshape", "x,target->y").load();
        assertEquals(new Reshape(List.of(6L, -1L), false), only(g).op());
        assertEquals("[6,?N]", only(g).output().type().shape().toString());
    }

    @Test
    void shapeArithmeticKeepsTheSymbolAndSlicesFold() {
        // target = Concat(Shape(x)[0:1] * 1, Shape(x)[1:2] * Shape(x)[2:3]) = [?N, 12]
        Graph g = new TestModel(13).input("x", DType.F32, "N", 3, 4)
                .initializer("s0", i64(0)).initializer("s1", i64(1)).initializer("s2", i64(2)).initializer("s3", i64(3))
                .initializer("one", i64(1)).output("y")
                .node("Shape", "x->s").node("Slice", "s,s0,s1->a").node("Mul", "a,one->a1")
                .node("Slice", "s,s1,s2->b").node("Slice", "s,s2,s3->c").node("Mul", "b,c->bc")
                .node("Concat", "a1,bc->target", attr("axis", 0L)).node("Cast", "target->t64", attr("to", 7L))
                .node("Reshape", "x,t64->y").load();
        assertEquals(new Reshape(List.of(0L, 12L), false), only(g).op());
    }

    @Test
    void shapeStartEndAndConstantOutputs() {
        Graph g = new TestModel(15).input("x", DType.F32, 3, 4, 5).output("y", "z")
                .node("Shape", "x->y", attr("start", 1L)).node("Shape", "x->z", attr("start", -3L), attr("end", -1L)).load();
        assertTrue(g.nodes().isEmpty());
        assertArrayEquals(new long[] {4, 5}, g.constant("y").data().toLongs());
        assertArrayEquals(new long[] {3, 4}, g.constant("z").data().toLongs());
    }

    @Test
    void symbolicShapeThatReachesANonReshapeOpIsAnError() {
        ModelException e = assertThrows(ModelException.class, () -> new TestModel(13).input("x", DType.F32, "N", 4)
                .output("y").node("Shape", "x->s").node("Relu", "s->y").load());
        assertTrue(e.getMessage().contains("can only be used as the shape input of a Reshape"), e.getMessage());
    }

    @Test
    void constantOfShapeAndRangeFold() {
        Graph g = new TestModel(11).input("x", DType.F32, 2, 3)
                .initializer("start", Tensor.ofLongs(DType.I64, Shape.SCALAR, 0))
                .initializer("limit", Tensor.ofLongs(DType.I64, Shape.SCALAR, 3))
                .initializer("delta", Tensor.ofLongs(DType.I64, Shape.SCALAR, 1)).output("y")
                .node("Shape", "x->s")
                .node("ConstantOfShape", "s->ones", tensor("value", Tensor.ofFloats(Shape.of(1), 1f)))
                .node("Range", "start,limit,delta->r").node("Cast", "r->rf", attr("to", 1L))
                .node("Add", "ones,rf->c").node("Add", "x,c->y").load();
        Node n = only(g);
        assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, g.constant(n.input(1).name()).data().toFloats(), 0f);
    }

    @Test
    void absurdFoldingResultIsAModelError() {
        ModelException e = assertThrows(ModelException.class, () -> new TestModel(11).input("x", DType.F32, 2)
                .initializer("s", i64(100000, 100000)).output("y")
                .node("ConstantOfShape", "big", "s->c").node("Add", "x,c->y").load());
        assertTrue(e.getMessage().contains("node 'big'") && e.getMessage().contains("folding would build a tensor of shape [100000,100000]"),
                e.getMessage());
    }

    @Test
    void castOfRuntimeValueIsRejected() {
        ModelException e = assertThrows(ModelException.class, () -> new TestModel(13).input("x", DType.F32, 4)
                .output("y").node("Cast", "c", "x->y", attr("to", 7L)).load());
        assertTrue(e.getMessage().contains("op Cast is only supported when it folds to a constant"), e.getMessage());
        assertTrue(e.getMessage().contains("node 'c'") && e.getMessage().contains("opset 13"), e.getMessage());
    }

    /** PyTorch writes uint8-to-uint8 Casts between QuantizeLinear and DequantizeLinear: no-ops, imported as Identity. */
    @Test
    void castOfRuntimeValueToItsOwnTypeIsAnIdentity() {
        Graph g = new TestModel(13).input("x", DType.U8, 4).output("y").node("Cast", "c", "x->y", attr("to", 2L)).load();
        assertEquals(1, g.nodes().size());
        assertEquals("Identity", g.nodes().get(0).op().opName());
        assertEquals(DType.U8, g.outputs().get(0).type().dtype());
    }

    @Test
    void transposeOfAWeightBecomesAConstant() {
        Tensor w = Tensor.ofFloats(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
        Graph g = new TestModel(13).input("x", DType.F32, "N", 2).initializer("w", w).output("y")
                .node("Transpose", "w->wt").node("MatMul", "wt,x->y").load();
        assertEquals(1, g.nodes().size());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, g.constant("wt").data().toFloats(), 0f);
        assertEquals(Shape.of(3, 2), g.constant("wt").data().shape());
    }

    @Test
    void identityDropoutUnsqueezeSqueezeGatherAndConcatFoldOnConstants() {
        Tensor w = Tensor.ofFloats(Shape.of(2, 2), 1, 2, 3, 4);
        Graph g = new TestModel(13).input("x", DType.F32, 4, 2).initializer("w", w)
                .initializer("ax", i64(0)).initializer("idx", i64(1, 0)).output("y")
                .node("Identity", "w->a").node("Dropout", "a->b").node("Unsqueeze", "b,ax->c")
                .node("Squeeze", "c,ax->d").node("Gather", "d,idx->e").node("Concat", "d,e->f", attr("axis", 0L))
                .node("Add", "x,f->y").load();
        assertEquals(1, g.nodes().size());
        assertArrayEquals(new float[] {1, 2, 3, 4, 3, 4, 1, 2}, g.constant("f").data().toFloats(), 0f);
    }

    @Test
    void runtimeTransposeHasExplicitDefaultPerm() {
        Node n = only(new TestModel(13).input("x", DType.F32, 2, 3, 4).output("y").node("Transpose", "x->y").load());
        assertEquals(new Transpose(List.of(2, 1, 0)), n.op());
        assertEquals("[4,3,2]", n.output().type().shape().toString());
    }

    @Test
    void reshapeWithConstantTargetAndAllowZero() {
        Node n = only(new TestModel(14).input("x", DType.F32, 0, 3, 4).initializer("t", i64(3, 4, 0)).output("y")
                .node("Reshape", "x,t->y", attr("allowzero", 1L)).load());
        assertEquals(new Reshape(List.of(3L, 4L, 0L), true), n.op());
        assertEquals("[3,4,0]", n.output().type().shape().toString());
        Node legacy = only(new TestModel(1).input("x", DType.F32, 2, 6).output("y")
                .node("Reshape", "x->y", ints("shape", 3, -1)).load());
        assertEquals("[3,4]", legacy.output().type().shape().toString());
    }

    @Test
    void runtimeWeightLayoutStaysAsNodes() {
        Graph g = new TestModel(13).input("x", DType.F32, "N", 8).initializer("w", f32(Shape.of(8, 4))).output("y")
                .node("MatMul", "x,w->y").load();
        assertEquals(1, g.constants().size());
        assertEquals("w", g.constants().get(0).value().name(), "initializers keep their ONNX names");
    }
}
