package nncc.onnx;

import static nncc.onnx.TestModel.attr;
import static nncc.onnx.TestModel.f32;
import static nncc.onnx.TestModel.i64;
import static nncc.onnx.TestModel.ints;
import static nncc.onnx.TestModel.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.op.BatchNormalization;
import nncc.ir.op.Gelu;
import nncc.ir.op.Identity;
import nncc.ir.op.LayerNormalization;
import nncc.ir.op.Pow;
import nncc.ir.op.ReduceMean;
import nncc.ir.op.Reshape;
import nncc.ir.op.Softmax;
import org.junit.jupiter.api.Test;

/** Softmax (legacy 2-D coercion), BatchNormalization (inference only), ReduceMean, LayerNormalization, Gelu and Pow import. */
class NormalizationImportTest {
    @Test
    void legacySoftmaxOnLastAxisIsPlain() {
        Node n = only(new TestModel(11).input("x", DType.F32, 2, 3, 4).output("y").node("Softmax", "x->y", attr("axis", 2L)).load());
        assertEquals(new Softmax(-1), n.op());
    }

    @Test
    void legacySoftmaxIsRewrittenToReshapeSoftmaxReshape() {
        Graph g = new TestModel(11).input("x", DType.F32, 2, 3, 4).output("y").node("Softmax", "sm", "x->y").load();
        assertEquals(3, g.nodes().size());
        assertEquals(new Reshape(List.of(2L, 12L), false), g.nodes().get(0).op());
        assertEquals(new Softmax(-1), g.nodes().get(1).op());
        assertEquals("sm", g.nodes().get(1).name());
        assertEquals(new Reshape(List.of(2L, 3L, 4L), false), g.nodes().get(2).op());
        assertEquals("y", g.nodes().get(2).output().name());
        assertEquals("[2,3,4]", g.nodes().get(2).output().type().shape().toString());
    }

    @Test
    void legacySoftmaxKeepsSymbolicBatch() {
        Graph g = new TestModel(6).input("x", DType.F32, "N", 3, 4, 5).output("y").node("Softmax", "x->y", attr("axis", 2L)).load();
        assertEquals(new Reshape(List.of(0L, 3L, 20L), false), g.nodes().get(0).op());
        assertEquals("[?N,3,20]", g.nodes().get(0).output().type().shape().toString());
        assertEquals(new Reshape(List.of(0L, 3L, 4L, 5L), false), g.nodes().get(2).op());
        assertEquals("[?N,3,4,5]", g.nodes().get(2).output().type().shape().toString());
    }

    @Test
    void opset13SoftmaxKeepsTheAxis() {
        Node n = only(new TestModel(13).input("x", DType.F32, 2, 3, 4).output("y").node("Softmax", "x->y", attr("axis", 1L)).load());
        assertEquals(new Softmax(1), n.op());
        Node dflt = only(new TestModel(13).input("x", DType.F32, 2, 3, 4).output("y").node("Softmax", "x->y").load());
        assertEquals(new Softmax(-1), dflt.op());
    }

    private static TestModel bnModel(int opset) {
        TestModel m = new TestModel(opset).input("x", DType.F32, "N", 3, 4, 4);
        for (String p : List.of("scale", "bias", "mean", "var")) m.initializer(p, f32(Shape.of(3)));
        return m;
    }

    @Test
    void batchNormalizationInference() {
        Node n = only(bnModel(15).output("y").node("BatchNormalization", "x,scale,bias,mean,var->y", attr("epsilon", 1e-3f)).load());
        assertEquals(new BatchNormalization(1e-3f), n.op());
        assertEquals("[?N,3,4,4]", n.output().type().shape().toString());
        // opset 6: is_test=1, unused extra outputs are dropped
        Node old = only(bnModel(6).output("y").node("BatchNormalization", "x,scale,bias,mean,var->y,m,v,sm,sv",
                attr("is_test", 1L), attr("spatial", 1L), attr("momentum", 0.9f)).load());
        assertEquals(1, old.outputs().size());
        assertEquals(new BatchNormalization(1e-5f), old.op());
    }

