package nncc.onnx.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.QuantParams;
import nncc.ir.Value;
import nncc.ir.op.Dequantize;
import nncc.ir.op.MaxPool;
import nncc.ir.op.QAdd;
import nncc.ir.op.QMul;
import nncc.ir.op.Quantize;
import nncc.ir.op.Reshape;
import nncc.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The QDQ structure of exported lowered graphs, read back as ONNX protos and through nncc's own importer. */
class QdqExporterTest {
    @Test
    void convWithPerChannelWeightsAndReluClampIsDequantizeConvReluQuantize() {
        LoweredGraphs b = new LoweredGraphs("conv", 1);
        Value x = b.input("x", 0.02f, -5, 1, 3, 8, 8);
        Value y = b.conv("conv1", x, 4, 3, 1, -20, nncc.ir.op.Activation.RELU);
        b.output(y);
        QdqModel m = QdqModel.of(b.g);

        assertEquals(13, m.proto.getOpsetImport(0).getVersion());
        assertEquals(List.of("QuantizeLinear", "DequantizeLinear", "DequantizeLinear", "Mul", "DequantizeLinear", "Conv", "Relu",
                "QuantizeLinear", "DequantizeLinear"), m.opTypes());
        m.assertFloatIo("x", "conv1_out");

        NodeProto conv = m.only("Conv");
        assertEquals(List.of(3L, 3L), m.ints(conv, "kernel_shape"));
        assertEquals(List.of(1L, 1L, 1L, 1L), m.ints(conv, "pads"));
        NodeProto dqx = m.producer(conv.getInput(0)), dqw = m.producer(conv.getInput(1)), dqb = m.producer(conv.getInput(2));
        assertEquals("DequantizeLinear", dqx.getOpType());
        assertEquals(m.producer(dqx.getInput(0)).getOpType(), "QuantizeLinear");
        QuantParams qw = b.g.constant("conv1_w").value().type().quant();
        assertEquals(0L, m.ints(dqw, "axis").get(0));
        m.assertInitializer(dqw.getInput(0), TensorProto.DataType.INT8, 4, 3, 3, 3);
        assertArrayEquals(qw.scales(), m.floats(dqw.getInput(1)));
        assertEquals(2, dqw.getInputCount(), "conv weight zero points (all zero) are left out");
        m.assertInitializer(dqb.getInput(0), TensorProto.DataType.INT32, 4);
        assertEquals(2, dqb.getInputCount(), "bias zero points (all zero) are left out");
        // per-channel bias scales sX * sW[c] are a Mul of the two scale tensors the file already holds
        NodeProto mul = m.producer(dqb.getInput(1));
        assertEquals("Mul", mul.getOpType());
        assertEquals(List.of(dqx.getInput(1), dqw.getInput(1)), mul.getInputList());
        float[] sx = m.floats(mul.getInput(0)), sw = m.floats(mul.getInput(1));
        for (int c = 0; c < 4; c++) assertEquals(0.02f * qw.scale(c), sx[0] * sw[c]);

        NodeProto q = m.consumer(m.only("Relu").getOutput(0));
        assertEquals("QuantizeLinear", q.getOpType());
        assertEquals(y.type().quant().scale(0), m.floats(q.getInput(1))[0]);
        assertArrayEquals(new long[] {-20}, m.longs(q.getInput(2)));
        assertTrue(m.floatBytes() < 64, "only scales are float: " + m.floatBytes() + " bytes");

        Graph back = OnnxImporter.load(m.bytes, "conv.onnx");
        assertEquals(DType.I8, back.constant("conv1_w").data().dtype());
        assertEquals(DType.F32, back.outputs().get(0).type().dtype());
        assertTrue(back.nodes().stream().anyMatch(n -> n.op() instanceof nncc.ir.op.Conv));
    }

