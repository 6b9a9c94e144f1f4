package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.Graph;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorT;

/**
 * Which arithmetic the TFLite runtime behind tflite-run computes, layer by layer. The MobileNetV2-style example is
 * compiled with {@code --rounding double} (TFLite's reference kernels); each layer of the written file runs alone on
 * the runtime, fed nncc's own input tensors of that layer for 20 sample images. On every conv, depthwise and fully
 * connected layer the runtime equals {@link XnnpackRequantization} (float32 scale, round half to even) on every
 * element, while the reference's double rounding differs by 1 LSB on a fraction of them: the runtime is XNNPACK,
 * not the reference kernels, which is why the tpu profile rounds once.
 */
class TfliteRuntimeArithmeticTest {
    @TempDir Path tmp;

    @Test
    void theRuntimeRequantizesInFloat32NotWithTfliteReferenceDoubleRounding() throws Exception {
        Path out = tmp.resolve("tpu");
        CliTest.Result r = CliTest.nncc("compile", TestPaths.root().resolve("examples/mobilenet_v2/mobilenet_v2.onnx").toString(),
                "--target", "tpu", "--rounding", "double", "--calib", TestPaths.example().resolve("calib.npy").toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        Graph g = IrParser.parse(Files.readString(out.resolve("model.nnir")), "model.nnir");
        int n = 20;
        QuantParams in = g.inputs().get(0).type().quant();
        float[] px = Npy.read(TestPaths.example().resolve("sample.npy")).toFloats();
        long[] codes = new long[n * 784];
        for (int i = 0; i < codes.length; i++) codes[i] = FixedPoint.quantizeScaled(px[i] / in.scale(0), in.zeroPoint(0), DType.I8);
        Map<String, Tensor> trace = new HashMap<>();
        trace.put(g.inputs().get(0).name(), Tensor.ofLongs(DType.I8, Shape.of(n, 28, 28, 1), codes));
        Interpreter.prepare(g).run(List.of(trace.get(g.inputs().get(0).name())), (node, outs) -> {
            for (int k = 0; k < outs.size(); k++) trace.put(node.outputs().get(k).name(), outs.get(k));
        });

        byte[] file = Files.readAllBytes(out.resolve("model.tflite"));
        ModelT m = Model.getRootAsModel(ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN)).unpack();
        SubGraphT sg = m.getSubgraphs()[0];
        long computeLayers = 0, differingFromReference = 0;
        for (int i = 0; i < sg.getOperators().length; i++) {
            OperatorT op = sg.getOperators()[i];
            var code = m.getOperatorCodes()[(int) op.getOpcodeIndex()];
            String kind = BuiltinOperator.name(Math.max(code.getBuiltinCode(), code.getDeprecatedBuiltinCode()));
            boolean compute = kind.equals("CONV_2D") || kind.equals("DEPTHWISE_CONV_2D") || kind.equals("FULLY_CONNECTED");
            if (!compute) continue;
            TensorT xt = sg.getTensors()[op.getInputs()[0]], yt = sg.getTensors()[op.getOutputs()[0]];
            // the IR is in the file's layout (tflite-nhwc), so its tensors are the file's as they are
            byte[] x = bytes(trace.get(xt.getName()).toLongs());
            long[] nncc = trace.get(yt.getName()).toLongs();
            Path single = tmp.resolve("op" + i + ".tflite"), input = tmp.resolve("op" + i + ".bin");
            Files.write(single, singleOp(file, i));
            Files.write(input, x);
            long[] runtime = TfliteRun.run(single, List.of(input)).get(0);
            long[] xnnpack = XnnpackRequantization.run(m, op, kind, x, n);
            long asModel = 0, asReference = 0, withinOne = 0;
            for (int k = 0; k < runtime.length; k++) {
                if (runtime[k] == xnnpack[k]) asModel++;
                if (runtime[k] == nncc[k]) asReference++;
                if (Math.abs(runtime[k] - nncc[k]) <= 1) withinOne++;
            }
            System.out.printf("op %2d %-17s %7d outputs: runtime == float32 requantization on %.3f %%, == TFLite reference (nncc, double rounding) on %.3f %%, within 1 LSB %.3f %%%n",
                    i, kind, runtime.length, 100.0 * asModel / runtime.length, 100.0 * asReference / runtime.length, 100.0 * withinOne / runtime.length);
            assertEquals(runtime.length, asModel, "op " + i + " (" + kind + "): the runtime follows XNNPACK's float32 requantization");
            assertEquals(runtime.length, withinOne, "op " + i + ": the reference is within 1 LSB of it");
            computeLayers++;
            if (asReference < runtime.length) differingFromReference++;
        }
        System.out.printf("%d conv/FC layers: the runtime equals float32 requantization on all; it differs from TFLite's reference double rounding on %d%n",
                computeLayers, differingFromReference);
        assertTrue(computeLayers >= 30, "layers checked: " + computeLayers);
        assertTrue(differingFromReference > 0, "double rounding and the runtime never differed: the test shows nothing");
    }

    private static byte[] bytes(long[] v) {
        byte[] r = new byte[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (byte) v[i];
        return r;
    }

    /** The file holding op {@code index} alone, its activation input the graph input. */
    private static byte[] singleOp(byte[] file, int index) {
        ModelT m = Model.getRootAsModel(ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN)).unpack();
        SubGraphT g = m.getSubgraphs()[0];
        OperatorT op = g.getOperators()[index];
        g.setOperators(new OperatorT[] {op});
        g.setInputs(new int[] {op.getInputs()[0]});
        g.setOutputs(new int[] {op.getOutputs()[0]});
        FlatBufferBuilder fb = new FlatBufferBuilder();
        Model.finishModelBuffer(fb, Model.pack(fb, m));
        return fb.sizedByteArray();
    }
}