    @Test
    void trainingModeBatchNormalizationIsRejected() {
        ModelException e = assertThrows(ModelException.class, () -> bnModel(15).output("y")
                .node("BatchNormalization", "bn", "x,scale,bias,mean,var->y", attr("training_mode", 1L)).load());
        assertTrue(e.getMessage().contains("training-mode BatchNormalization is not supported"), e.getMessage());
        assertTrue(e.getMessage().contains("node 'bn'") && e.getMessage().contains("opset 15"), e.getMessage());
        ModelException used = assertThrows(ModelException.class, () -> bnModel(9).output("y", "m")
                .node("BatchNormalization", "x,scale,bias,mean,var->y,m").load());
        assertTrue(used.getMessage().contains("training-mode BatchNormalization is not supported: output 1 ('m'"), used.getMessage());
        ModelException isTest = assertThrows(ModelException.class, () -> bnModel(6).output("y")
                .node("BatchNormalization", "x,scale,bias,mean,var->y", attr("is_test", 0L)).load());
        assertTrue(isTest.getMessage().contains("is_test = 0"), isTest.getMessage());
        ModelException spatial = assertThrows(ModelException.class, () -> bnModel(7).output("y")
                .node("BatchNormalization", "x,scale,bias,mean,var->y", attr("spatial", 0L)).load());
        assertTrue(spatial.getMessage().contains("attribute spatial = 0 is not supported"), spatial.getMessage());
    }

    @Test
    void reduceMeanAxesAttributeAndInput() {
        Node n13 = only(new TestModel(13).input("x", DType.F32, "N", 3, 4, 4).output("y")
                .node("ReduceMean", "x->y", ints("axes", 2, 3), attr("keepdims", 0L)).load());
        assertEquals(new ReduceMean(List.of(2, 3), false), n13.op());
        assertEquals("[?N,3]", n13.output().type().shape().toString());
        Node n18 = only(new TestModel(18).input("x", DType.F32, 2, 3, 4).initializer("axes", i64(-1)).output("y")
                .node("ReduceMean", "x,axes->y").load());
        assertEquals(new ReduceMean(List.of(-1), true), n18.op());
        assertEquals("[2,3,1]", n18.output().type().shape().toString());
        Node all = only(new TestModel(18).input("x", DType.F32, 2, 3).output("y").node("ReduceMean", "x->y").load());
        assertEquals("[1,1]", all.output().type().shape().toString());
        Node noop = only(new TestModel(18).input("x", DType.F32, 2, 3).output("y")
                .node("ReduceMean", "x->y", attr("noop_with_empty_axes", 1L)).load());
        assertEquals(new Identity(), noop.op());
    }

    @Test
    void layerNormalizationGeluAndPow() {
        Node ln = only(new TestModel(17).input("x", DType.F32, "N", 3, 4).initializer("s", f32(Shape.of(4)))
                .initializer("b", f32(Shape.of(4))).output("y").node("LayerNormalization", "x,s,b->y", attr("epsilon", 1e-6f)).load());
        assertEquals(new LayerNormalization(-1, 1e-6f), ln.op());
        assertEquals(3, ln.inputs().size());
        Graph stats = new TestModel(17).input("x", DType.F32, 3, 4).initializer("s", f32(Shape.of(4))).output("y", "mean")
                .node("LayerNormalization", "x,s->y,mean", attr("axis", 1L)).load();
        assertEquals("[3,1]", stats.outputs().get(1).type().shape().toString());
        Node gelu = only(new TestModel(20).input("x", DType.F32, 4).output("y").node("Gelu", "x->y", attr("approximate", "tanh")).load());
        assertEquals(new Gelu(Gelu.Approximation.TANH), gelu.op());
        // an int64 exponent (allowed since opset 12) becomes a float constant
        Graph pow = new TestModel(13).input("x", DType.F32, 4).initializer("e", i64(3)).output("y").node("Pow", "x,e->y").load();
        assertEquals(new Pow(), pow.nodes().get(0).op());
        assertEquals(DType.F32, pow.nodes().get(0).input(1).type().dtype());
    }
}