    @ParameterizedTest(name = "zp {0}, {1} -> {2}")
    @CsvSource({"-128, NONE, none", "-20, NONE, none", "-128, RELU, none", "-128, RELU6, Clip", "-20, RELU, Relu",
            "-20, RELU6, Clip", "10, RELU_N1_TO_1, Clip"})
    void integerClampBecomesReluOrClipOnlyWhenTighterThanTheType(long zp, nncc.ir.op.Activation act, String expected) {
        LoweredGraphs b = new LoweredGraphs("clamp", 2);
        Value y = b.conv("conv", b.input("x", 0.05f, 0, 1, 2, 5, 5), 3, 3, 0, zp, act);
        int[] clamp = act.clampBounds(y.type().quant().scale(0), zp, DType.I8);
        int actMin = clamp[0], actMax = clamp[1];
        b.output(y);
        QdqModel m = QdqModel.of(b.g);
        NodeProto quantize = m.producer(m.only("DequantizeLinear", "conv_out").getInput(0));
        NodeProto before = m.producer(quantize.getInput(0));
        assertEquals(expected.equals("none") ? "Conv" : expected, before.getOpType());
        if (expected.equals("Clip")) {
            float s = y.type().quant().scale(0);
            if (actMin == -128) assertEquals("", before.getInput(1));
            else assertEquals((actMin - zp) * s, m.floats(before.getInput(1))[0], 1e-6f);
            if (actMax == 127) assertEquals(2, before.getInputCount());
            else assertEquals((actMax - zp) * s, m.floats(before.getInput(2))[0], 1e-6f);
        }
        OnnxImporter.load(m.bytes, "clamp.onnx");
    }

    @Test
    void gemmReadsPerChannelWeightsTransposed() {
        LoweredGraphs b = new LoweredGraphs("gemm", 3);
        b.output(b.gemm("fc", b.input("x", 0.1f, 3, 2, 16), 5, -1));
        QdqModel m = QdqModel.of(b.g);
        NodeProto gemm = m.only("Gemm");
        assertEquals(List.of(1L), m.ints(gemm, "transB"));
        NodeProto dqw = m.producer(gemm.getInput(1));
        m.assertInitializer(dqw.getInput(0), TensorProto.DataType.INT8, 5, 16);
        assertEquals(5, m.floats(dqw.getInput(1)).length);
        assertArrayEquals(new long[5], m.longs(dqw.getInput(2)), "Gemm weights keep their zero points: ORT's QGemm needs one per scale");
        assertEquals("QuantizeLinear", m.consumer(gemm.getOutput(0)).getOpType());
        OnnxImporter.load(m.bytes, "gemm.onnx");
    }

    @Test
    void addAndMulDequantizeBothInputs() {
        LoweredGraphs b = new LoweredGraphs("eltwise", 4);
        Value x = b.input("a", 0.1f, 2, 1, 4), y = b.input("b", 0.05f, -3, 1, 4);
        Value sum = b.node("add", new QAdd(2, -3, 20, 1073741824, 0, 1073741824, -1, 1073741824, -19, 1, 0.2f, DType.I8,
                -128, 127, LoweredGraphs.R), x, y);
        Value prod = b.node("mul", new QMul(1, -3, 1073741824, -4, 0, 0.01f, DType.I8, -128, 127, LoweredGraphs.R), sum, y);
        b.output(prod);
        QdqModel m = QdqModel.of(b.g);
        for (String op : List.of("Add", "Mul")) {
            NodeProto n = m.only(op);
            for (String in : n.getInputList()) assertEquals("DequantizeLinear", m.producer(in).getOpType(), op + " input " + in);
            assertEquals("QuantizeLinear", m.consumer(n.getOutput(0)).getOpType());
        }
        assertEquals(List.of("a", "b"), m.proto.getGraph().getInputList().stream().map(v -> v.getName()).toList());
        OnnxImporter.load(m.bytes, "eltwise.onnx");
    }

