package nncc.onnx.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.onnx.OnnxTensors;

/**
 * Accumulates one ONNX graph (nodes in order, initializers, inputs, outputs) and hands out names that collide
 * with nothing already used: neither an IR value or node name reserved up front nor a name handed out before.
 */
final class GraphWriter {
    private final GraphProto.Builder graph;
    private final Set<String> tensorNames = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();

    /** {@code reserved}: tensor names that only their IR values may use (every IR value name). */
    GraphWriter(String graphName, Collection<String> reserved) {
        this.graph = GraphProto.newBuilder().setName(graphName);
        tensorNames.addAll(reserved);
    }

    /** A tensor name: {@code base} itself when unused, else {@code base_1}, {@code base_2}...; taken from now on. */
    String fresh(String base) { return unique(tensorNames, base); }

    private static String unique(Set<String> taken, String base) {
        String name = base;
        for (int i = 1; taken.contains(name); i++) name = base + "_" + i;
        taken.add(name);
        return name;
    }

    /** Appends a node named {@code nameBase} (made unique). Empty input names skip optional inputs. */
    void node(String opType, String nameBase, List<String> inputs, List<String> outputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(unique(nodeNames, nameBase))
                .addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attrs) if (a != null) n.addAttribute(a);
        graph.addNode(n);
    }

    /** Appends a one-output node and returns its output, a fresh tensor name built from {@code outputBase}. */
    String node1(String opType, String nameBase, String outputBase, List<String> inputs, AttributeProto... attrs) {
        String out = fresh(outputBase);
        node(opType, nameBase, inputs, List.of(out), attrs);
        return out;
    }

    void initializer(String name, Tensor data) { graph.addInitializer(OnnxTensors.toProto(name, data)); }

    /** A new initializer named from {@code base}; returns its name. */
    String constant(String base, Tensor data) {
        String name = fresh(base);
        initializer(name, data);
        return name;
    }

    String floatScalar(String base, float v) { return constant(base, Tensor.scalar(v)); }

    String int64s(String base, List<? extends Number> values) {
        long[] v = values.stream().mapToLong(Number::longValue).toArray();
        return constant(base, Tensor.ofLongs(DType.I64, Shape.of(v.length), v));
    }

    void input(String name, DType dtype, Shape shape) { graph.addInput(valueInfo(name, dtype, shape)); }

    void output(String name, DType dtype, Shape shape) { graph.addOutput(valueInfo(name, dtype, shape)); }

    private static ValueInfoProto valueInfo(String name, DType dtype, Shape shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int i = 0; i < shape.rank(); i++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (shape.isSymbolic(i)) d.setDimParam(shape.symbol(i)); else d.setDimValue(shape.dim(i));
            s.addDim(d);
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(OnnxTensors.elementType(dtype)).setShape(s)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    /** The finished model: IR version 7 (the one that introduced opset 13) with one default-domain opset. */
    ModelProto model(int opset, String docString) {
        return ModelProto.newBuilder().setIrVersion(7).setProducerName("nncc").setProducerVersion("0.1")
                .setDocString(docString)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build();
    }

    static AttributeProto attr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto attr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static AttributeProto attr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }

    static AttributeProto ints(String name, List<? extends Number> v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (Number x : v) b.addInts(x.longValue());
        return b.build();
    }
}
