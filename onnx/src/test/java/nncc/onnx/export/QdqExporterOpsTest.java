package nncc.onnx.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.Concat;
import nncc.ir.op.Conv;
import nncc.ir.op.Dequantize;
import nncc.ir.op.DynamicQuantConv;
import nncc.ir.op.LutFunction;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QConv;
import nncc.ir.op.QLut;
import nncc.ir.op.QMean;
import nncc.ir.op.QSoftmax;
import nncc.ir.op.Quantize;
import nncc.ir.op.Requantize;
import nncc.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;

/** Each lowered op's float counterpart in the export, the float fallback path, and the constructs that cannot export. */
class QdqExporterOpsTest {
    private static final nncc.ir.Rounding R = LoweredGraphs.R;

    private static Value table(LoweredGraphs b, String name) {
        return b.g.addConstant(name, Tensor.ofLongs(DType.I8, Shape.of(256), new long[256]));
    }

    @Test
    void lookupTablesBecomeTheirFunctionsAndTheTableIsNotStored() {
        LoweredGraphs b = new LoweredGraphs("lut", 1);
        Value x = b.input("x", 0.05f, 0, 1, 8);
        Value s = b.node("sig", new QLut(LutFunction.SIGMOID, 0, 0, DType.I8, 1 / 256f, -128), x, table(b, "sig_t"));
        Value h = b.node("hswish", new QLut(LutFunction.HARD_SWISH, 0, 0, DType.I8, 0.03f, -10), s, table(b, "hs_t"));
        Value l = b.node("leaky", new QLut(LutFunction.LEAKY_RELU, 0.1f, 0, DType.I8, 0.03f, 0), h, table(b, "lk_t"));
        Value c = b.node("clip", new QLut(LutFunction.CLIP, -1f, 2f, DType.I8, 0.02f, -20), l, table(b, "cl_t"));
        b.output(c);
        QdqModel m = QdqModel.of(b.g);
        assertEquals(List.of("QuantizeLinear", "DequantizeLinear", "Sigmoid", "QuantizeLinear", "DequantizeLinear",
                "HardSigmoid", "Mul", "QuantizeLinear", "DequantizeLinear", "LeakyRelu", "QuantizeLinear",
                "DequantizeLinear", "Clip", "QuantizeLinear", "DequantizeLinear"), m.opTypes());
        NodeProto gate = m.only("HardSigmoid");
        assertEquals(1f / 6, m.floatAttr(gate, "alpha"));
        assertEquals(0.5f, m.floatAttr(gate, "beta"));
        assertEquals(0.1f, m.floatAttr(m.only("LeakyRelu"), "alpha"));
        NodeProto clip = m.only("Clip");
        assertEquals(-1f, m.floats(clip.getInput(1))[0]);
        assertEquals(2f, m.floats(clip.getInput(2))[0]);
        assertTrue(m.proto.getGraph().getInitializerList().stream().noneMatch(t -> t.getName().endsWith("_t")));
        OnnxImporter.load(m.bytes, "lut.onnx");
    }

