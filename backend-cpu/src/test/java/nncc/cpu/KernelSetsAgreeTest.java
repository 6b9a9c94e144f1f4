package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.Conv;
import nncc.ir.op.Gemm;
import nncc.ir.op.MatMul;
import nncc.ir.op.MaxPool;
import nncc.ir.op.Op;
import nncc.ir.op.QAdd;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.QMean;
import nncc.ir.op.QMul;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernels against the scalar reference kernels, on random shapes that hit every block, tail and
 * padding case. Tolerance 0 for floats too: both sets do the same fused multiply-adds in the same order per element
 * (only the sign of a zero may differ, which a 0-delta comparison accepts). Integers are compared bit for bit.
 */
class KernelSetsAgreeTest {
    @BeforeAll
    static void vectorModulePresent() {
        assertTrue(KernelSet.vectorAvailable(), "jdk.incubator.vector is missing: surefire must run with --add-modules jdk.incubator.vector");
    }

    @Test
    void gemmMicroKernelMatchesScalarProductBitForBit() {
        Random r = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int m = 1 + r.nextInt(11), k = 1 + r.nextInt(40), n = 1 + r.nextInt(150);
            int aOff = r.nextInt(3), bOff = r.nextInt(5), cOff = r.nextInt(5), ldb = n + r.nextInt(4), ldc = n + r.nextInt(4);
            float[] a = randomFloats(r, aOff + m * k), b = randomFloats(r, bOff + k * ldb), c0 = randomFloats(r, cOff + m * ldc);
            float[] scalar = c0.clone(), vector = c0.clone();
            MatrixProduct.multiplyAdd(m, n, k, a, aOff, k, b, bOff, ldb, scalar, cOff, ldc);
            FloatGemm.Packed packed = FloatGemm.pack(a, aOff, m, k, KernelSet.VECTOR);
            assertTrue(packed.vector());
            FloatGemm.multiplyAdd(packed, b, bOff, ldb, n, vector, cOff, ldc);
            for (int i = 0; i < c0.length; i++)
                assertEquals(Float.floatToIntBits(scalar[i]), Float.floatToIntBits(vector[i]),
                        "m=" + m + " k=" + k + " n=" + n + " element " + i + ": " + scalar[i] + " vs " + vector[i]);
        }
    }

    @Test
    void floatConvolutionsAgree() {
        Random r = new Random(12);
        for (int trial = 0; trial < 60; trial++) {
            int group = r.nextInt(3) == 0 ? 1 : r.nextBoolean() ? 2 : 0; // 0: depthwise
            int cg = group == 0 ? 1 : 1 + r.nextInt(4), channels = group == 0 ? 1 + r.nextInt(6) : cg * group;
            int g = group == 0 ? channels : group, outChannels = group == 0 ? channels : g * (1 + r.nextInt(9));
            int kh = 1 + r.nextInt(3), kw = 1 + r.nextInt(3), stride = 1 + r.nextInt(2), dilation = 1 + r.nextInt(2);
            int pad = r.nextInt(2), batch = 1 + r.nextInt(3);
            if (trial % 4 == 0) { kh = kw = stride = 1; pad = 0; batch = 1; } // pointwise: no im2col
            int h = kh * dilation + r.nextInt(9), w = kw * dilation + r.nextInt(40);
            Conv op = new Conv(List.of(stride, stride), List.of(pad, pad, pad, pad), List.of(dilation, dilation), g,
                    r.nextBoolean() ? Activation.NONE : Activation.RELU6);
            Tensor x = floats(r, batch, channels, h, w), wt = floats(r, outChannels, channels / g, kh, kw), bias = floats(r, outChannels);
            assertAgree(op, "conv trial " + trial, x, wt, bias);
        }
    }

    @Test
    void gemmAndMatMulAgree() {
        Random r = new Random(13);
        for (int trial = 0; trial < 30; trial++) {
            int m = 1 + r.nextInt(9), k = 1 + r.nextInt(70), n = 1 + r.nextInt(140);
            Gemm gemm = new Gemm(1f, 1f, false, true, r.nextBoolean() ? Activation.NONE : Activation.RELU);
            assertAgree(gemm, "gemm trial " + trial, floats(r, m, k), floats(r, n, k), floats(r, n));
            assertAgree(new MatMul(), "matmul trial " + trial, floats(r, 2, m, k), floats(r, k, n));
        }
    }

    @Test
    void quantizedConvolutionsAgreeBitForBit() {
        Random r = new Random(14);
        for (int trial = 0; trial < 60; trial++) {
            boolean depthwise = r.nextBoolean();
            int channels = 1 + r.nextInt(depthwise ? 8 : 20), outChannels = depthwise ? channels : 1 + r.nextInt(20);
            int k = 1 + r.nextInt(3), stride = 1 + r.nextInt(2), pad = r.nextInt(2), batch = 1 + r.nextInt(3);
            if (trial % 4 == 0) { k = stride = batch = 1; pad = 0; } // pointwise: no im2col
            int h = k + r.nextInt(9), w = k + r.nextInt(40);
            List<Integer> mult = new ArrayList<>(), shift = new ArrayList<>();
            for (int c = 0; c < outChannels; c++) { mult.add((1 << 30) + r.nextInt(1 << 30)); shift.add(2 - r.nextInt(14)); }
            Rounding rounding = r.nextBoolean() ? Rounding.DOUBLE_ROUND : Rounding.SINGLE_ROUND;
            QConv op = new QConv(List.of(stride, stride), List.of(pad, pad, pad, pad), List.of(1, 1), depthwise ? channels : 1,
                    r.nextInt(256) - 128, mult, shift, r.nextInt(21) - 10, 0.1f, DType.I8, -128 + r.nextInt(100), 127, rounding);
            Tensor x = int8(r, batch, channels, h, w), wt = int8(r, outChannels, depthwise ? 1 : channels, k, k);
            Tensor bias = Tensor.ofLongs(DType.I32, Shape.of(outChannels), r.longs(outChannels, -5000, 5000).toArray());
            assertAgree(op, "qconv trial " + trial, x, wt, bias);
        }
    }

    @Test
    void quantizedGemmAgreesBitForBit() {
        Random r = new Random(15);
        for (int trial = 0; trial < 30; trial++) {
            // k up to 1,200 so that some weights are too large for the exact float product and take int32 dot products
            int n = 1 + r.nextInt(trial % 2 == 0 ? 5 : 12), k = 1 + r.nextInt(trial % 3 == 0 ? 1200 : 200), m = 1 + r.nextInt(70);
            QGemm op = new QGemm(r.nextInt(256) - 128, List.of((1 << 30) + r.nextInt(1 << 30)), List.of(-7 - r.nextInt(4)),
                    r.nextInt(11) - 5, 0.1f, DType.I8, -128, 127, r.nextBoolean() ? Rounding.DOUBLE_ROUND : Rounding.SINGLE_ROUND);
            Tensor bias = Tensor.ofLongs(DType.I32, Shape.of(m), r.longs(m, -5000, 5000).toArray());
            assertAgree(op, "qgemm trial " + trial, int8(r, n, k), int8(r, m, k), bias);
        }
    }

    @Test
    void quantizedAddAndMulAgreeBitForBit() {
        Random r = new Random(16);
        for (int trial = 0; trial < 30; trial++) {
            Rounding rounding = r.nextBoolean() ? Rounding.DOUBLE_ROUND : Rounding.SINGLE_ROUND;
            int lo = -128 + r.nextInt(50);
            QAdd add = new QAdd(r.nextInt(41) - 20, r.nextInt(41) - 20, 20, (1 << 30) + r.nextInt(1 << 30), -1 - r.nextInt(3),
                    (1 << 30) + r.nextInt(1 << 30), -1 - r.nextInt(3), (1 << 30) + r.nextInt(1 << 30), -18 - r.nextInt(3),
                    r.nextInt(21) - 10, 0.1f, DType.I8, lo, 127, rounding);
            QMul mul = new QMul(r.nextInt(41) - 20, r.nextInt(41) - 20, (1 << 30) + r.nextInt(1 << 30), -6 - r.nextInt(4),
                    r.nextInt(21) - 10, 0.1f, DType.I8, lo, 127, rounding);
            int c = 1 + r.nextInt(8), h = 1 + r.nextInt(9), w = 1 + r.nextInt(30);
            Tensor a = int8(r, 2, c, h, w);
            for (Op op : List.of(add, mul)) {
                assertAgree(op, op.opName() + " same shape, trial " + trial, a, int8(r, 2, c, h, w));
                assertAgree(op, op.opName() + " broadcast, trial " + trial, a, int8(r, 1, c, 1, 1));
            }
        }
    }

    @Test
    void vectorRequantizationMatchesScalarOnExtremes() {
        Random r = new Random(17);
        int[] special = {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, 1, -1, 1 << 24, -(1 << 24), 12345, -12345};
        for (int trial = 0; trial < 400; trial++) {
            Rounding rounding = r.nextBoolean() ? Rounding.DOUBLE_ROUND : Rounding.SINGLE_ROUND;
            int multiplier = switch (r.nextInt(4)) {
                case 0 -> Integer.MAX_VALUE;
                case 1 -> r.nextInt(1 << 10);
                default -> (1 << 30) + r.nextInt(1 << 30);
            };
            int shift = -31 + r.nextInt(62), zp = r.nextInt(256) - 128, lo = -128 + r.nextInt(60), hi = lo + r.nextInt(256 + 128 - lo);
            Requantizer rq = Requantizer.of(List.of(multiplier), List.of(shift), rounding, zp, lo, Math.min(hi, 127), 1);
            int count = 1 + r.nextInt(40), bias = r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(20001) - 10000;
            int[] accI = new int[count];
            float[] accF = new float[count];
            for (int i = 0; i < count; i++) {
                accI[i] = r.nextInt(3) == 0 ? special[r.nextInt(special.length)] : r.nextInt();
                accF[i] = r.nextInt(1 << 25) - (1 << 24);
            }
            long[] scalarI = new long[count], vectorI = new long[count], scalarF = new long[count], vectorF = new long[count];
            rq.applyRun(0, accI, 0, count, bias, scalarI, 0);
            VectorRequantizer.applyRun(rq, 0, accI, 0, count, bias, vectorI, 0);
            rq.applyRun(0, accF, 0, count, bias, scalarF, 0);
            VectorRequantizer.applyRun(rq, 0, accF, 0, count, bias, vectorF, 0);
            String what = rounding + " multiplier " + multiplier + " shift " + shift + " bias " + bias;
            assertArrayEquals(scalarI, vectorI, "int accumulators, " + what);
            assertArrayEquals(scalarF, vectorF, "float accumulators, " + what);
            // the byte-output forms write the same values, narrowed
            byte[] scalarIB = new byte[count], vectorIB = new byte[count], scalarFB = new byte[count], vectorFB = new byte[count];
            rq.applyRun(0, accI, 0, count, bias, scalarIB, 0);
            VectorRequantizer.applyRun(rq, 0, accI, 0, count, bias, vectorIB, 0);
            rq.applyRun(0, accF, 0, count, bias, scalarFB, 0);
            VectorRequantizer.applyRun(rq, 0, accF, 0, count, bias, vectorFB, 0);
            for (int i = 0; i < count; i++) {
                assertEquals((byte) scalarI[i], scalarIB[i], "int accumulators to bytes, " + what);
                assertEquals((byte) scalarI[i], vectorIB[i], "int accumulators to bytes (vector), " + what);
                assertEquals((byte) scalarF[i], scalarFB[i], "float accumulators to bytes, " + what);
                assertEquals((byte) scalarF[i], vectorFB[i], "float accumulators to bytes (vector), " + what);
            }
        }
    }

    @Test
    void vectorMultiplyByQuantizedMultiplierMatchesFixedPointOnEveryLane() {
        Random r = new Random(19);
        int lanes = VectorRequantizer.LS.length();
        int[] special = {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, 1, -1, 1 << 30, -(1 << 30), (1 << 30) + 1, -(1 << 30) - 1};
        for (int trial = 0; trial < 20_000; trial++) {
            Rounding rounding = r.nextBoolean() ? Rounding.DOUBLE_ROUND : Rounding.SINGLE_ROUND;
            int m = switch (r.nextInt(5)) {
                case 0 -> special[r.nextInt(special.length)];
                case 1 -> -r.nextInt(1 << 31 - 1) - 1; // negative multipliers
                case 2 -> r.nextInt(1 << 12);
                default -> (1 << 30) + r.nextInt(1 << 30);
            };
            int shift = -31 + r.nextInt(62);
            if (!VectorRequantizer.supports(m, shift, rounding)) continue;
            long[] x = new long[lanes], got = new long[lanes];
            // small values make exact ties of both roundings frequent
            for (int i = 0; i < lanes; i++) x[i] = r.nextInt(3) == 0 ? special[r.nextInt(special.length)] : r.nextBoolean() ? r.nextInt() : r.nextInt(64) - 32;
            VectorRequantizer.multiplyByQuantizedMultiplier(jdk.incubator.vector.LongVector.fromArray(VectorRequantizer.LS, x, 0), m, shift, rounding)
                    .intoArray(got, 0);
            for (int i = 0; i < lanes; i++)
                assertEquals(nncc.ir.FixedPoint.multiplyByQuantizedMultiplier((int) x[i], m, shift, rounding), got[i],
                        rounding + " x " + x[i] + " m " + m + " shift " + shift);
        }
    }

    @Test
    void unsignedQuantizedAddMulAndConvAgreeBitForBit() {
        Random r = new Random(18);
        for (int trial = 0; trial < 20; trial++) {
            Rounding rounding = r.nextBoolean() ? Rounding.DOUBLE_ROUND : Rounding.SINGLE_ROUND;
            QAdd add = new QAdd(128 + r.nextInt(41) - 20, 128 + r.nextInt(41) - 20, 20, (1 << 30) + r.nextInt(1 << 30), -1 - r.nextInt(3),
                    (1 << 30) + r.nextInt(1 << 30), -1 - r.nextInt(3), (1 << 30) + r.nextInt(1 << 30), -18 - r.nextInt(3),
                    128 + r.nextInt(21) - 10, 0.1f, DType.U8, r.nextInt(50), 255, rounding);
            QMul mul = new QMul(128 + r.nextInt(41) - 20, r.nextInt(41) - 20, (1 << 30) + r.nextInt(1 << 30), -6 - r.nextInt(4),
                    128 + r.nextInt(21) - 10, 0.1f, DType.U8, 0, 255, rounding);
            int c = 1 + r.nextInt(8), h = 1 + r.nextInt(9), w = 1 + r.nextInt(30);
            Tensor a = uint8(r, 2, c, h, w);
            assertAgree(add, "u8 qadd, trial " + trial, a, uint8(r, 2, c, h, w));
            assertAgree(add, "u8 qadd broadcast, trial " + trial, a, uint8(r, 1, c, 1, 1));
            assertAgree(mul, "u8 x i8 qmul, trial " + trial, a, int8(r, 2, c, h, w));
            List<Integer> mult = new ArrayList<>(), shift = new ArrayList<>();
            for (int m = 0; m < 6; m++) { mult.add((1 << 30) + r.nextInt(1 << 30)); shift.add(-2 - r.nextInt(10)); }
            QConv conv = new QConv(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 1, 128 + r.nextInt(21) - 10, mult, shift,
                    128 + r.nextInt(21) - 10, 0.1f, DType.U8, 0, 255, rounding);
            Tensor bias = Tensor.ofLongs(DType.I32, Shape.of(6), r.longs(6, -5000, 5000).toArray());
            assertAgree(conv, "u8 qconv, trial " + trial, uint8(r, 1, c, h + 2, w + 2), int8(r, 6, c, 3, 3), bias);
            MaxPool pool = new MaxPool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 1, 1), List.of(1, 1), false, 0);
            assertAgree(pool, "u8 maxpool, trial " + trial, uint8(r, 1, c, h + 2, w + 2));
            assertAgree(pool, "i8 maxpool, trial " + trial, int8(r, 1, c, h + 2, w + 2));
            QMean mean = new QMean(List.of(2, 3), true, r.nextInt(256) - 128, (1 << 30) + r.nextInt(1 << 30), -4 - r.nextInt(4),
                    r.nextInt(21) - 10, 0.1f, DType.I8, rounding);
            assertAgree(mean, "u8 qmean, trial " + trial, uint8(r, 2, c, h + 2, w + 2));
            assertAgree(mean, "i8 qmean, trial " + trial, int8(r, 2, c, h + 2, w + 2));
        }
    }

    /**
     * The int16x8 ops (i16 activations, int64 accumulators for QConv/QGemm) under both kernel sets, bit for bit; the
     * vector set holds every i16 result as shorts (2 bytes an element), the scalar reference as longs.
     */
    @Test
    void int16OpsAgreeBitForBitAndTheVectorSetStoresShorts() {
        Random r = new Random(21);
        for (int trial = 0; trial < 12; trial++) {
            int c = 1 + r.nextInt(6), h = 3 + r.nextInt(8), w = 3 + r.nextInt(12), oc = 1 + r.nextInt(7);
            List<Integer> mult = new ArrayList<>(), shift = new ArrayList<>();
            for (int m = 0; m < oc; m++) { mult.add((1 << 30) + r.nextInt(1 << 30)); shift.add(-8 - r.nextInt(6)); }
            QConv conv = new QConv(List.of(1 + r.nextInt(2), 1), List.of(1, 1, 1, 1), List.of(1, 1), 1, 0, mult, shift,
                    0, 0.1f, DType.I16, -32768 + r.nextInt(1000), 32767, Rounding.SINGLE_ROUND);
            Tensor bias = Tensor.ofLongs(DType.I64, Shape.of(oc), r.longs(oc, -500_000, 500_000).toArray());
            Tensor x = int16(r, 2, c, h, w);
            assertAgree(conv, "i16 qconv, trial " + trial, x, int8(r, oc, c, 3, 3), bias);
            assertShorts(conv, x, int8(r, oc, c, 3, 3), bias);
            int k = c * h * w;
            QGemm gemm = new QGemm(0, List.of((1 << 30) + r.nextInt(1 << 30)), List.of(-10 - r.nextInt(4)), 0, 0.1f, DType.I16,
                    -32768, 32767, Rounding.SINGLE_ROUND);
            Tensor gemmBias = Tensor.ofLongs(DType.I64, Shape.of(5), r.longs(5, -500_000, 500_000).toArray());
            Tensor rows = int16(r, 1 + r.nextInt(10), k);
            assertAgree(gemm, "i16 qgemm, trial " + trial, rows, int8(r, 5, k), gemmBias);
            assertShorts(gemm, rows, int8(r, 5, k), gemmBias);
            QAdd add = new QAdd(0, 0, 15, (1 << 30) + r.nextInt(1 << 30), -1 - r.nextInt(3), (1 << 30) + r.nextInt(1 << 30),
                    -1 - r.nextInt(3), (1 << 30) + r.nextInt(1 << 30), -14 - r.nextInt(3), 0, 0.1f, DType.I16, -32768, 32767,
                    Rounding.SINGLE_ROUND);
            assertAgree(add, "i16 qadd, trial " + trial, x, int16(r, 2, c, h, w));
            assertAgree(add, "i16 qadd broadcast, trial " + trial, x, int16(r, 1, c, 1, 1));
            assertShorts(add, x, int16(r, 2, c, h, w));
            MaxPool pool = new MaxPool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 1, 1), List.of(1, 1), false, 0);
            assertAgree(pool, "i16 maxpool, trial " + trial, x);
            assertShorts(pool, x);
            QMean mean = new QMean(List.of(2, 3), true, 0, (1 << 30) + r.nextInt(1 << 30), -4 - r.nextInt(4), 0, 0.1f, DType.I16,
                    Rounding.SINGLE_ROUND);
            assertAgree(mean, "i16 qmean, trial " + trial, x);
            assertShorts(mean, x);
            nncc.ir.op.Requantize rq = new nncc.ir.op.Requantize(0, (1 << 30) + r.nextInt(1 << 30), -r.nextInt(3), 0, 0.2f,
                    DType.I16, Rounding.SINGLE_ROUND);
            assertAgree(rq, "i16 requantize, trial " + trial, x);
            assertShorts(rq, x);
            nncc.ir.op.Quantize q = new nncc.ir.op.Quantize(0.001f, 0, DType.I16);
            Tensor f = floats(r, 2, c, h, w);
            assertAgree(q, "i16 quantize, trial " + trial, f);
            assertShorts(q, f);
        }
    }

    /** The vector kernel set's output of {@code op} (input 0 fed, the rest constant) is held as shorts. */
    private static void assertShorts(Op op, Tensor x, Tensor... constants) {
        List<TensorType> types = new ArrayList<>();
        types.add(x.type());
        NdArray[] consts = new NdArray[1 + constants.length];
        for (int i = 0; i < constants.length; i++) {
            types.add(constants[i].type());
            consts[i + 1] = NdArray.fromTensor(constants[i], true);
        }
        TestGraphs.Builder b = new TestGraphs.Builder();
        List<Value> in = new ArrayList<>();
        in.add(b.input("x", x.dtype(), x.shape()));
        for (int i = 0; i < constants.length; i++) in.add(b.constant("c" + i, constants[i]));
        Graph g = b.output(b.node(op, "y", in.toArray(new Value[0])));
        nncc.ir.Node node = g.nodes().get(0);
        Kernel kernel = Kernels.prepare(new NodeContext(node, types, consts, KernelSet.VECTOR));
        NdArray[] inputs = new NdArray[1 + constants.length];
        inputs[0] = NdArray.fromTensor(x, true);
        for (int i = 0; i < constants.length; i++) inputs[i + 1] = consts[i + 1];
        NdArray y = kernel.run(inputs, new TensorType[] {node.output().type()})[0];
        assertTrue(y.holdsShorts(), op.opName() + " output is held as " + (y.holdsBytes() ? "bytes" : "longs"));
        assertArrayEquals(new Interpreter(g, KernelSet.SCALAR).run(List.of(x)).get(0).toLongs(), y.toTensor().toLongs(), op.opName());
    }

    private static Tensor int16(Random r, long... shape) {
        return Tensor.ofLongs(DType.I16, Shape.of(shape), r.longs(Shape.of(shape).numElements(), -32768, 32768).toArray());
    }

    /** Runs {@code op} with input 0 fed and the rest constant, under both kernel sets; the outputs must agree. */
    static void assertAgree(Op op, String what, Tensor x, Tensor... constants) {
        TestGraphs.Builder b = new TestGraphs.Builder();
        List<Value> in = new ArrayList<>();
        in.add(b.input("x", x.dtype(), x.shape()));
        for (int i = 0; i < constants.length; i++) in.add(b.constant("c" + i, constants[i]));
        Graph g = b.output(b.node(op, "y", in.toArray(new Value[0])));
        Tensor scalar = new Interpreter(g, KernelSet.SCALAR).run(List.of(x)).get(0);
        Tensor vector = new Interpreter(g, KernelSet.VECTOR).run(List.of(x)).get(0);
        assertEquals(scalar.shape(), vector.shape(), what);
        if (scalar.dtype().isFloat()) assertArrayEquals(scalar.toFloats(), vector.toFloats(), 0f, what);
        else assertArrayEquals(scalar.toLongs(), vector.toLongs(), what);
    }

    private static float[] randomFloats(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) r.nextGaussian();
        return f;
    }

    static Tensor floats(Random r, long... shape) {
        return Tensor.ofFloats(Shape.of(shape), randomFloats(r, (int) Shape.of(shape).numElements()));
    }

    static Tensor uint8(Random r, long... shape) {
        return Tensor.ofLongs(DType.U8, Shape.of(shape), r.longs(Shape.of(shape).numElements(), 0, 256).toArray());
    }

    static Tensor int8(Random r, long... shape) {
        return Tensor.ofLongs(DType.I8, Shape.of(shape), r.longs(Shape.of(shape).numElements(), -128, 128).toArray());
    }
}
