package nncc.tests.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Quantize;
import nncc.onnx.OnnxImporter;
import nncc.onnx.export.QdqExporter;
import nncc.passes.PassManager;
import nncc.passes.PassRegistry;
import nncc.passes.Stage;
import nncc.passes.calib.CalibratePass;
import nncc.passes.calib.CalibrationData;
import nncc.passes.calib.ObserverKind;
import nncc.passes.quant.QuantizationPipeline;

/**
 * One benchmarked model in the four forms the benchmark runs: the float ONNX file (for ONNX Runtime), nncc's
 * prepared float graph (BatchNorm folded, activations fused: what nncc runs in float), the int8 graph (prepare,
 * min/max calibration, {@code QuantizationPipeline} int8 with default options: double rounding, an integer
 * interface; no bias correction, which changes bias values only, not the work) and that graph's QDQ ONNX exports.
 */
record BenchModel(String name, byte[] floatOnnx, Graph prepared, Graph int8, byte[] qdqInt8, byte[] qdqUint8) {

    static BenchModel load(Path onnx, Path calib) throws IOException {
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        byte[] bytes = Files.readAllBytes(onnx);
        Graph prepared = OnnxImporter.load(bytes, onnx.toString());
        new PassManager(PassRegistry.parse("prepare"), PassManager.Options.defaults(), quiet).run(prepared, Stage.of(prepared));
        CalibrationData data = CalibrationData.fromNpy(prepared, calib);
        data.requireFits(prepared);
        Graph calibrated = prepared.copy();
        CalibratePass calibrate = new CalibratePass(CalibratePass.Options.of(data, ObserverKind.MINMAX).withActivationType(DType.I8)
                .withBatchSize(32).withThreads(2));
        new PassManager(List.of(calibrate), PassManager.Options.defaults(), quiet).run(calibrated, Stage.BN_FOLDED);
        Graph int8 = QuantizationPipeline.run(prepared, QuantizationPipeline.Scheme.INT8, QuantizationPipeline.Options.defaults(),
                calibrated).graph();
        String name = onnx.getFileName().toString().replaceFirst("\\.onnx$", "");
        return new BenchModel(name, bytes, prepared, int8, QdqExporter.export(int8, QdqExporter.Activations.AS_IS),
                QdqExporter.export(int8, QdqExporter.Activations.UINT8));
    }

    /** The int8 graph's input for float data: quantized with the input's own parameters by nncc's Quantize kernel. */
    Tensor int8Input(Tensor floats) {
        TensorType want = int8.inputs().get(0).type();
        if (!want.dtype().isInteger()) return floats;
        QuantParams q = want.quant();
        Graph g = new Graph("quantize");
        Value in = new Value("x", TensorType.of(floats.dtype(), floats.shape()));
        Quantize op = new Quantize(q.scale(0), q.zeroPoint(0), want.dtype());
        Value out = new Value("y", op.inferTypes(List.of(in.type())).get(0));
        g.addInput(in);
        g.addNode(new Node("quantize", op, List.of(in), List.of(out)));
        g.addOutput(out);
        return new Interpreter(g).run(List.of(floats)).get(0);
    }
}
