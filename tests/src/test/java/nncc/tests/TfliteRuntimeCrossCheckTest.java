package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Tensor;
import nncc.ir.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.SubGraphT;

/**
 * TFLite models imported by nncc against the TensorFlow Lite runtime ({@link TfliteRun}) on random int8 inputs.
 * The runtime computes int8 ops with XNNPACK, whose fp32 requantization differs from TFLite's reference
 * arithmetic (which nncc follows) by 1 LSB on a few elements per layer; through a deep network such differences
 * compound, so MobileNetV2 is checked op by op (each op type alone, on the same inputs), and end to end only
 * measured. micro_speech (two compute layers) is checked end to end.
 */
class TfliteRuntimeCrossCheckTest {
    @TempDir Path tmp;

    @Test
    void microSpeechAgreesWithTheRuntimeWithinOneLsb() throws Exception {
        Path model = TfliteFixtures.dir().resolve("micro_speech_quantized.tflite");
        TfliteRun.Agreement a = compare(model, TfliteFixtures.load(model), 64, 7, tmp);
        System.out.println("micro_speech vs TFLite runtime, 64 random int8 inputs: " + a);
        assertTrue(a.withinOne() >= 0.999, "micro_speech: " + a);
    }

    @Test
    void helloWorldInt8AgreesWithTheRuntimeWithinOneLsb() throws Exception {
        // the runtime's XNNPACK rounds once (TfliteRuntimeArithmeticTest); TFLite's reference double rounding differs by
        // 1 LSB on some elements of each FULLY_CONNECTED, which this sine regression's gain makes up to 3 at the output
        Path model = TfliteFixtures.dir().resolve("hello_world_int8.tflite");
        TfliteRun.Agreement single = compare(model, nncc.tpu.TfliteImporter.load(Files.readAllBytes(model), model.toString(),
                nncc.ir.Rounding.SINGLE_ROUND), 256, 13, tmp);
        TfliteRun.Agreement reference = compare(model, TfliteFixtures.load(model), 256, 13, tmp);
        System.out.println("hello_world_int8 vs TFLite runtime, 256 random int8 inputs: single rounding " + single
                + "; TFLite reference (double) rounding " + reference);
        assertTrue(single.withinOne() >= 0.999, "hello_world_int8: " + single);
    }

    @Test
    void int8LogisticAndTanhTablesAgreeWithTheRuntime() throws Exception {
        for (int code : new int[] {org.tensorflow.lite.schema.BuiltinOperator.LOGISTIC, org.tensorflow.lite.schema.BuiltinOperator.TANH}) {
            boolean logistic = code == org.tensorflow.lite.schema.BuiltinOperator.LOGISTIC;
            Path model = tmp.resolve(code + ".tflite");
            Files.write(model, unaryModel(code, 0.05f, 3, logistic ? 1f / 256 : 1f / 128, logistic ? -128 : 0));
            byte[] all = new byte[256];
            for (int i = 0; i < 256; i++) all[i] = (byte) (i - 128);
            Path in = tmp.resolve(code + ".bin");
            Files.write(in, all);
            long[] theirs = TfliteRun.run(model, List.of(in)).get(0);
            long[] codes = new long[256];
            for (int i = 0; i < 256; i++) codes[i] = i - 128;
            long[] ours = Interpreter.prepare(TfliteFixtures.load(model)).run(List.of(Tensor.ofLongs(nncc.ir.DType.I8, nncc.ir.Shape.of(1, 256), codes))).get(0).toLongs();
            TfliteRun.Agreement a = TfliteRun.Agreement.of(ours, theirs);
            long exact = java.util.stream.IntStream.range(0, 256).filter(i -> ours[i] == theirs[i]).count();
            System.out.println((logistic ? "LOGISTIC" : "TANH") + " int8, all 256 codes vs TFLite runtime: " + a + ", " + exact + " exact");
            // the reader's table is TFLite's own (PopulateLookupTable), so the runtime's results are equal, not just close
            assertArrayEquals(theirs, ours, (logistic ? "LOGISTIC" : "TANH") + ": " + a);
        }
    }

