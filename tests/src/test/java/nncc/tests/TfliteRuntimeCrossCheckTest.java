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
 * The runtime computes int8 ops with XNNPACK, whose fp32 requantization and fixed-point ADD differ from TFLite's
 * reference arithmetic (nncc's default import) by 1 LSB on a few elements per layer; through a deep network such
 * differences compound, so in the reference arithmetic MobileNetV2 is checked op by op (each op type alone, on the same
 * inputs). Read in the runtime's arithmetic ({@code TfliteImporter.load(.., Rounding.ONNX_FLOAT32)}) MobileNetV2 and
 * micro_speech equal the runtime end to end.
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
        assertEveryOpKindWithinOneLsb(TfliteFixtures.dir().resolve("mobilenet_v2_quantized_1x3x224x224.tflite"), tmp);
    }

    @Test
    void mobileNetV2ReadInTheRuntimesArithmeticEqualsTheRuntimeEndToEnd() throws Exception {
        // Read with the runtime's arithmetic (onnx_float32: XNNPACK's float32 conv/FC requantization and its fixed-point
        // ADD, XnnpackAddTest) every element equals the runtime. In TFLite's reference arithmetic each op alone is within
        // 1 LSB, but random noise through this ImageNet network amplifies each 1 LSB (measured with prefixes of the model
        // on one random input: 99.8 % exact after op 14, 46 % after op 56, 17 % at the logits), so end to end it is far
        // from 99.9 %; so was the float32 conv/FC requantization with TFLite's ADD (74 % within 1 LSB on 2 inputs).
        Path model = TfliteFixtures.dir().resolve("mobilenet_v2_quantized_1x3x224x224.tflite");
        int samples = 8;
        long[][] runtime = outputs(model, nncc.tpu.TfliteImporter.load(Files.readAllBytes(model), model.toString(),
                nncc.ir.Rounding.ONNX_FLOAT32), samples, 11, tmp);
        TfliteRun.Agreement a = TfliteRun.Agreement.of(runtime[0], runtime[1]);
        double exact = exactShare(runtime[0], runtime[1]);
        long[][] reference = outputs(model, TfliteFixtures.load(model), samples, 11, tmp);
        System.out.printf(java.util.Locale.ROOT, "mobilenet_v2 end to end vs TFLite runtime (XNNPACK), %d random int8 inputs: runtime arithmetic %s,"
                + " %.4f %% exact; TFLite reference arithmetic %s, %.4f %% exact%n", samples, a, 100 * exact,
                TfliteRun.Agreement.of(reference[0], reference[1]), 100 * exactShare(reference[0], reference[1]));
        assertTrue(a.withinOne() >= 0.999, "mobilenet_v2 (runtime arithmetic): " + a);
        assertEquals(1.0, exact, "mobilenet_v2 read in the runtime's arithmetic equals the runtime bit for bit: " + a);
    }

    @Test
    void microSpeechReadInTheRuntimesArithmeticEqualsTheRuntime() throws Exception {
        Path model = TfliteFixtures.dir().resolve("micro_speech_quantized.tflite");
        long[][] r = outputs(model, nncc.tpu.TfliteImporter.load(Files.readAllBytes(model), model.toString(),
                nncc.ir.Rounding.ONNX_FLOAT32), 500, 7, tmp);
        long[][] reference = outputs(model, TfliteFixtures.load(model), 500, 7, tmp);
        System.out.printf(java.util.Locale.ROOT, "micro_speech vs TFLite runtime, 500 random int8 inputs: runtime arithmetic %s, %.4f %% exact;"
                + " TFLite reference arithmetic %s, %.4f %% exact%n", TfliteRun.Agreement.of(r[0], r[1]), 100 * exactShare(r[0], r[1]),
                TfliteRun.Agreement.of(reference[0], reference[1]), 100 * exactShare(reference[0], reference[1]));
        assertArrayEquals(r[1], r[0], "micro_speech read in the runtime's arithmetic");
    }

    private static double exactShare(long[] a, long[] b) {
        assertEquals(a.length, b.length);
        long n = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) n++;
        return a.length == 0 ? 1 : (double) n / a.length;
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
            // read in the runtime's arithmetic (onnx_float32: XNNPACK's float32 conv/FC requantization, its fixed-point ADD)
            // every op equals the runtime exactly
            long[][] r = outputs(single, nncc.tpu.TfliteImporter.load(Files.readAllBytes(single), single.toString(),
                    nncc.ir.Rounding.ONNX_FLOAT32), 1, e.getValue(), tmp);
            double exact = exactShare(r[0], r[1]);
            System.out.println(model.getFileName() + " op " + e.getValue() + " (" + e.getKey() + ") in the runtime's arithmetic: "
                    + String.format(java.util.Locale.ROOT, "%.4f %% exact", 100 * exact));
            assertEquals(1.0, exact, "op " + e.getValue() + " read with onnx_float32 equals the runtime bit for bit");
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
    static TfliteRun.Agreement compare(Path model, Graph g, int samples, long seed, Path tmp) throws Exception {
        long[][] r = outputs(model, g, samples, seed, tmp);
        return TfliteRun.Agreement.of(r[0], r[1]);
    }

    /** nncc's and the runtime's first output for {@code samples} random int8 inputs, all samples back to back. */
    static long[][] outputs(Path model, Graph g, int samples, long seed, Path tmp) throws Exception {
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
        return new long[][] {ours.stream().mapToLong(Long::longValue).toArray(), theirs};
    }
}
