// Writes the small malformed ONNX and .npy files that tests/src/test/resources/malformed/ holds (the regression
// inputs of the reliability tests). Run from the repository root after a build:
//   java -cp cli/target/nncc.jar scripts/make_malformed_inputs.java tests/src/test/resources/malformed
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;

class MakeMalformedInputs {
    static Path out;

    public static void main(String[] args) throws Exception {
        out = Path.of(args[0]);
        Files.createDirectories(out);
        // a graph with no outputs
        write("no_outputs.onnx", model(13, graph().addInput(info("x", 1, 4)).addNode(node("Relu", "x", "y"))));
        // Pad with pads of 2^40
        long big = 1L << 40;
        write("pad_2pow40.onnx", model(13, graph().addInput(info("x", 1, 4)).addInitializer(ints("pads", 0, 0, 0, big))
                .addNode(node("Pad", "x,pads", "y")).addOutput(info("y"))));
        // convs with a +Inf weight and a NaN weight, fixed batch 1
        float[] w = new float[18];
        for (int i = 0; i < w.length; i++) w[i] = (i % 7 - 3) * 0.1f;
        write("conv_batch1.onnx", conv(w));
        w[5] = Float.POSITIVE_INFINITY;
        write("inf_weight.onnx", conv(w));
        w[5] = Float.NaN;
        write("nan_weight.onnx", conv(w));
        // Relu with an attribute ONNX does not define
        write("unknown_attribute.onnx", model(13, graph().addInput(info("x", 1, 4))
                .addNode(node("Relu", "x", "y").addAttribute(attrInt("frobnicate", 1))).addOutput(info("y"))));
        write("maxpool_ceil_mode_5.onnx", model(13, graph().addInput(info("x", 1, 1, 4, 4))
                .addNode(node("MaxPool", "x", "y").addAttribute(attrInts("kernel_shape", 2, 2)).addAttribute(attrInt("ceil_mode", 5)))
                .addOutput(info("y"))));
        for (long opset : new long[] {0, -13, 999})
            write("opset_" + opset + ".onnx", model(opset, graph().addInput(info("x", 1, 4)).addNode(node("Relu", "x", "y")).addOutput(info("y"))));
        // output declared [1,3] where Relu of [1,4] gives [1,4]
        write("wrong_output_shape.onnx", model(13, graph().addInput(info("x", 1, 4)).addNode(node("Relu", "x", "y"))
                .addOutput(info("y", 1, 3))));
        // an initializer declaring 2^62 elements with 16 bytes of data
        write("declared_2pow62.onnx", model(13, graph().addInput(info("x", 1, 4))
                .addInitializer(TensorProto.newBuilder().setName("w").setDataType(1).addDims(1L << 62)
                        .setRawData(ByteString.copyFrom(new byte[16])))
                .addNode(node("Add", "x,w", "y")).addOutput(info("y"))));
        // found by the structure-aware campaign: a graph input dim of 2^63-1, Transpose of a constant with perm [16, 0]
        write("input_dim_2pow63.onnx", model(13, graph().addInput(info("x", 1, Long.MAX_VALUE, 8, 8)).addNode(node("Relu", "x", "y"))
                .addOutput(info("y"))));
        write("transpose_bad_perm.onnx", model(13, graph().addInput(info("x", 2, 3)).addInitializer(ints("c", 1, 2, 3, 4, 5, 6).clearDims().addDims(3).addDims(2))
                .addNode(node("Transpose", "c", "t").setName("/Transpose").addAttribute(attrInts("perm", 16, 0)))
                .addNode(node("Add", "x,t", "y")).addOutput(info("y"))));
        // calibration data: 4 samples for the batch-1 conv, and one with a NaN
        float[] c = new float[4 * 16];
        for (int i = 0; i < c.length; i++) c[i] = (i * 37 % 11) / 10f;
        Files.write(out.resolve("calib4.npy"), Npy.toBytes(Tensor.ofFloats(Shape.of(4, 1, 4, 4), c)));
        c[21] = Float.NaN;
        Files.write(out.resolve("calib4_nan.npy"), Npy.toBytes(Tensor.ofFloats(Shape.of(4, 1, 4, 4), c)));
        // .npy v2 whose header length is 0x7fffffff
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(0x7fffffff);
        while (b.hasRemaining()) b.put((byte) ' ');
        Files.write(out.resolve("npy_header_len_2pow31.npy"), b.array());
    }

    static ModelProto.Builder conv(float[] w) {
        TensorProto.Builder wt = TensorProto.newBuilder().setName("w").setDataType(1).addDims(2).addDims(1).addDims(3).addDims(3);
        for (float v : w) wt.addFloatData(v);
        TensorProto.Builder bt = TensorProto.newBuilder().setName("b").setDataType(1).addDims(2).addFloatData(0.1f).addFloatData(-0.2f);
        return model(13, graph().addInput(info("x", 1, 1, 4, 4)).addInitializer(wt).addInitializer(bt)
                .addNode(node("Conv", "x,w,b", "c").setName("conv").addAttribute(attrInts("pads", 1, 1, 1, 1)))
                .addNode(node("Relu", "c", "y").setName("relu")).addOutput(info("y", 1, 2, 4, 4)));
    }

    static GraphProto.Builder graph() { return GraphProto.newBuilder().setName("malformed"); }

    static ModelProto.Builder model(long opset, GraphProto.Builder g) {
        return ModelProto.newBuilder().setIrVersion(7).setProducerName("make_malformed_inputs")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(g);
    }

    static NodeProto.Builder node(String op, String in, String outs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op);
        for (String s : in.split(",")) n.addInput(s);
        for (String s : outs.split(",")) n.addOutput(s);
        return n;
    }

    static ValueInfoProto.Builder info(String name, long... dims) {
        ValueInfoProto.Builder v = ValueInfoProto.newBuilder().setName(name);
        if (dims.length == 0) return v;
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return v.setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s)));
    }

    static TensorProto.Builder ints(String name, long... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
        for (long x : v) t.addInt64Data(x);
        return t;
    }

    static AttributeProto attrInt(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto attrInts(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    static void write(String name, ModelProto.Builder m) throws Exception {
        Files.write(out.resolve(name), m.build().toByteArray());
    }
}