    @Test
    void maxPoolAndReshapeSitBetweenDequantizeAndQuantizeWithTheOutputParameters() {
        LoweredGraphs b = new LoweredGraphs("pool", 5);
        Value c = b.conv("conv", b.input("x", 0.02f, 0, 1, 1, 6, 6), 2, 3, 1, -128, nncc.ir.op.Activation.NONE);
        Value p = b.node("pool", new MaxPool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), List.of(1, 1), false, 0), c);
        Value r = b.node("flat", new Reshape(List.of(1L, -1L), false), p);
        b.output(b.gemm("fc", r, 3, 0));
        QdqModel m = QdqModel.of(b.g);
        assertEquals(List.of("QuantizeLinear", "DequantizeLinear", "DequantizeLinear", "Mul", "DequantizeLinear", "Conv",
                "QuantizeLinear", "DequantizeLinear", "MaxPool", "QuantizeLinear", "DequantizeLinear", "Reshape",
                "QuantizeLinear", "DequantizeLinear", "DequantizeLinear", "Mul", "DequantizeLinear", "Gemm", "QuantizeLinear",
                "DequantizeLinear"), m.opTypes());
        for (String op : List.of("MaxPool", "Reshape")) {
            NodeProto n = m.only(op), dq = m.producer(n.getInput(0)), q = m.consumer(n.getOutput(0));
            assertEquals("DequantizeLinear", dq.getOpType());
            assertEquals("QuantizeLinear", m.producer(dq.getInput(0)).getOpType());
            assertEquals("QuantizeLinear", q.getOpType());
            assertEquals(dq.getInputList().subList(1, 3), q.getInputList().subList(1, 3), op + ": same parameters in and out");
            assertEquals(c.type().quant().scale(0), m.floats(q.getInput(1))[0]);
        }
        assertArrayEquals(new long[] {1, -1}, m.longs(m.only("Reshape").getInput(1)));
        Graph back = OnnxImporter.load(m.bytes, "pool.onnx");
        assertEquals("i8[1,2,3,3]", back.valuesByName().get("pool_out").type().toString());
    }

    @Test
    void floatInputsAndOutputsKeepTheirNames() {
        LoweredGraphs b = new LoweredGraphs("edges", 6);
        Value image = b.floatInput("image", 1, 2, 4, 4);
        Value q = b.node("quant", new Quantize(0.04f, -7, DType.I8), image);
        Value c = b.conv("conv", q, 2, 1, 0, 5, nncc.ir.op.Activation.NONE);
        Value out = b.node("dequant", new Dequantize(c.type().quant().scale(0), 5), c);
        b.output(out);
        QdqModel m = QdqModel.of(b.g);
        m.assertFloatIo("image", "dequant_out");
        assertEquals(List.of("QuantizeLinear", "DequantizeLinear", "DequantizeLinear", "Mul", "DequantizeLinear", "Conv",
                "QuantizeLinear", "DequantizeLinear"), m.opTypes());
        NodeProto first = m.proto.getGraph().getNode(0);
        assertEquals("image", first.getInput(0));
        assertEquals(List.of(-7L), m.longList(first.getInput(2)));
        assertEquals("dequant_out", m.proto.getGraph().getNode(7).getOutput(0));
        OnnxImporter.load(m.bytes, "edges.onnx");
    }

    /** Float image -> Quantize -> int8 conv (clamped like a Relu) -> Dequantize: a conv between float edges. */
    private static LoweredGraphs floatEdgedConv(String name) {
        LoweredGraphs b = new LoweredGraphs(name, 8);
        Value image = b.floatInput("image", 1, 2, 4, 4);
        Value q = b.node("quant", new Quantize(0.04f, -7, DType.I8), image);
        Value c = b.conv("conv", q, 2, 1, 0, 5, nncc.ir.op.Activation.RELU);
        b.output(b.node("dequant", new Dequantize(c.type().quant().scale(0), 5), c));
        return b;
    }

    @Test
    void uint8ActivationsMoveTheZeroPointsAndKeepWeightsInt8() throws Exception {
        LoweredGraphs b = floatEdgedConv("u8");
        ModelProto p = ModelProto.parseFrom(QdqExporter.export(b.g, QdqExporter.Activations.UINT8, QdqExporter.Names.IR).model());
        QdqModel m = new QdqModel(p.toByteArray());
        NodeProto qin = m.proto.getGraph().getNode(0), relu = m.only("Relu");
        assertEquals(TensorProto.DataType.UINT8_VALUE, m.initializer(qin.getInput(2)).getDataType());
        assertEquals(List.of(121L), m.longList(qin.getInput(2)));
        NodeProto qout = m.consumer(relu.getOutput(0));
        assertEquals(List.of(133L), m.longList(qout.getInput(2)));
        NodeProto dqw = m.producer(m.only("Conv").getInput(1));
        m.assertInitializer(dqw.getInput(0), TensorProto.DataType.INT8, 2, 2, 1, 1);
        assertEquals(2, dqw.getInputCount(), "conv weight zero points (all zero) are left out");
        NodeProto dqout = m.only("DequantizeLinear", "dequant_out");
        assertEquals(List.of(133L), m.longList(dqout.getInput(2)));
        Graph back = OnnxImporter.load(m.bytes, "u8.onnx");
        assertEquals("u8[1,2,4,4]", back.valuesByName().get("conv_out").type().toString());
    }

    /**
     * Compact names: the same graph as with IR names (same ops, attributes and initializer data, in order), every
     * internal tensor and node renamed to a short id, graph inputs and outputs unchanged, and the table maps each
     * short name back to the IR-derived one.
     */
    @Test
    void compactNamesRenameOnlyInternalTensorsAndNodesAndMapBack() throws Exception {
        LoweredGraphs b = floatEdgedConv("names");
        QdqExporter.Exported ir = QdqExporter.export(b.g, QdqExporter.Activations.AS_IS, QdqExporter.Names.IR);
        QdqExporter.Exported compact = QdqExporter.export(b.g, QdqExporter.Activations.AS_IS, QdqExporter.Names.COMPACT);
        assertEquals("", ir.nameTable());
        assertTrue(compact.model().length < ir.model().length);
        ai.onnx.proto.OnnxMl.GraphProto a = ModelProto.parseFrom(ir.model()).getGraph(), z = ModelProto.parseFrom(compact.model()).getGraph();
        assertEquals(a.getInput(0).getName(), z.getInput(0).getName());
        assertEquals(a.getOutput(0).getName(), z.getOutput(0).getName());
        java.util.Map<String, String> back = new java.util.HashMap<>();
        compact.nameTable().lines().skip(1).map(l -> l.split("\t")).filter(f -> f[0].equals("tensor")).forEach(f -> back.put(f[1], f[2]));
        java.util.function.UnaryOperator<String> orig = n -> n.isEmpty() ? n : back.getOrDefault(n, n);
        assertEquals(a.getNodeCount(), z.getNodeCount());
        for (int i = 0; i < a.getNodeCount(); i++) {
            NodeProto x = a.getNode(i), y = z.getNode(i);
            assertEquals(x.getOpType(), y.getOpType());
            assertEquals(x.getAttributeList(), y.getAttributeList());
            assertEquals(x.getInputList(), y.getInputList().stream().map(orig).toList());
            assertEquals(x.getOutputList(), y.getOutputList().stream().map(orig).toList());
            for (String in : y.getInputList())
                assertTrue(in.length() <= 2 || in.equals(z.getInput(0).getName()), "short name expected: " + in);
        }
        assertEquals(a.getInitializerCount(), z.getInitializerCount());
        for (int i = 0; i < a.getInitializerCount(); i++) {
            assertEquals(a.getInitializer(i).getName(), orig.apply(z.getInitializer(i).getName()));
            assertEquals(a.getInitializer(i).toBuilder().clearName().build(), z.getInitializer(i).toBuilder().clearName().build());
        }
    }

    @Test
    void writeReplacesTheFileAtomically(@TempDir Path dir) throws Exception {
        LoweredGraphs b = new LoweredGraphs("w", 7);
        b.output(b.gemm("fc", b.input("x", 0.1f, 0, 1, 8), 2, 0));
        Path file = dir.resolve("sub/model.onnx");
        QdqExporter.write(b.g, file);
        QdqExporter.write(b.g, file);
        assertArrayEquals(QdqExporter.export(b.g), Files.readAllBytes(file));
        try (var s = Files.list(file.getParent())) {
            assertEquals(List.of("model.onnx"), s.map(p -> p.getFileName().toString()).toList());
        }
    }
}
