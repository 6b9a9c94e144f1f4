package nncc.onnx;

import static nncc.onnx.TestModel.attr;
import static nncc.onnx.TestModel.f32;
import static nncc.onnx.TestModel.ints;
import static nncc.onnx.TestModel.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Reshape;
import org.junit.jupiter.api.Test;

/** Whole small models: a PyTorch-style CNN with dynamic batch, graph-level naming and input rules. */
class ModelImportTest {
    /** Conv-Relu-MaxPool, then {@code x.view(x.size(0), -1)} with Constant index nodes, Gemm, Softmax (opset 9). */
    @Test
    void pytorchStyleCnnWithDynamicBatch() {
        TestModel m = new TestModel(9).input("input.1", DType.F32, "batch_size", 1, 8, 8)
                .initializer("conv.weight", f32(Shape.of(4, 1, 3, 3))).initializer("conv.bias", f32(Shape.of(4)))
                .initializer("fc.weight", f32(Shape.of(10, 64))).initializer("fc.bias", f32(Shape.of(10)))
                .output("probs")
                .node("Conv", "Conv_0", "input.1,conv.weight,conv.bias->3", ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1))
                .node("Relu", "Relu_1", "3->4")
                .node("MaxPool", "MaxPool_2", "4->5", ints("kernel_shape", 2, 2), ints("strides", 2, 2))
                .node("Shape", "Shape_3", "5->6")
                .node("Constant", "Constant_4", "->7", tensor("value", Tensor.ofLongs(DType.I64, Shape.SCALAR, 0)))
                .node("Gather", "Gather_5", "6,7->8", attr("axis", 0L))
                .node("Unsqueeze", "Unsqueeze_6", "8->9", ints("axes", 0))
                .node("Constant", "Constant_7", "->10", tensor("value", TestModel.i64(-1)))
                .node("Concat", "Concat_8", "9,10->11", attr("axis", 0L))
                .node("Reshape", "Reshape_9", "5,11->12")
                .node("Gemm", "Gemm_10", "12,fc.weight,fc.bias->13", attr("transB", 1L))
                .node("Dropout", "Dropout_11", "13->14", attr("ratio", 0.5f))
                .node("Softmax", "Softmax_12", "14->probs", attr("axis", 1L));
        // old exporters also list initializers as graph inputs; those stay constants
        var proto = m.proto().toBuilder();
        proto.getGraphBuilder().addInput(TestModel.valueInfo("conv.weight", DType.F32, 4, 1, 3, 3));
        Graph g = nncc.onnx.OnnxImporter.load(proto.build().toByteArray(), "cnn.onnx");
        nncc.ir.Verifier.verify(g);

        assertEquals(List.of("input.1"), g.inputs().stream().map(Value::name).toList());
        assertEquals(List.of("Conv_0", "Relu_1", "MaxPool_2", "Reshape_9", "Gemm_10", "Dropout_11", "Softmax_12"),
                g.nodes().stream().map(Node::name).toList());
        Node reshape = g.nodesByName().get("Reshape_9");
        assertEquals(new Reshape(List.of(0L, -1L), false), reshape.op());
        assertEquals("[?batch_size,64]", reshape.output().type().shape().toString());
        assertEquals("f32[?batch_size,10]", g.outputs().get(0).type().toString());
        assertEquals(4, g.constants().size());
    }

    @Test
    void duplicateAndEmptyNodeNamesAreMadeUnique() {
        Graph g = new TestModel(13).input("x", DType.F32, 2).output("z")
                .node("Relu", "r", "x->y").node("Relu", "r", "y->w").node("Sigmoid", "w->z").load();
        assertEquals(List.of("r", "r_1", "Sigmoid_2"), g.nodes().stream().map(Node::name).toList());
    }

    @Test
    void nodesOutOfOrderAreSorted() {
        Graph g = new TestModel(13).input("x", DType.F32, 2).output("z")
                .node("Sigmoid", "s", "y->z").node("Relu", "r", "x->y").load();
        assertEquals(List.of("r", "s"), g.nodes().stream().map(Node::name).toList());
    }

    @Test
    void graphOutputThatIsAConstant() {
        Graph g = new TestModel(13).input("x", DType.F32, 2).initializer("c", f32(Shape.of(2))).output("y", "c2")
                .node("Relu", "x->y").node("Identity", "c->c2").load();
        assertTrue(g.isConstant(g.outputs().get(1)));
        assertEquals(Shape.of(2), g.outputs().get(1).type().shape());
    }
}
