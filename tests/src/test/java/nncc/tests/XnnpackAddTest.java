package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.QAdd;
import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;
import nncc.tpu.TfliteImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.AddOptionsT;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.SubOptionsT;
import org.tensorflow.lite.schema.TensorT;

/**
 * The TFLite runtime's int8 ADD and SUB (XNNPACK's {@code qs8-vadd}, parameters from
 * {@code xnn_init_qs8_add_minmax_scalar_params}) against nncc's import in the runtime's arithmetic
 * ({@code TfliteImporter.load(.., Rounding.ONNX_FLOAT32)}): one-op models on every pair of int8 inputs (65,536 elements),
 * bit for bit. {@link #xnnpack} is the test's own statement of XNNPACK's formula, written from its source, independent of
 * the importer's numbers.
 */
class XnnpackAddTest {
    @TempDir Path tmp;

    /** Scale triples (a, b, out) and zero points: random ones, a ratio at 2^-10, one just below 2^8, a multiplier of 2^21. */
    private static List<float[]> cases(long seed, int random) {
        Random r = new Random(seed);
        List<float[]> c = new ArrayList<>();
        c.add(new float[] {0.02703838f, -3, 0.028132502f, -1, 0.035842497f, -3}); // the fixture MobileNetV2's first ADD
        c.add(new float[] {0x1.0p-10f * 0.5f, 5, 0.3f, -7, 0.5f, 2});
        // power-of-two output scales keep the ratios exact
        c.add(new float[] {Math.nextDown(256f) * 0x1.0p-7f, 0, 0.02f, 9, 0x1.0p-7f, -1});
        c.add(new float[] {Math.nextDown(2f) * 0.0625f, -20, 0.0625f * 0.37f, 17, 0.0625f, 4});
        for (int i = 0; i < random; i++) {
            float sy = (float) Math.pow(2, -8 + 6 * r.nextDouble());
            float ra = (float) Math.pow(2, -9 + 16 * r.nextDouble()), rb = (float) Math.pow(2, -9 + 16 * r.nextDouble());
            c.add(new float[] {ra * sy, r.nextInt(256) - 128, rb * sy, r.nextInt(256) - 128, sy, r.nextInt(256) - 128});
        }
        return c;
    }

    @Test
    void importedAddComputesXnnpacksFormulaOnEveryInputPair() {
        byte[] a = new byte[65536], b = new byte[65536];
        allPairs(a, b);
        int checked = 0;
        for (float[] c : cases(3, 200)) {
            for (boolean subtract : new boolean[] {false, true}) {
                int activation = checked % 3 == 0 ? 1 : 0; // RELU on every third case
                byte[] file = binaryModel(subtract, c, activation);
                Graph g = TfliteImporter.load(file, "add.tflite", Rounding.ONNX_FLOAT32);
                QAdd q = (QAdd) g.nodes().stream().filter(n -> n.op() instanceof QAdd).findFirst().orElseThrow().op();
                assertEquals(Rounding.SINGLE_ROUND, q.rounding());
                long[] ours = run(g, a, b);
                int lo = activation == 1 ? Math.max(-128, (int) c[5]) : -128;
                for (int i = 0; i < ours.length; i++) {
                    int want = xnnpack(a[i], b[i], c, subtract, lo, 127);
                    if (ours[i] != want)
                        throw new AssertionError(String.format(Locale.ROOT, "%s of a=%d b=%d with scales %s: nncc %d, XNNPACK %d",
                                subtract ? "SUB" : "ADD", a[i], b[i], java.util.Arrays.toString(c), ours[i], want));
                }
                checked++;
            }
        }
        assertEquals(2 * 204, checked);
    }