    @Test
    void softmaxMeanPoolAndRequantize() {
        LoweredGraphs b = new LoweredGraphs("misc", 2);
        Value x = b.input("x", 0.05f, 4, 1, 3, 4, 4);
        Value pool = b.node("pool", new QAveragePool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), false, 4, 127,
                nncc.ir.op.Activation.RELU), x);
        Value gap = b.node("gap", new QMean(List.of(2, 3), true, 4, 1 << 30, -2, -3, 0.04f, DType.I8, R), pool);
        Value mean = b.node("mean", new QMean(List.of(-1), false, -3, 1 << 30, 0, 1, 0.04f, DType.I8, R), gap);
        Value req = b.node("req", new Requantize(1, 1 << 30, 1, -2, 0.02f, DType.I8, R), mean);
        nncc.ir.FixedPointMath.SoftmaxScaling beta1 = nncc.ir.FixedPointMath.softmaxScaling(1.0, 0.02f);
        Value soft = b.node("soft", new QSoftmax(1, beta1.inputMultiplier(), beta1.inputLeftShift(), beta1.diffMin(), 1 / 256f, -128, DType.I8), req);
        b.output(soft);
        QdqModel m = QdqModel.of(b.g);
        assertEquals(List.of("QuantizeLinear", "DequantizeLinear", "AveragePool", "Relu", "QuantizeLinear",
                "DequantizeLinear", "GlobalAveragePool", "QuantizeLinear", "DequantizeLinear", "ReduceMean", "QuantizeLinear",
                "DequantizeLinear", "QuantizeLinear", "DequantizeLinear", "Softmax", "QuantizeLinear", "DequantizeLinear"),
                m.opTypes());
        NodeProto avg = m.only("AveragePool");
        assertEquals(List.of(0L), m.ints(avg, "count_include_pad"));
        assertEquals(1, m.only("Relu").getInputCount(), "a fused RELU on the pool is exported as Relu");
        NodeProto reduce = m.only("ReduceMean");
        assertEquals(List.of(3L), m.ints(reduce, "axes"));
        assertEquals(List.of(0L), m.ints(reduce, "keepdims"));
        assertEquals(List.of(1L), m.ints(m.only("Softmax"), "axis"));
        OnnxImporter.load(m.bytes, "misc.onnx");
    }

    @Test
    void concatDequantizesEveryInputWithTheOutputParametersLikeTheIntegerKernel() {
        LoweredGraphs b = new LoweredGraphs("cat", 3);
        Value x = b.input("x", 0.1f, 0, 1, 2), y = b.input("y", 0.1f, 0, 1, 2), z = b.input("z", 0.2f, 1, 1, 2);
        Value same = b.node("same", new Concat(1), x, y);
        Value mixedOut = new Value("mixed_out", new TensorType(DType.I8, Shape.of(1, 8), QuantParams.perTensor(0.2f, 1)));
        b.g.addNode(new nncc.ir.Node("mixed", new Concat(1), List.of(same, y, z), List.of(mixedOut)));
        b.output(mixedOut);
        QdqModel m = QdqModel.of(b.g);
        for (String name : List.of("same", "mixed")) {
            NodeProto cat = m.producer(m.producer(name + "_out" + (name.equals("mixed") ? "_quantized" : "")).getInput(0));
            assertEquals("Concat", cat.getOpType());
            float outScale = name.equals("same") ? 0.1f : 0.2f;
            for (String in : cat.getInputList()) {
                NodeProto dq = m.producer(in);
                assertEquals("DequantizeLinear", dq.getOpType());
                assertEquals(outScale, m.floats(dq.getInput(1))[0], name + " input " + in);
            }
        }
        OnnxImporter.load(m.bytes, "cat.onnx");
    }

    @Test
    void identityAndDropoutWriteNoNode() {
        LoweredGraphs b = new LoweredGraphs("id", 8);
        Value x = b.input("x", 0.1f, 0, 1, 4);
        Value i = b.node("id", new nncc.ir.op.Identity(), x);
        b.output(b.node("drop", new nncc.ir.op.Dropout(0.5f), i));
        QdqModel m = QdqModel.of(b.g);
        assertEquals(List.of("QuantizeLinear", "DequantizeLinear"), m.opTypes());
        assertEquals("x_quantized", m.producer("drop_out").getInput(0));
        OnnxImporter.load(m.bytes, "id.onnx");

        LoweredGraphs f = new LoweredGraphs("fid", 9);
        Value fx = f.floatInput("fx", 1, 4);
        f.output(f.node("fid", new nncc.ir.op.Identity(), fx));
        f.output(fx);
        QdqModel fm = QdqModel.of(f.g);
        assertEquals(List.of("Identity"), fm.opTypes());
        assertEquals(List.of("fid_out", "fx"), fm.proto.getGraph().getOutputList().stream().map(v -> v.getName()).toList());
        OnnxImporter.load(fm.bytes, "fid.onnx");
    }

    @Test
    void floatFallbackOpsStayFloatBetweenDequantizeAndQuantize() {
        LoweredGraphs b = new LoweredGraphs("fallback", 4);
        Value x = b.input("x", 0.1f, 0, 1, 1, 3, 3);
        Value f = b.node("dq", new Dequantize(0.1f, 0), x);
        Value w = b.g.addConstant("w", Tensor.ofFloats(Shape.of(1, 1, 1, 1), 0.5f));
        Value c = b.node("conv", new Conv(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), 1, Activation.RELU6), f, w);
        b.output(b.node("q", new Quantize(0.05f, -128, DType.I8), c));
        QdqModel m = QdqModel.of(b.g);
        assertEquals(List.of("QuantizeLinear", "DequantizeLinear", "Conv", "Clip", "QuantizeLinear", "DequantizeLinear"),
                m.opTypes());
        assertEquals(0.5f, m.floats("w")[0]);
        assertEquals("conv_out", m.only("Clip").getOutput(0));
        assertEquals(6f, m.floats(m.only("Clip").getInput(2))[0]);
        OnnxImporter.load(m.bytes, "fallback.onnx");
    }

    @Test
    void hybridOpsCannotExportAndTheErrorNamesTheNode() {
        LoweredGraphs b = new LoweredGraphs("dyn", 5);
        Value x = b.floatInput("x", 1, 1, 3, 3);
        Value w = b.g.addConstant("w", Tensor.ofLongs(DType.I8, Shape.of(1, 1, 1, 1), 3));
        b.output(b.node("dynconv", new DynamicQuantConv(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), 1,
                List.of(0.1f)), x, w));
        ModelException e = assertThrows(ModelException.class, () -> QdqExporter.export(b.g));
        assertEquals("dynconv", e.node());
        assertTrue(e.getMessage().contains("DynamicQuantConv") && e.getMessage().contains("no QDQ form"), e.getMessage());
    }

    /** ONNX's Softmax has no beta: a softmax whose numbers are another beta's (a TFLite SOFTMAX) is refused, naming it. */
    @Test
    void softmaxWithABetaOtherThanOneIsRefused() {
        LoweredGraphs b = new LoweredGraphs("beta", 8);
        Value x = b.input("x", 0.02f, 0, 1, 10);
        nncc.ir.FixedPointMath.SoftmaxScaling beta2 = nncc.ir.FixedPointMath.softmaxScaling(2.0, 0.02f);
        b.output(b.node("soft", new QSoftmax(1, beta2.inputMultiplier(), beta2.inputLeftShift(), beta2.diffMin(), 1 / 256f, -128, DType.I8), x));
        ModelException e = assertThrows(ModelException.class, () -> QdqExporter.export(b.g));
        assertEquals("soft", e.node());
        assertTrue(e.getMessage().contains("not beta 1") && e.getMessage().contains("inputLeftShift = " + beta2.inputLeftShift()), e.getMessage());
    }

    @Test
    void weightsWithoutParametersAreAnError() {
        LoweredGraphs b = new LoweredGraphs("bare", 6);
        Value x = b.input("x", 0.1f, 0, 1, 1, 2, 2);
        Value w = b.g.addConstant("w", Tensor.ofLongs(DType.I8, Shape.of(1, 1, 1, 1), 3));
        b.output(b.node("conv", new QConv(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), 1, 0, List.of(1 << 30),
                List.of(0), 0, 0.1f, DType.I8, -128, 127, R), x, w));
        ModelException e = assertThrows(ModelException.class, () -> QdqExporter.export(b.g));
        assertEquals("conv", e.node());
        assertTrue(e.getMessage().contains("%w") && e.getMessage().contains("no quantization parameters"), e.getMessage());
    }

    @Test
    void int16ActivationsNeedANewerOpset() {
        Graph g = new Graph("i16");
        Value x = new Value("x", new TensorType(DType.I16, Shape.of(1, 4), QuantParams.perTensor(0.001f, 0)));
        g.addInput(x);
        g.addOutput(x);
        ModelException e = assertThrows(ModelException.class, () -> QdqExporter.export(g));
        assertTrue(e.getMessage().contains("%x") && e.getMessage().contains("opset 21"), e.getMessage());
    }

    @Test
    void floatOpsRejectIntegerInputs() {
        LoweredGraphs b = new LoweredGraphs("mixed", 7);
        Value x = b.input("x", 0.1f, 0, 1, 4);
        b.output(b.node("relu", new nncc.ir.op.Relu(), x));
        ModelException e = assertThrows(ModelException.class, () -> QdqExporter.export(b.g));
        assertEquals("relu", e.node());
        assertTrue(e.getMessage().contains("float op") && e.getMessage().contains("%x"), e.getMessage());
    }
}
