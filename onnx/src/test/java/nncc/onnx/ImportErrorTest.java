package nncc.onnx;

import static nncc.onnx.TestModel.f32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input gives a one-line ModelException naming the file, node, op, opset and the offending value. */
class ImportErrorTest {
    private static String message(Executable e) {
        String m = assertThrows(ModelException.class, e).getMessage();
        assertTrue(!m.contains("\n"), "one line: " + m);
        return m;
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
    }

    private static byte[] validModel() {
        return new TestModel(13).input("x", DType.F32, 1, 8, 16, 16).initializer("w", f32(Shape.of(16, 8, 3, 3)))
                .output("y").node("Conv", "x,w->y").bytes();
    }

    @Test
    void truncatedFile() {
        byte[] full = validModel();
        byte[] half = Arrays.copyOf(full, full.length / 2);
        assertContains(message(() -> OnnxImporter.load(half, "cut.onnx")), "cut.onnx: ", "not a valid ONNX model");
    }

    @Test
    void randomBytes() {
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        assertContains(message(() -> OnnxImporter.load(noise, "noise.onnx")), "noise.onnx: ", "not a valid ONNX model");
    }

    /** Flipped bytes anywhere in a model: the import either succeeds or fails with a ModelException, never anything else. */
    @Test
    void corruptedBytesOnlyEverGiveModelExceptions() {
        byte[] valid = new TestModel(11).input("x", DType.F32, "N", 2, 6, 6).initializer("w", f32(Shape.of(4, 2, 3, 3)))
                .initializer("t", TestModel.i64(0, -1)).output("y")
                .node("Conv", "x,w->c", TestModel.ints("pads", 1, 1, 1, 1)).node("Relu", "c->r")
                .node("Shape", "r->s").node("Reshape", "r,t->y").bytes();
        Random random = new Random(7);
        int rejected = 0;
        for (int trial = 0; trial < 500; trial++) {
            byte[] b = valid.clone();
            for (int k = 0; k < 1 + random.nextInt(3); k++) b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            try {
                OnnxImporter.load(b, "fuzz.onnx");
            } catch (ModelException e) {
                rejected++;
                assertTrue(e.getMessage().startsWith("fuzz.onnx: ") && !e.getMessage().contains("\n"), e.getMessage());
            }
        }
        assertTrue(rejected > 100, "most corruptions are detected, got " + rejected);
    }

    @Test
    void aTensorFileIsNotAModel() {
        byte[] tensor = OnnxTensors.toProto("t", f32(Shape.of(3))).toByteArray();
        assertContains(message(() -> OnnxImporter.load(tensor, "input_0.pb")), "not a valid ONNX model");
    }

    @Test
    void missingFile() {
        assertContains(message(() -> OnnxImporter.load(Path.of("/nonexistent/m.onnx"))), "/nonexistent/m.onnx", "cannot read");
    }

    @Test
    void emptyGraph() {
        assertContains(message(() -> new TestModel(13).input("x", DType.F32, 2).output("x").load()), "empty graph");
    }

    @Test
    void unsupportedOp() {
        assertContains(message(() -> new TestModel(13).input("x", DType.F32, 2).output("y").node("Foo", "n", "x->y").load()),
                "test.onnx: ", "unsupported op 'Foo' (opset 13) at node 'n'");
    }

    @Test
    void everyUnsupportedOpTypeIsListedAtOnce() {
        String m = message(() -> new TestModel(13).input("x", DType.F32, 2).output("z").node("Foo", "f1", "x->a")
                .node("Bar", "b1", "a->b").node("Foo", "f2", "b->c").node("Relu", "r", "c->z").load());
        assertContains(m, "test.onnx: ", "2 unsupported op types (opset 13): 'Foo' (2 nodes, first 'f1'), 'Bar' (1 node, first 'b1')");
    }

    @Test
    void nonDefaultDomainIsUnsupported() {
        TestModel m = new TestModel(13).input("x", DType.F32, 2).output("y").rawNode(NodeProto.newBuilder().setOpType("Relu")
                .setDomain("com.microsoft").setName("ms").addInput("x").addOutput("y").build());
        assertContains(message(m::load), "unsupported op 'Relu' of domain 'com.microsoft'", "at node 'ms'");
    }

