package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import java.util.ArrayList;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.op.Activation;
import nncc.ir.op.Conv;
import nncc.ir.op.MaxPool;
import nncc.ir.op.QConv;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The special-case Vector API paths (2x2 pools, the small-map and direct convolutions) against the scalar reference
 * kernels on shapes chosen to hit them and their tails: floats with tolerance 0 (the same operations per element),
 * integers bit for bit.
 */
class FastPathsAgreeTest {
    @BeforeAll
    static void vectorModulePresent() {
        assertTrue(KernelSet.vectorAvailable(), "jdk.incubator.vector is missing: surefire must run with --add-modules jdk.incubator.vector");
    }

    @Test
    void pairMaxPoolAgreesWithScalarPool() {
        Random r = new Random(21);
        MaxPool pool = new MaxPool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), List.of(1, 1), false, 0);
        for (int trial = 0; trial < 40; trial++) {
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(5), h = 2 * (1 + r.nextInt(8)), w = 2 * (1 + r.nextInt(40));
            assertTrue(VectorPairPool.applies(WindowGeometry.of(new int[] {n, c, h, w}, new int[] {n, c, h / 2, w / 2}, new int[] {2, 2},
                    List.of(2, 2), List.of(0, 0, 0, 0), List.of(1, 1))));
            Tensor x = KernelSetsAgreeTest.floats(r, n, c, h, w);
            float[] f = x.toFloats();
            for (int i = 0; i < f.length; i += 1 + r.nextInt(50)) f[i] = switch (r.nextInt(3)) { case 0 -> Float.NaN; case 1 -> -0f; default -> 0f; };
            KernelSetsAgreeTest.assertAgree(pool, "f32 pool trial " + trial, Tensor.ofFloats(Shape.of(n, c, h, w), f));
            KernelSetsAgreeTest.assertAgree(pool, "i8 pool trial " + trial, KernelSetsAgreeTest.int8(r, n, c, h, w));
            KernelSetsAgreeTest.assertAgree(pool, "u8 pool trial " + trial, KernelSetsAgreeTest.uint8(r, n, c, h, w));
        }
    }

    /** Batch 1 (or maps of 2,048 outputs and more): the polyphase column matrix instead of im2col. */
    @Test
    void polyphaseConvolutionsAgreeWithIm2col() {
        Random r = new Random(22);
        for (int trial = 0; trial < 50; trial++) {
            int group = r.nextInt(4) == 0 ? 2 : 1, cg = 1 + r.nextInt(4), channels = cg * group, outChannels = group * (1 + r.nextInt(9));
            int kh = 1 + r.nextInt(3), kw = 1 + r.nextInt(3), stride = 1 + r.nextInt(2), dilation = 1 + r.nextInt(2), pad = r.nextInt(3);
            boolean large = trial % 5 == 0;
            int batch = large ? 2 : 1, h = large ? 48 : kh * dilation + r.nextInt(12), w = large ? 50 : kw * dilation + r.nextInt(40);
            Conv op = new Conv(List.of(stride, stride), List.of(pad, pad, pad, pad), List.of(dilation, dilation), group,
                    r.nextBoolean() ? Activation.NONE : Activation.RELU6);
            KernelSetsAgreeTest.assertAgree(op, "conv trial " + trial, KernelSetsAgreeTest.floats(r, batch, channels, h, w),
                    KernelSetsAgreeTest.floats(r, outChannels, cg, kh, kw), KernelSetsAgreeTest.floats(r, outChannels));
            List<Integer> mult = new ArrayList<>(), shift = new ArrayList<>();
            for (int c = 0; c < outChannels; c++) { mult.add((1 << 30) + r.nextInt(1 << 30)); shift.add(2 - r.nextInt(14)); }
            QConv qop = new QConv(List.of(stride, stride), List.of(pad, pad, pad, pad), List.of(dilation, dilation), group,
                    r.nextInt(256) - 128, mult, shift, r.nextInt(21) - 10, 0.1f, DType.I8, -128 + r.nextInt(100), 127,
                    r.nextBoolean() ? Rounding.DOUBLE_ROUND : Rounding.SINGLE_ROUND);
            Tensor bias = Tensor.ofLongs(DType.I32, Shape.of(outChannels), r.longs(outChannels, -5000, 5000).toArray());
            KernelSetsAgreeTest.assertAgree(qop, "qconv trial " + trial, KernelSetsAgreeTest.int8(r, batch, channels, h, w),
                    KernelSetsAgreeTest.int8(r, outChannels, cg, kh, kw), bias);
        }
    }

    /** Depthwise 3x3 (the register-held taps), strides 1 and 2 (the vector phase split), asymmetric pads, odd and even widths. */
    @Test
    void depthwiseConvolutionsAgree() {
        Random r = new Random(24);
        for (int trial = 0; trial < 60; trial++) {
            int channels = 1 + r.nextInt(6), stride = 1 + r.nextInt(2), batch = 1 + r.nextInt(2);
            int k = trial % 3 == 0 ? 1 + r.nextInt(5) : 3, dilation = trial % 7 == 0 ? 2 : 1;
            List<Integer> pads = List.of(r.nextInt(3), r.nextInt(3), r.nextInt(3), r.nextInt(3));
            int h = (k - 1) * dilation + 1 + r.nextInt(12), w = (k - 1) * dilation + 1 + r.nextInt(70);
            Conv op = new Conv(List.of(stride, stride), pads, List.of(dilation, dilation), channels, r.nextBoolean() ? Activation.NONE : Activation.RELU6);
            KernelSetsAgreeTest.assertAgree(op, "depthwise trial " + trial, KernelSetsAgreeTest.floats(r, batch, channels, h, w),
                    KernelSetsAgreeTest.floats(r, channels, 1, k, k), KernelSetsAgreeTest.floats(r, channels));
            List<Integer> mult = new ArrayList<>(), shift = new ArrayList<>();
            for (int c = 0; c < channels; c++) { mult.add((1 << 30) + r.nextInt(1 << 30)); shift.add(2 - r.nextInt(14)); }
            QConv qop = new QConv(List.of(stride, stride), pads, List.of(dilation, dilation), channels, r.nextInt(256) - 128, mult, shift,
                    r.nextInt(21) - 10, 0.1f, DType.I8, -128 + r.nextInt(100), 127, r.nextBoolean() ? Rounding.DOUBLE_ROUND : Rounding.SINGLE_ROUND);
            Tensor bias = Tensor.ofLongs(DType.I32, Shape.of(channels), r.longs(channels, -5000, 5000).toArray());
            KernelSetsAgreeTest.assertAgree(qop, "depthwise qconv trial " + trial, KernelSetsAgreeTest.int8(r, batch, channels, h, w),
                    KernelSetsAgreeTest.int8(r, channels, 1, k, k), bias);
        }
    }

    /**
     * Depthwise convolutions on small maps with enough channels for {@link DepthwiseLanes} (whole blocks of a vector's
     * lanes, the remaining channels on the per-channel path): strides 1 and 2, asymmetric pads, dilation, 3x3 and other
     * windows, batch 2, with and without bias; floats with tolerance 0.
     */
    @Test
    void depthwiseAcrossChannelsAgrees() {
        Random r = new Random(25);
        for (int trial = 0; trial < 40; trial++) {
            int lanes = DepthwiseLanes.L, channels = lanes * (1 + r.nextInt(3)) + (trial % 2 == 0 ? 0 : 1 + r.nextInt(lanes - 1));
            int stride = 1 + r.nextInt(2), batch = 1 + r.nextInt(2), k = trial % 4 == 0 ? 1 + r.nextInt(5) : 3, dilation = trial % 5 == 0 ? 2 : 1;
            List<Integer> pads = trial % 3 == 0 ? List.of(1, 1, 1, 1) : List.of(r.nextInt(3), r.nextInt(3), r.nextInt(3), r.nextInt(3));
            int h = (k - 1) * dilation + 1 + r.nextInt(stride == 1 ? 8 : 16), w = (k - 1) * dilation + 1 + r.nextInt(stride == 1 ? 8 : 16);
            Conv op = new Conv(List.of(stride, stride), pads, List.of(dilation, dilation), channels, r.nextBoolean() ? Activation.NONE : Activation.RELU6);
            Tensor x = KernelSetsAgreeTest.floats(r, batch, channels, h, w), weights = KernelSetsAgreeTest.floats(r, channels, 1, k, k);
            if (trial % 6 == 5) KernelSetsAgreeTest.assertAgree(op, "lanes trial " + trial + " (no bias)", x, weights);
            else KernelSetsAgreeTest.assertAgree(op, "lanes trial " + trial, x, weights, KernelSetsAgreeTest.floats(r, channels));
        }
    }

    /**
     * 1x1 convolutions whose product starts from the bias in registers and clamps before its store
     * ({@link VectorGemmFused#multiplyBiasClamp}): maps of whole vectors (blocks of 4, 3, 2 and 1) and of 3 vectors and one column (7x7 on 16 lanes),
     * depths across several k blocks, groups, batch 2, with and without bias, each fused activation; and next to them
     * shapes the fusion does not take (rows not a multiple of 4). Floats with tolerance 0.
     */
    @Test
    void pointwiseBiasAndClampInTheProductAgree() {
        Random r = new Random(27);
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        Activation[] acts = {Activation.NONE, Activation.RELU, Activation.RELU6};
        for (int trial = 0; trial < 36; trial++) {
            int positions = trial % 3 == 0 ? lanes * (1 + r.nextInt(9)) : 3 * lanes + 1, group = trial % 5 == 4 ? 2 : 1;
            int h = 1, w = positions;
            if (positions == 49) { h = 7; w = 7; }
            if (positions == 784) { h = 28; w = 28; }
            int cg = 1 + r.nextInt(trial % 2 == 0 ? 150 : 20), mg = VectorGemm.ROWS * (1 + r.nextInt(12)) + (trial % 7 == 6 ? 1 : 0);
            int batch = 1 + r.nextInt(2);
            Conv op = new Conv(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), group, acts[trial % 3]);
            Tensor x = KernelSetsAgreeTest.floats(r, batch, group * cg, h, w), weights = KernelSetsAgreeTest.floats(r, group * mg, cg, 1, 1);
            if (trial % 4 == 3) KernelSetsAgreeTest.assertAgree(op, "pointwise trial " + trial + " (no bias)", x, weights);
            else KernelSetsAgreeTest.assertAgree(op, "pointwise trial " + trial, x, weights, KernelSetsAgreeTest.floats(r, group * mg));
        }
    }

    /** The masked last lanes of the byte requantization: garbage past the run in the accumulators, bytes past it untouched. */
    @Test
    void requantizationTailMatchesScalarAndWritesNothingPastTheRun() {
        Random r = new Random(25);
        for (int trial = 0; trial < 300; trial++) {
            Rounding rounding = r.nextBoolean() ? Rounding.DOUBLE_ROUND : Rounding.SINGLE_ROUND;
            int multiplier = r.nextBoolean() ? Integer.MAX_VALUE : (1 << 30) + r.nextInt(1 << 30), shift = -20 + r.nextInt(22);
            Requantizer rq = Requantizer.of(List.of(multiplier), List.of(shift), rounding, r.nextInt(256) - 128, -128 + r.nextInt(60), 127, 1);
            int count = 1 + r.nextInt(60), from = r.nextInt(5), dst = r.nextInt(5), bias = r.nextInt(20001) - 10000;
            float[] acc = new float[from + count + 16];
            for (int i = 0; i < acc.length; i++) acc[i] = r.nextInt(1 << 25) - (1 << 24);
            for (int i = from + count; i < acc.length; i++) acc[i] = r.nextBoolean() ? Float.NaN : r.nextFloat() * 1e12f; // not exact integers
            byte[] scalar = new byte[dst + count + 16], vector = new byte[scalar.length];
            r.nextBytes(scalar);
            System.arraycopy(scalar, 0, vector, 0, scalar.length);
            rq.applyRun(0, acc, from, count, bias, scalar, dst);
            VectorRequantizer.applyRun(rq, 0, acc, from, count, bias, vector, dst);
            org.junit.jupiter.api.Assertions.assertArrayEquals(scalar, vector, "trial " + trial + ": count " + count + ", " + rounding);
        }
    }

    /** Batch-1 Gemm and MatMul: the single row read in place, every column count from 1 to past 4 vectors. */
    @Test
    void singleRowProductsAgree() {
        Random r = new Random(26);
        for (int trial = 0; trial < 40; trial++) {
            int k = 1 + r.nextInt(trial % 4 == 0 ? 2000 : 90), n = 1 + r.nextInt(150);
            nncc.ir.op.Gemm gemm = new nncc.ir.op.Gemm(1f, 1f, false, true, r.nextBoolean() ? Activation.NONE : Activation.RELU);
            KernelSetsAgreeTest.assertAgree(gemm, "gemm trial " + trial, KernelSetsAgreeTest.floats(r, 1, k),
                    KernelSetsAgreeTest.floats(r, n, k), KernelSetsAgreeTest.floats(r, n));
            KernelSetsAgreeTest.assertAgree(new nncc.ir.op.MatMul(), "matmul trial " + trial, KernelSetsAgreeTest.floats(r, 1, k),
                    KernelSetsAgreeTest.floats(r, k, n));
        }
    }

    /** Output arrays are reused from run to run: a second run on other data gives what a fresh interpreter gives. */
    @Test
    void reusedOutputArraysHoldNothingFromThePreviousRun() {
        Random r = new Random(27);
        TestGraphs.Builder b = new TestGraphs.Builder();
        nncc.ir.Value x = b.input("x", DType.F32, Shape.of(1, 3, 8, 10));
        Conv pointwise = new Conv(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), 1, Activation.NONE);
        nncc.ir.Value p = b.node(pointwise, "p", x, b.constant("w", KernelSetsAgreeTest.floats(r, 4, 3, 1, 1))); // no bias
        nncc.ir.Value q = b.node(new nncc.ir.op.Add(Activation.NONE), "q", p, p);
        nncc.ir.Value m = b.node(new MaxPool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), List.of(1, 1), false, 0), "m", q);
        nncc.ir.Graph g = b.output(m);
        Interpreter reused = new Interpreter(g);
        for (int run = 0; run < 3; run++) {
            Tensor in = KernelSetsAgreeTest.floats(r, 1, 3, 8, 10);
            float[] again = reused.run(List.of(in)).get(0).toFloats(), fresh = new Interpreter(g).run(List.of(in)).get(0).toFloats();
            org.junit.jupiter.api.Assertions.assertArrayEquals(fresh, again, 0f, "run " + run);
        }
    }

    /** GlobalAveragePool's four-planes-at-once sums: the same double sum per plane, in order, as one plane at a time. */
    @Test
    void globalAveragePoolSumsEachPlaneInOrder() {
        Random r = new Random(28);
        for (int trial = 0; trial < 20; trial++) {
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(11), h = 1 + r.nextInt(7), w = 1 + r.nextInt(9);
            Tensor x = KernelSetsAgreeTest.floats(r, n, c, h, w);
            TestGraphs.Builder b = new TestGraphs.Builder();
            nncc.ir.Graph g = b.output(b.node(new nncc.ir.op.GlobalAveragePool(), "y", b.input("x", DType.F32, x.shape())));
            float[] got = new Interpreter(g).run(List.of(x)).get(0).toFloats(), xs = x.toFloats();
            for (int plane = 0; plane < n * c; plane++) {
                double sum = 0;
                for (int i = 0; i < h * w; i++) sum += xs[plane * h * w + i];
                org.junit.jupiter.api.Assertions.assertEquals(Float.floatToIntBits((float) (sum / (h * w))), Float.floatToIntBits(got[plane]), "plane " + plane);
            }
        }
    }

    /** Weights packed with their column-major copy: the last columns run {@link ColumnTail}; also row ranges as threads split them. */
    @Test
    void columnTailMatchesScalarProductBitForBit() {
        Random r = new Random(23);
        for (int trial = 0; trial < 300; trial++) {
            int m = 1 + r.nextInt(70), k = 1 + r.nextInt(trial % 3 == 0 ? 300 : 40), n = 1 + r.nextInt(150);
            int bOff = r.nextInt(5), cOff = r.nextInt(5), ldb = n + r.nextInt(4), ldc = n + r.nextInt(4);
            float[] a = randomFloats(r, m * k), b = randomFloats(r, bOff + k * ldb + 16), c0 = randomFloats(r, cOff + m * ldc + 16);
            float[] scalar = c0.clone(), vector = c0.clone();
            MatrixProduct.multiplyAdd(m, n, k, a, 0, k, b, bOff, ldb, scalar, cOff, ldc);
            FloatGemm.Packed packed = FloatGemm.packForReuse(a, 0, m, k, KernelSet.VECTOR);
            int split = (r.nextInt(m + 1) / VectorGemm.ROWS) * VectorGemm.ROWS; // rows [0, split) and [split, m) separately
            FloatGemm.multiplyAddRows(packed, 0, split, b, bOff, ldb, n, vector, cOff, ldc);
            FloatGemm.multiplyAddRows(packed, split, m, b, bOff, ldb, n, vector, cOff, ldc);
            for (int i = 0; i < c0.length; i++)
                org.junit.jupiter.api.Assertions.assertEquals(Float.floatToIntBits(scalar[i]), Float.floatToIntBits(vector[i]),
                        "m=" + m + " k=" + k + " n=" + n + " split " + split + " element " + i + ": " + scalar[i] + " vs " + vector[i]);
        }
    }

    /**
     * Products three vectors and one column wide (a 7x7 map's 49 columns on 16 lanes), which run the 4-row blocks with the
     * last column as a 128-bit vector of rows: bit for bit against the scalar product, depths across several k blocks,
     * offsets and row strides, row ranges as threads split them; also the widths next to it.
     */
    @Test
    void threeVectorsAndOneColumnMatchScalarProductBitForBit() {
        Random r = new Random(26);
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        for (int trial = 0; trial < 120; trial++) {
            int m = VectorGemm.ROWS * (1 + r.nextInt(40)) + (trial % 8 == 7 ? 1 + r.nextInt(3) : 0), k = 1 + r.nextInt(trial % 2 == 0 ? 300 : 70);
            int n = 3 * lanes + 1 + (trial % 5 == 4 ? r.nextInt(3) - 1 : 0);
            int bOff = r.nextInt(5), cOff = r.nextInt(5), ldb = n + (trial % 3 == 0 ? r.nextInt(4) : 0), ldc = n + (trial % 3 == 1 ? r.nextInt(4) : 0);
            float[] a = randomFloats(r, m * k), b = randomFloats(r, bOff + k * ldb), c0 = randomFloats(r, cOff + m * ldc);
            float[] scalar = c0.clone(), vector = c0.clone();
            MatrixProduct.multiplyAdd(m, n, k, a, 0, k, b, bOff, ldb, scalar, cOff, ldc);
            FloatGemm.Packed packed = r.nextBoolean() ? FloatGemm.packForReuse(a, 0, m, k, KernelSet.VECTOR) : FloatGemm.pack(a, 0, m, k, KernelSet.VECTOR);
            int split = (r.nextInt(m + 1) / VectorGemm.ROWS) * VectorGemm.ROWS;
            FloatGemm.multiplyAddRows(packed, 0, split, b, bOff, ldb, n, vector, cOff, ldc);
            FloatGemm.multiplyAddRows(packed, split, m, b, bOff, ldb, n, vector, cOff, ldc);
            for (int i = 0; i < c0.length; i++)
                org.junit.jupiter.api.Assertions.assertEquals(Float.floatToIntBits(scalar[i]), Float.floatToIntBits(vector[i]),
                        "m=" + m + " k=" + k + " n=" + n + " split " + split + " element " + i + ": " + scalar[i] + " vs " + vector[i]);
        }
    }

    private static float[] randomFloats(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) r.nextGaussian();
        return f;
    }
}