    @Test
    void theRuntimeComputesXnnpacksAddAndNnccReadsItBitForBit() throws Exception {
        byte[] a = new byte[65536], b = new byte[65536];
        allPairs(a, b);
        Path fa = tmp.resolve("a.bin"), fb = tmp.resolve("b.bin");
        Files.write(fa, a);
        Files.write(fb, b);
        long referenceDiffers = 0, elements = 0;
        int models = 0;
        for (float[] c : cases(17, 4)) {
            for (boolean subtract : new boolean[] {false, true}) {
                Path model = tmp.resolve("m" + models++ + ".tflite");
                byte[] file = binaryModel(subtract, c, 0);
                Files.write(model, file);
                long[] runtime = TfliteRun.run(model, List.of(fa, fb)).get(0);
                long[] ours = run(TfliteImporter.load(file, model.toString(), Rounding.ONNX_FLOAT32), a, b);
                long[] reference = run(TfliteImporter.load(file, model.toString()), a, b);
                assertArrayEquals(runtime, ours, (subtract ? "SUB " : "ADD ") + java.util.Arrays.toString(c));
                for (int i = 0; i < runtime.length; i++) if (reference[i] != runtime[i]) referenceDiffers++;
                elements += runtime.length;
            }
        }
        System.out.printf(Locale.ROOT, "int8 ADD/SUB, %d models x 65,536 input pairs: nncc (runtime arithmetic) == tflite-run on all;"
                + " TFLite's reference arithmetic differs on %d of %d (%.4f %%)%n", models, referenceDiffers, elements, 100.0 * referenceDiffers / elements);
        assertTrue(referenceDiffers > 0, "the reference never differed from the runtime: the test would show nothing");
    }

    @Test
    void broadcastingAddAndSubEqualTheRuntime() throws Exception {
        // one operand per channel ([1,1,1,C]): XNNPACK's qs8-vaddc kernels, the same arithmetic
        for (boolean subtract : new boolean[] {false, true}) {
            Path model = tmp.resolve((subtract ? "sub" : "add") + "_broadcast.tflite");
            Files.write(model, binaryModel(subtract, new float[] {0.031f, 5, 0.047f, -9, 0.052f, 3}, 0, new int[] {1, 16, 16, 32}, new int[] {1, 1, 1, 32}));
            long[][] r = TfliteRuntimeCrossCheckTest.outputs(model, TfliteImporter.load(Files.readAllBytes(model), model.toString(),
                    Rounding.ONNX_FLOAT32), 50, 5, tmp);
            assertArrayEquals(r[1], r[0], (subtract ? "SUB" : "ADD") + " with a per-channel operand, 50 random inputs");
        }
    }

    @Test
    void anAddXnnpackRefusesRunsOnTflitesKernelInDoubleRounding() throws Exception {
        // rA = 0.0002 / 0.3 < 2^-10: the delegate leaves the ADD to TFLite's own kernel (reference double rounding)
        float[] c = {0.0002f, 3, 0.02f, -5, 0.3f, 7};
        byte[] a = new byte[65536], b = new byte[65536];
        allPairs(a, b);
        Path fa = tmp.resolve("a.bin"), fb = tmp.resolve("b.bin"), model = tmp.resolve("small.tflite");
        Files.write(fa, a);
        Files.write(fb, b);
        byte[] file = binaryModel(false, c, 0);
        Files.write(model, file);
        long[] runtime = TfliteRun.run(model, List.of(fa, fb)).get(0);
        Graph g = TfliteImporter.load(file, model.toString(), Rounding.ONNX_FLOAT32);
        QAdd q = (QAdd) g.nodes().stream().filter(n -> n.op() instanceof QAdd).findFirst().orElseThrow().op();
        assertEquals(Rounding.DOUBLE_ROUND, q.rounding());
        assertArrayEquals(runtime, run(g, a, b));
        long[] single = run(TfliteImporter.load(file, model.toString(), Rounding.SINGLE_ROUND), a, b);
        long differ = 0;
        for (int i = 0; i < single.length; i++) if (single[i] != runtime[i]) differ++;
        System.out.println("ADD outside XNNPACK's scale range: double rounding == tflite-run on all 65,536 pairs; single rounding differs on " + differ);
        assertTrue(differ > 0, "single rounding equals the runtime too: the case does not tell the roundings apart");
    }

