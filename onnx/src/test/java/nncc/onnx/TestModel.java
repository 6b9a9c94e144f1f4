package nncc.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.Verifier;

/** Builds small ONNX ModelProtos in tests: typed inputs, initializers, nodes with attributes, outputs. */
final class TestModel {
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("test");
    private final int opset;

    TestModel(int opset) { this.opset = opset; }

    /** A graph input; each dim is a Long/Integer size, a String dim_param, or null for an unnamed unknown dim. */
    TestModel input(String name, DType dtype, Object... dims) {
        graph.addInput(valueInfo(name, dtype, dims));
        return this;
    }

    static ValueInfoProto valueInfo(String name, DType dtype, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder b = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Number num) b.setDimValue(num.longValue());
            else if (d instanceof String s) b.setDimParam(s);
            shape.addDim(b);
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(OnnxTypes.onnxType(dtype)).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    TestModel initializer(String name, Tensor t) {
        graph.addInitializer(OnnxTensors.toProto(name, t));
        return this;
    }

    TestModel output(String... names) {
        for (String n : names) graph.addOutput(ValueInfoProto.newBuilder().setName(n));
        return this;
    }

    /** A node; {@code io} is "in1,in2->out1,out2" (empty names allowed for skipped optional inputs). */
    TestModel node(String op, String io, AttributeProto... attrs) {
        return node(op, "", io, attrs);
    }

    TestModel node(String op, String name, String io, AttributeProto... attrs) {
        String[] parts = io.split("->", -1);
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name);
        if (!parts[0].isEmpty()) n.addAllInput(Arrays.asList(parts[0].split(",", -1)));
        n.addAllOutput(Arrays.asList(parts[1].split(",", -1)));
        for (AttributeProto a : attrs) n.addAttribute(a);
        graph.addNode(n);
        return this;
    }

    TestModel rawNode(NodeProto n) {
        graph.addNode(n);
        return this;
    }

    ModelProto proto() {
        return ModelProto.newBuilder().setIrVersion(7).setProducerName("nncc-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph).build();
    }

    byte[] bytes() { return proto().toByteArray(); }

    /** Imports the model and checks the result verifies. */
    Graph load() {
        Graph g = OnnxImporter.load(bytes(), "test.onnx");
        Verifier.verify(g);
        return g;
    }

    static Node only(Graph g) {
        if (g.nodes().size() != 1) throw new AssertionError("expected one node, got " + g.nodes());
        return g.nodes().get(0);
    }

    static AttributeProto attr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto attr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static AttributeProto attr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v)).build();
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) b.addInts(x);
        return b.build();
    }

    static AttributeProto floats(String name, float... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS);
        for (float x : v) b.addFloats(x);
        return b.build();
    }

    static AttributeProto tensor(String name, Tensor t) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR)
                .setT(OnnxTensors.toProto("", t)).build();
    }

    static Tensor i64(long... v) { return Tensor.ofLongs(DType.I64, nncc.ir.Shape.of(v.length), v); }

    static Tensor f32(nncc.ir.Shape s) {
        float[] v = new float[Math.toIntExact(s.numElements())];
        for (int i = 0; i < v.length; i++) v[i] = i * 0.5f - 1;
        return Tensor.ofFloats(s, v);
    }

    static List<Integer> list(int... v) { return Arrays.stream(v).boxed().toList(); }
}
