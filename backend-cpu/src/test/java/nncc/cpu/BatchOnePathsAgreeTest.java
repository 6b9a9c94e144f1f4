package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Activation;
import nncc.ir.op.Conv;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The batch-1 Vector API paths of small CNNs (the fashion CNN's shapes and their neighbours) against the scalar reference
 * kernels, compared bit for bit (tolerance 0 that also tells -0 from +0): Relu, and the polyphase convolution's
 * in-place column matrix on one and two threads (the threads split the output channels at panels of 4 rows).
 */
class BatchOnePathsAgreeTest {
    @BeforeAll
    static void vectorModulePresent() {
        assertTrue(KernelSet.vectorAvailable(), "jdk.incubator.vector is missing: surefire must run with --add-modules jdk.incubator.vector");
    }

    @Test
    void reluAgreesBitForBitIncludingNaNAndNegativeZero() {
        Random r = new Random(31);
        for (int trial = 0; trial < 30; trial++) {
            int n = 1 + r.nextInt(70);
            float[] f = new float[n];
            for (int i = 0; i < n; i++) f[i] = switch (r.nextInt(5)) { case 0 -> Float.NaN; case 1 -> -0f; default -> (float) r.nextGaussian(); };
            assertSameBits(new nncc.ir.op.Relu(), 1, "relu n=" + n, Tensor.ofFloats(Shape.of(1, n), f));
        }
    }

    /** 3x3 pad 1 and other windows, 1 to 20 input channels, output channels not a multiple of 4, maps from 1x1 to 30x30. */
    @Test
    void polyphaseConvolutionsAgreeOnOneAndTwoThreads() {
        Random r = new Random(32);
        for (int trial = 0; trial < 40; trial++) {
            int channels = trial % 4 == 0 ? 1 : 1 + r.nextInt(20), outChannels = 1 + r.nextInt(37);
            int k = trial % 3 == 0 ? 1 + r.nextInt(5) : 3, pad = trial % 3 == 0 ? r.nextInt(3) : 1, stride = trial % 5 == 0 ? 2 : 1;
            int h = k + r.nextInt(28), w = k + r.nextInt(28);
            Conv op = new Conv(List.of(stride, stride), List.of(pad, pad, pad, pad), List.of(1, 1), 1,
                    r.nextBoolean() ? Activation.NONE : Activation.RELU);
            Tensor x = KernelSetsAgreeTest.floats(r, 1, channels, h, w), wt = KernelSetsAgreeTest.floats(r, outChannels, channels, k, k);
            String what = "conv trial " + trial + ": " + channels + "->" + outChannels + ", " + k + "x" + k + " on " + h + "x" + w;
            assertSameBits(op, 1, what, x, wt, KernelSetsAgreeTest.floats(r, outChannels));
            assertSameBits(op, 2, what + " on 2 threads", x, wt, KernelSetsAgreeTest.floats(r, outChannels));
            assertSameBits(op, 1, what + " without bias", x, wt);
        }
    }

    /** QConv at batch 1 (the polyphase product handing each channel's plane to the requantization), on 1 and 2 threads. */
    @Test
    void polyphaseQConvAgreesOnOneAndTwoThreads() {
        Random r = new Random(34);
        for (int trial = 0; trial < 30; trial++) {
            int channels = trial % 4 == 0 ? 1 : 1 + r.nextInt(20), outChannels = 1 + r.nextInt(37), k = trial % 3 == 0 ? 1 + r.nextInt(4) : 3;
            int pad = trial % 3 == 0 ? r.nextInt(2) : 1, h = k + r.nextInt(28), w = k + r.nextInt(28);
            List<Integer> mult = new java.util.ArrayList<>(), shift = new java.util.ArrayList<>();
            for (int c = 0; c < outChannels; c++) { mult.add((1 << 30) + r.nextInt(1 << 30)); shift.add(-2 - r.nextInt(10)); }
            nncc.ir.op.QConv op = new nncc.ir.op.QConv(List.of(1, 1), List.of(pad, pad, pad, pad), List.of(1, 1), 1, r.nextInt(256) - 128, mult, shift,
                    r.nextInt(21) - 10, 0.1f, DType.I8, -128 + r.nextInt(100), 127, r.nextBoolean() ? nncc.ir.Rounding.DOUBLE_ROUND : nncc.ir.Rounding.SINGLE_ROUND);
            Tensor x = KernelSetsAgreeTest.int8(r, 1, channels, h, w), wt = KernelSetsAgreeTest.int8(r, outChannels, channels, k, k);
            Tensor bias = Tensor.ofLongs(DType.I32, Shape.of(outChannels), r.longs(outChannels, -5000, 5000).toArray());
            TestGraphs.Builder b = new TestGraphs.Builder();
            Graph g = b.output(b.node(op, "y", b.input("x", DType.I8, x.shape()), b.constant("w", wt), b.constant("b", bias)));
            long[] scalar = new Interpreter(g, KernelSet.SCALAR).run(List.of(x)).get(0).toLongs();
            for (int threads = 1; threads <= 2; threads++)
                org.junit.jupiter.api.Assertions.assertArrayEquals(scalar, new Interpreter(g, KernelSet.VECTOR, threads).run(List.of(x)).get(0).toLongs(),
                        "qconv trial " + trial + " on " + threads + " thread(s): " + channels + "->" + outChannels + ", " + k + "x" + k + " on " + h + "x" + w);
        }
    }

    /** QGemm with few rows: the byte-weight matrix-vector product, every output count around the vector widths, i8 and u8 input. */
    @Test
    void fewRowQGemmAgreesBitForBit() {
        Random r = new Random(33);
        for (int trial = 0; trial < 40; trial++) {
            int n = 1 + r.nextInt(trial % 2 == 0 ? 1 : 7), k = 1 + r.nextInt(trial % 4 == 0 ? 2000 : 100), m = 1 + r.nextInt(80);
            List<Integer> mult = new java.util.ArrayList<>(), shift = new java.util.ArrayList<>();
            for (int j = 0; j < m; j++) { mult.add((1 << 30) + r.nextInt(1 << 30)); shift.add(-4 - r.nextInt(12)); }
            boolean unsigned = r.nextBoolean();
            nncc.ir.op.QGemm op = new nncc.ir.op.QGemm(unsigned ? r.nextInt(256) : r.nextInt(256) - 128, mult, shift, r.nextInt(21) - 10, 0.1f,
                    DType.I8, -128 + r.nextInt(100), 127, r.nextBoolean() ? nncc.ir.Rounding.DOUBLE_ROUND : nncc.ir.Rounding.SINGLE_ROUND);
            Tensor x = unsigned ? KernelSetsAgreeTest.uint8(r, n, k) : KernelSetsAgreeTest.int8(r, n, k);
            Tensor w = KernelSetsAgreeTest.int8(r, m, k), bias = Tensor.ofLongs(DType.I32, Shape.of(m), r.longs(m, -50000, 50000).toArray());
            String what = "qgemm trial " + trial + ": n=" + n + " k=" + k + " m=" + m;
            if (r.nextBoolean()) KernelSetsAgreeTest.assertAgree(op, what, x, w, bias);
            else KernelSetsAgreeTest.assertAgree(op, what + " without bias", x, w);
        }
    }

    /** Runs {@code op} (input 0 fed, the rest constant) under the scalar set and the vector set on {@code threads}; same bits. */
    private static void assertSameBits(nncc.ir.op.Op op, int threads, String what, Tensor x, Tensor... constants) {
        TestGraphs.Builder b = new TestGraphs.Builder();
        List<nncc.ir.Value> in = new java.util.ArrayList<>();
        in.add(b.input("x", DType.F32, x.shape()));
        for (int i = 0; i < constants.length; i++) in.add(b.constant("c" + i, constants[i]));
        Graph g = b.output(b.node(op, "y", in.toArray(new nncc.ir.Value[0])));
        float[] scalar = new Interpreter(g, KernelSet.SCALAR).run(List.of(x)).get(0).toFloats();
        Interpreter vector = new Interpreter(g, KernelSet.VECTOR, threads);
        for (int run = 0; run < 2; run++) { // the second run reuses the output and scratch arrays
            float[] got = vector.run(List.of(x)).get(0).toFloats();
            assertEquals(scalar.length, got.length, what);
            for (int i = 0; i < scalar.length; i++)
                assertEquals(Float.floatToRawIntBits(scalar[i]), Float.floatToRawIntBits(got[i]), what + ", run " + run + ", element " + i + ": " + scalar[i] + " vs " + got[i]);
        }
    }
}