    @Test
    void typeInferenceFailureNamesTheNode() {
        assertContains(message(() -> new TestModel(13).input("x", DType.F32, 1, 3, 8, 8).initializer("w", f32(Shape.of(4, 2, 3, 3)))
                .output("y").node("Conv", "c1", "x,w->y").load()), "node 'c1'", "Conv (opset 13)", "input channels 3");
    }

    @Test
    void unknownTensorDataType() {
        TestModel m = new TestModel(13).input("x", DType.F32, 2).output("y").node("Add", "x,w->y");
        var proto = m.proto().toBuilder();
        proto.getGraphBuilder().addInitializer(TensorProto.newBuilder().setName("w").setDataType(99).addDims(2)
                .setRawData(ByteString.copyFrom(new byte[8])));
        assertContains(message(() -> OnnxImporter.load(proto.build().toByteArray(), "m.onnx")), "tensor 'w'", "unknown tensor data type 99");
    }

    @Test
    void absurdSizeIsRejectedBeforeAllocating() {
        TestModel m = new TestModel(13).input("x", DType.F32, 2).output("y").node("Add", "x,w->y");
        var proto = m.proto().toBuilder();
        proto.getGraphBuilder().addInitializer(TensorProto.newBuilder().setName("w").setDataType(1)
                .addDims(1_000_000_000L).addDims(1_000_000L).setRawData(ByteString.copyFrom(new byte[12])));
        assertContains(message(() -> OnnxImporter.load(proto.build().toByteArray(), "m.onnx")),
                "m.onnx: ", "tensor 'w' declares f32[1000000000,1000000]", "more elements than nncc supports");
    }

    @Test
    void externalDataOfAModelGivenAsBytesIsNamed() {
        TestModel m = new TestModel(13).input("x", DType.F32, 2).output("y").node("Add", "x,w->y");
        var proto = m.proto().toBuilder();
        proto.getGraphBuilder().addInitializer(TensorProto.newBuilder().setName("w").setDataType(1).addDims(2)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin")));
        assertContains(message(() -> OnnxImporter.load(proto.build().toByteArray(), "no/such/dir/m.onnx")), "tensor 'w'", "'weights.bin'",
                "only a model read from a file");
    }

    @Test
    void nonTensorInputType() {
        TestModel m = new TestModel(13).output("y").node("Identity", "s->y");
        var proto = m.proto().toBuilder();
        proto.getGraphBuilder().addInput(ValueInfoProto.newBuilder().setName("s").setType(TypeProto.newBuilder()
                .setSequenceType(TypeProto.Sequence.newBuilder().setElemType(TestModel.valueInfo("e", DType.F32, 2).getType()))));
        assertContains(message(() -> OnnxImporter.load(proto.build().toByteArray(), "m.onnx")), "'s' has non-tensor type sequence");
    }

    @Test
    void unknownDimsAndDimParams() {
        Graph g = new TestModel(13).input("x", DType.F32, null, "feature size!").output("y").node("Relu", "x->y").load();
        assertEquals("[?N,?feature_size_]", g.inputs().get(0).type().shape().toString());
        assertContains(message(() -> new TestModel(13).input("x", DType.F32, 2, null).output("y").node("Relu", "x->y").load()),
                "'x' has dim 1 with neither a size nor a name");
    }

    @Test
    void outputNeverProduced() {
        assertContains(message(() -> new TestModel(13).input("x", DType.F32, 2).output("z").node("Relu", "x->y").load()),
                "graph output 'z' is never produced");
    }

    @Test
    void boundInputsMustMatchTheDeclaredType() {
        byte[] model = new TestModel(13).input("x", DType.F32, 2).input("s", DType.I64, 2).output("y")
                .node("Reshape", "x,s->y").bytes();
        Graph g = OnnxImporter.load(model, "m.onnx", java.util.Map.of("s", TestModel.i64(1, 2)));
        assertEquals(1, g.inputs().size());
        assertContains(message(() -> OnnxImporter.load(model, "m.onnx", java.util.Map.of("s", Tensor.scalar(1f)))),
                "input 's' is declared i64[2]");
    }
}