    @Test
    void theXnnpackFormOfQAddRoundTripsThroughTheTextIr() {
        byte[] file = binaryModel(true, new float[] {0.05f, 3, 0.02f, -9, 0.04f, 1}, 1);
        Graph g = TfliteImporter.load(file, "sub.tflite", Rounding.ONNX_FLOAT32);
        TextRoundTrip.check(g, "xnnpack_sub");
        String text = IrPrinter.print(g);
        assertTrue(text.contains("leftShift = 22") && text.contains("rounding = single_round") && text.contains("subtract = true"), text);
        byte[] a = new byte[65536], b = new byte[65536];
        allPairs(a, b);
        assertArrayEquals(run(g, a, b), run(IrParser.parse(text, "xnnpack_sub.nnir"), a, b));
    }

    /**
     * XNNPACK's qs8 add as its source states it: ratios in float32, shift {@code 20 - exponent} of the larger, multipliers
     * {@code lrintf} of the ratio with {@code shift} added to its exponent bits, bias {@code 2^(shift-1) - mA*zA - mB*zB},
     * {@code (bias + a*mA + b*mB) >> shift} in int32, clamped relative to the output zero point.
     */
    static int xnnpack(int a, int b, float[] c, boolean subtract, int outMin, int outMax) {
        float ra = c[0] / c[4], rb = (subtract ? -c[2] : c[2]) / c[4];
        float max = Math.max(Math.abs(ra), Math.abs(rb));
        int shift = 20 - ((Float.floatToRawIntBits(max) >>> 23) - 127);
        int ma = (int) Math.rint(Float.intBitsToFloat(Float.floatToRawIntBits(Math.abs(ra)) + (shift << 23)));
        int mb = (int) Math.rint(Float.intBitsToFloat(Float.floatToRawIntBits(Math.abs(rb)) + (shift << 23)));
        if (ra < 0) ma = -ma;
        if (rb < 0) mb = -mb;
        int zy = (int) c[5];
        int bias = (1 << (shift - 1)) - ma * (int) c[1] - mb * (int) c[3];
        int out = (bias + a * ma + b * mb) >> shift;
        return Math.min(Math.max(out, outMin - zy), outMax - zy) + zy;
    }

    private static void allPairs(byte[] a, byte[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) ((i >> 8) - 128);
            b[i] = (byte) ((i & 255) - 128);
        }
    }

    private static long[] run(Graph g, byte[] a, byte[] b) {
        Shape s = g.inputs().get(0).type().shape();
        return Interpreter.prepare(g).run(List.of(codes(s, a), codes(s, b))).get(0).toLongs();
    }

    private static Tensor codes(Shape s, byte[] v) {
        long[] c = new long[v.length];
        for (int i = 0; i < v.length; i++) c[i] = v[i];
        return Tensor.ofLongs(DType.I8, s, c);
    }

    /** A one-op int8 ADD (or SUB) of two [1,64,32,32] inputs; {@code c} = sA, zA, sB, zB, sOut, zOut; fused activation code. */
    static byte[] binaryModel(boolean subtract, float[] c, int activation) {
        return binaryModel(subtract, c, activation, new int[] {1, 64, 32, 32}, new int[] {1, 64, 32, 32});
    }

    /** The same op with input shapes {@code shapeA} (also the output's) and {@code shapeB} (broadcast to it). */
    static byte[] binaryModel(boolean subtract, float[] c, int activation, int[] shapeA, int[] shapeB) {
        TensorT[] tensors = {OneOpTflite.int8("a", shapeA, c[0], (long) c[1]), OneOpTflite.int8("b", shapeB, c[2], (long) c[3]),
            OneOpTflite.int8("y", shapeA, c[4], (long) c[5])};
        BuiltinOptionsUnion u = new BuiltinOptionsUnion();
        if (subtract) {
            SubOptionsT o = new SubOptionsT();
            o.setFusedActivationFunction((byte) activation);
            u.setType(BuiltinOptions.SubOptions);
            u.setValue(o);
        } else {
            AddOptionsT o = new AddOptionsT();
            o.setFusedActivationFunction((byte) activation);
            u.setType(BuiltinOptions.AddOptions);
            u.setValue(o);
        }
        return OneOpTflite.model(subtract ? BuiltinOperator.SUB : BuiltinOperator.ADD, 2, new BufferT[] {new BufferT()}, tensors,
                new int[] {0, 1}, 2, new int[] {0, 1}, u);
    }
}