    /** A one-op int8 model [1,256] -> [1,256] of builtin {@code code}. */
    private static byte[] unaryModel(int code, float inScale, long inZp, float outScale, long outZp) {
        var m = new ModelT();
        m.setVersion(3);
        var oc = new org.tensorflow.lite.schema.OperatorCodeT();
        oc.setBuiltinCode(code);
        oc.setDeprecatedBuiltinCode((byte) code);
        oc.setVersion(2);
        m.setOperatorCodes(new org.tensorflow.lite.schema.OperatorCodeT[] {oc});
        m.setBuffers(new org.tensorflow.lite.schema.BufferT[] {new org.tensorflow.lite.schema.BufferT()});
        var g = new SubGraphT();
        g.setTensors(new org.tensorflow.lite.schema.TensorT[] {int8Tensor("x", inScale, inZp), int8Tensor("y", outScale, outZp)});
        var op = new OperatorT();
        op.setOpcodeIndex(0);
        op.setInputs(new int[] {0});
        op.setOutputs(new int[] {1});
        g.setOperators(new OperatorT[] {op});
        g.setInputs(new int[] {0});
        g.setOutputs(new int[] {1});
        m.setSubgraphs(new SubGraphT[] {g});
        FlatBufferBuilder fb = new FlatBufferBuilder();
        Model.finishModelBuffer(fb, Model.pack(fb, m));
        return fb.sizedByteArray();
    }

    private static org.tensorflow.lite.schema.TensorT int8Tensor(String name, float scale, long zp) {
        var t = new org.tensorflow.lite.schema.TensorT();
        t.setName(name);
        t.setShape(new int[] {1, 256});
        t.setType(org.tensorflow.lite.schema.TensorType.INT8);
        var q = new org.tensorflow.lite.schema.QuantizationParametersT();
        q.setScale(new float[] {scale});
        q.setZeroPoint(new long[] {zp});
        t.setQuantization(q);
        return t;
    }

