package nncc.onnx.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.Arrays;
import java.util.List;
import nncc.ir.Graph;
import nncc.onnx.OnnxTensors;

/** An exported model parsed back into its ONNX protos, with lookups for the structure the tests assert. */
final class QdqModel {
    final byte[] bytes;
    final ModelProto proto;

    QdqModel(byte[] bytes) throws com.google.protobuf.InvalidProtocolBufferException {
        this.bytes = bytes;
        this.proto = ModelProto.parseFrom(bytes);
    }

    static QdqModel of(Graph g) {
        try {
            // IR-derived names, so the tests can find tensors by the names of the values they built
            return new QdqModel(QdqExporter.export(g, QdqExporter.Activations.AS_IS, QdqExporter.Names.IR).model());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    List<String> opTypes() { return proto.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList(); }

    List<NodeProto> nodes(String opType) {
        return proto.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(opType)).toList();
    }

    NodeProto only(String opType) {
        List<NodeProto> l = nodes(opType);
        assertEquals(1, l.size(), "nodes of type " + opType + " in " + opTypes());
        return l.get(0);
    }

    /** The node of {@code opType} that writes {@code output}. */
    NodeProto only(String opType, String output) {
        NodeProto n = producer(output);
        assertEquals(opType, n.getOpType(), "producer of " + output);
        return n;
    }

    NodeProto producer(String tensor) {
        return proto.getGraph().getNodeList().stream().filter(n -> n.getOutputList().contains(tensor)).findFirst()
                .orElseThrow(() -> new AssertionError("no node writes " + tensor));
    }

    /** The single node reading {@code tensor}. */
    NodeProto consumer(String tensor) {
        List<NodeProto> l = proto.getGraph().getNodeList().stream().filter(n -> n.getInputList().contains(tensor)).toList();
        assertEquals(1, l.size(), "readers of " + tensor);
        return l.get(0);
    }

    List<Long> ints(NodeProto n, String attr) {
        for (AttributeProto a : n.getAttributeList())
            if (a.getName().equals(attr)) return a.getType() == AttributeProto.AttributeType.INT ? List.of(a.getI()) : a.getIntsList();
        throw new AssertionError(n.getOpType() + " has no attribute " + attr);
    }

    float floatAttr(NodeProto n, String attr) {
        for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(attr)) return a.getF();
        throw new AssertionError(n.getOpType() + " has no attribute " + attr);
    }

    TensorProto initializer(String name) {
        return proto.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no initializer " + name));
    }

    float[] floats(String name) { return OnnxTensors.fromProto(initializer(name)).toFloats(); }

    long[] longs(String name) { return OnnxTensors.fromProto(initializer(name)).toLongs(); }

    List<Long> longList(String name) { return Arrays.stream(longs(name)).boxed().toList(); }

    void assertInitializer(String name, TensorProto.DataType type, long... dims) {
        TensorProto t = initializer(name);
        assertEquals(type.getNumber(), t.getDataType(), name + " type");
        assertEquals(Arrays.stream(dims).boxed().toList(), t.getDimsList(), name + " dims");
    }

    void assertFloatIo(String input, String output) {
        ValueInfoProto in = proto.getGraph().getInput(0), out = proto.getGraph().getOutput(0);
        assertEquals(input, in.getName());
        assertEquals(output, out.getName());
        assertEquals(TensorProto.DataType.FLOAT_VALUE, in.getType().getTensorType().getElemType());
        assertEquals(TensorProto.DataType.FLOAT_VALUE, out.getType().getTensorType().getElemType());
    }

    /** Bytes of float initializers (scales and clamp bounds only, in a QDQ model). */
    long floatBytes() {
        return proto.getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == TensorProto.DataType.FLOAT_VALUE).mapToLong(t -> t.getRawData().size()).sum();
    }
}