    @Test
    void floatHelloWorldAgreesWithTheRuntime() throws Exception {
        Path model = TfliteFixtures.dir().resolve("hello_world_float.tflite");
        Interpreter interpreter = Interpreter.prepare(TfliteFixtures.load(model));
        int n = 100;
        ByteBuffer bytes = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        double worst = 0;
        float[] ours = new float[n];
        for (int i = 0; i < n; i++) {
            float x = (float) (2 * Math.PI * i / n);
            bytes.putFloat(x);
            ours[i] = interpreter.run(List.of(Tensor.ofFloats(nncc.ir.Shape.of(1, 1), x))).get(0).toFloats()[0];
        }
        Path in = tmp.resolve("x.bin");
        Files.write(in, bytes.array());
        String json = TfliteRun.runRaw(model, List.of(in));
        double[] theirs = TfliteRun.floats(json);
        for (int i = 0; i < n; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
        System.out.println("hello_world_float vs TFLite runtime, 100 inputs: max |diff| " + worst);
        // float32 sums of 16 products in another order: a few ulps of values near 1
        assertTrue(worst <= 1e-5, "max |diff| " + worst);
    }

    @Test
    void everyMobileNetV2OpTypeAgreesWithTheRuntimeWithinOneLsb() throws Exception {
        Path model = TfliteFixtures.dir().resolve("mobilenet_v2_quantized_1x3x224x224.tflite");
        assertEveryOpKindWithinOneLsb(model, tmp);
        TfliteRun.Agreement whole = compare(model, TfliteFixtures.load(model), 2, 11, tmp);
        TfliteRun.Agreement single = compare(model, nncc.tpu.TfliteImporter.load(Files.readAllBytes(model), model.toString(),
                nncc.ir.Rounding.SINGLE_ROUND), 2, 11, tmp);
        // Not asserted: each op alone agrees with the runtime on all but a few elements in a million when nncc rounds
        // once (XNNPACK's float32 requantization differs only at float ties), but random noise through this
        // ImageNet network amplifies each such 1 LSB (measured with prefixes of the model on one random input: 99.8 %
        // exact after op 14, 46 % after op 56, 17 % at the logits), so end to end stays far from 99.9 % either way.
        // Read with XNNPACK's float32 conv/FC requantization (onnx_float32; every conv alone is then bit-exact, asserted
        // above) it reaches about 74 %: what remains is XNNPACK's own fixed-point ADD, which nncc does not model yet.
        TfliteRun.Agreement floatLinear = compare(model, nncc.tpu.TfliteImporter.load(Files.readAllBytes(model), model.toString(),
                nncc.ir.Rounding.ONNX_FLOAT32), 2, 11, tmp);
        System.out.println("mobilenet_v2 end to end vs TFLite runtime (XNNPACK), 2 random int8 inputs: double rounding " + whole
                + "; single rounding " + single + "; float32 conv/FC requantization " + floatLinear);
    }

    /** Each kind of op in {@code model} (builtin code and stride), alone on random int8 inputs: nncc's reader vs the runtime. */
    static void assertEveryOpKindWithinOneLsb(Path model, Path tmp) throws Exception {
        ModelT m = Model.getRootAsModel(ByteBuffer.wrap(Files.readAllBytes(model)).order(ByteOrder.LITTLE_ENDIAN)).unpack();
        Map<String, Integer> firstOfKind = new LinkedHashMap<>();
        OperatorT[] ops = m.getSubgraphs()[0].getOperators();
        for (int i = 0; i < ops.length; i++) {
            var code = m.getOperatorCodes()[(int) ops[i].getOpcodeIndex()];
            String kind = org.tensorflow.lite.schema.BuiltinOperator.name(Math.max(code.getBuiltinCode(), code.getDeprecatedBuiltinCode()))
                    + describeOptions(ops[i]);
            firstOfKind.putIfAbsent(kind, i);
        }
        assertTrue(firstOfKind.size() >= 4, "op kinds found: " + firstOfKind.keySet());
        for (var e : firstOfKind.entrySet()) {
            Path single = tmp.resolve(model.getFileName() + ".op" + e.getValue() + ".tflite");
            Files.write(single, singleOp(model, e.getValue()));
            TfliteRun.Agreement a = compare(single, TfliteFixtures.load(single), 1, e.getValue(), tmp);
            System.out.println(model.getFileName() + " op " + e.getValue() + " (" + e.getKey() + ") alone vs TFLite runtime: " + a);
            if (e.getKey().startsWith("CONV_2D") || e.getKey().startsWith("DEPTHWISE_CONV_2D") || e.getKey().startsWith("FULLY_CONNECTED")) {
                // read with XNNPACK's float32 requantization (onnx_float32), a convolution equals the runtime exactly
                double exact = exactShare(single, nncc.tpu.TfliteImporter.load(Files.readAllBytes(single), single.toString(),
                        nncc.ir.Rounding.ONNX_FLOAT32), e.getValue(), tmp);
                System.out.println(model.getFileName() + " op " + e.getValue() + " (" + e.getKey() + ") with float32 requantization: "
                        + String.format(java.util.Locale.ROOT, "%.4f %% exact", 100 * exact));
                assertEquals(1.0, exact, "op " + e.getValue() + " read with onnx_float32 equals the runtime bit for bit");
            }
            assertTrue(a.withinOne() >= 0.999, "op " + e.getValue() + ": " + a);
        }
    }

    /** The options that change an op's kernel path: stride and kind of options table, enough to pick variants. */
    private static String describeOptions(OperatorT op) {
        Object o = op.getBuiltinOptions() == null ? null : op.getBuiltinOptions().getValue();
        if (o instanceof org.tensorflow.lite.schema.DepthwiseConv2DOptionsT d) return " stride " + d.getStrideH();
        if (o instanceof org.tensorflow.lite.schema.Conv2DOptionsT c) return " stride " + c.getStrideH();
        return "";
    }

    /** A copy of {@code model} holding only op {@code index}, its non-constant inputs made graph inputs. */
    static byte[] singleOp(Path model, int index) throws IOException {
        ModelT m = Model.getRootAsModel(ByteBuffer.wrap(Files.readAllBytes(model)).order(ByteOrder.LITTLE_ENDIAN)).unpack();
        SubGraphT g = m.getSubgraphs()[0];
        OperatorT op = g.getOperators()[index];
        g.setOperators(new OperatorT[] {op});
        List<Integer> inputs = new ArrayList<>();
        for (int t : op.getInputs())
            if (t >= 0 && m.getBuffers()[(int) g.getTensors()[t].getBuffer()].getData().length == 0) inputs.add(t);
        g.setInputs(inputs.stream().mapToInt(Integer::intValue).toArray());
        g.setOutputs(new int[] {op.getOutputs()[0]});
        FlatBufferBuilder fb = new FlatBufferBuilder();
        Model.finishModelBuffer(fb, Model.pack(fb, m));
        return fb.sizedByteArray();
    }

    /** Runs {@code samples} random int8 inputs through nncc and the runtime; agreement of the first output. */
    /** The share of outputs equal to the runtime's, for a one-input model on one random int8 input. */
    static double exactShare(Path model, Graph g, long seed, Path tmp) throws Exception {
        Value in = g.inputs().get(0);
        int n = (int) in.type().shape().numElements();
        byte[] all = new byte[n];
        new Random(seed).nextBytes(all);
        long[] codes = new long[n];
        for (int i = 0; i < n; i++) codes[i] = all[i];
        Path f = tmp.resolve(model.getFileName() + ".exact.bin");
        Files.write(f, all);
        long[] ours = Interpreter.prepare(g).run(List.of(Tensor.ofLongs(in.type().dtype(), in.type().shape(), codes))).get(0).toLongs();
        long[] theirs = TfliteRun.run(model, List.of(f)).get(0);
        assertEquals(ours.length, theirs.length);
        long exact = 0;
        for (int i = 0; i < ours.length; i++) if (ours[i] == theirs[i]) exact++;
        return (double) exact / ours.length;
    }

    static TfliteRun.Agreement compare(Path model, Graph g, int samples, long seed, Path tmp) throws Exception {
        Random rnd = new Random(seed);
        List<Path> files = new ArrayList<>();
        List<List<Tensor>> perSample = new ArrayList<>();
        for (int s = 0; s < samples; s++) perSample.add(new ArrayList<>());
        for (int k = 0; k < g.inputs().size(); k++) {
            Value in = g.inputs().get(k);
            assertEquals(nncc.ir.DType.I8, in.type().dtype(), "input " + in.name());
            int n = (int) in.type().shape().numElements();
            byte[] all = new byte[n * samples];
            rnd.nextBytes(all);
            for (int s = 0; s < samples; s++) {
                long[] codes = new long[n];
                for (int i = 0; i < n; i++) codes[i] = all[s * n + i];
                perSample.get(s).add(Tensor.ofLongs(in.type().dtype(), in.type().shape(), codes));
            }
            Path f = tmp.resolve(model.getFileName() + ".in" + k + ".bin");
            Files.write(f, all);
            files.add(f);
        }
        Interpreter interpreter = Interpreter.prepare(g);
        List<Long> ours = new ArrayList<>();
        for (List<Tensor> in : perSample) for (long v : interpreter.run(in).get(0).toLongs()) ours.add(v);
        long[] theirs = TfliteRun.run(model, files).get(0);
        return TfliteRun.Agreement.of(ours.stream().mapToLong(Long::longValue).toArray(), theirs);
    }
}
