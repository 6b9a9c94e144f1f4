package nncc.cpu;

import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import org.junit.jupiter.api.Test;

/** QConv and QGemm: hand-computed cases and a randomized comparison with {@link NaiveQuantized}; tolerance 0. */
class QuantizedLinearKernelsTest {
    private static final List<Integer> ONES = List.of(1, 1), NO_PADS = List.of(0, 0, 0, 0);
    private static final int Q30 = 1 << 30; // 0.5 in Q31

    private static QConv conv2d(int group, long inZp, List<Integer> mult, List<Integer> shift, long outZp, int lo, int hi, Rounding r) {
        return new QConv(ONES, NO_PADS, ONES, group, inZp, mult, shift, outZp, 0.5f, DType.I8, lo, hi, r);
    }

    @Test
    void tiesUnderBothRoundingModes() {
        // x - zp = [[0,1,2],[3,4,5],[6,7,8]], w = [[2,0],[0,-1]]: acc = [0-4, 2-5, 6-7, 8-8] = [-4,-3,-1,0], + bias -2
        // = [-6,-5,-3,-2]; multiplier 0.25 = (2^30, shift -1).
        // DOUBLE_ROUND: SRDHM(acc, 2^30) = acc/2 with ties up: [-3, -2 (-2.5), -1 (-1.5), -1]; RoundingDivideByPOT(.., 1)
        //   with ties away from zero: [-2 (-1.5), -1, -1 (-0.5), -1 (-0.5)]; + zp 3 = [1, 2, 2, 2]
        // SINGLE_ROUND: (acc * 2^30 + 2^31) >> 32 = floor(acc/4 + 0.5): [-1 (-1.5 -> up), -1, -1 (-0.25), 0]; + 3
        Tensor x = ints(DType.I8, dims(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Tensor w = ints(DType.I8, dims(1, 1, 2, 2), 2, 0, 0, -1);
        Tensor bias = ints(DType.I32, dims(1), -2);
        Tensor yDouble = TestGraphs.run(conv2d(1, 1, List.of(Q30), List.of(-1), 3, -128, 127, Rounding.DOUBLE_ROUND), x, w, bias);
        assertEquals(DType.I8, yDouble.dtype());
        assertEquals(Shape.of(1, 1, 2, 2), yDouble.shape());
        assertArrayEquals(new long[] {1, 2, 2, 2}, yDouble.toLongs());
        Tensor ySingle = TestGraphs.run(conv2d(1, 1, List.of(Q30), List.of(-1), 3, -128, 127, Rounding.SINGLE_ROUND), x, w, bias);
        assertArrayEquals(new long[] {2, 2, 2, 3}, ySingle.toLongs());
    }

    @Test
    void perChannelMultipliersAndFusedRelu6Clamp() {
        // 1x1 conv, 2 output channels; x - zp(-10) = [1, 4, -20, 50]; output scale 0.5, zp -10: Relu6 = [-10, -10 + 12]
        // channel 0: w 3, multiplier 0.5: [3, 12, -60, 150] -> [2 (1.5 rounds up), 6, -30, 75] - 10 -> clamp [-8, -4, -10, 2]
        // channel 1: w -2, multiplier 0.125 (2^30, -2): [-2, -8, 40, -100] -> [0 (-0.25), -1, 5, -13 (-12.5 away)] - 10
        //   = [-10, -11, -5, -23] -> clamp [-10, -10, -5, -10]
        Tensor x = ints(DType.I8, dims(1, 1, 2, 2), -9, -6, -30, 40);
        Tensor w = ints(DType.I8, dims(2, 1, 1, 1), 3, -2);
        Tensor y = TestGraphs.run(conv2d(1, -10, List.of(Q30, Q30), List.of(0, -2), -10, -10, 2, Rounding.DOUBLE_ROUND), x, w);
        assertArrayEquals(new long[] {-8, -4, -10, 2, -10, -10, -5, -10}, y.toLongs());
    }

    @Test
    void depthwiseWithPaddingTreatsPadAsZeroPoint() {
        // 2 channels, group 2, 1x2 kernel, pad 1 on the left only: channel 0 [1, 1] sums neighbours, channel 1 [0, 1]
        // copies; x - zp(5) = [0, 1, 2] and [3, 4, 5]; the padded tap adds nothing (it reads x = zp)
        // ch0: [0, 0+1, 1+2] = [0, 1, 3]; ch1: [3, 4, 5]; multiplier 1.0 = (2^30, shift 1), zp 0
        QConv op = new QConv(ONES, List.of(0, 1, 0, 0), ONES, 2, 5, List.of(Q30), List.of(1), 0, 1f, DType.I8, -128, 127,
                Rounding.DOUBLE_ROUND);
        Tensor y = TestGraphs.run(op, ints(DType.I8, dims(1, 2, 1, 3), 5, 6, 7, 8, 9, 10), ints(DType.I8, dims(2, 1, 1, 2), 1, 1, 0, 1));
        assertArrayEquals(new long[] {0, 1, 3, 3, 4, 5}, y.toLongs());
    }

    @Test
    void int16InputAccumulatesIn64Bits() {
        // acc = 1e12 + 30000 * 127 + (-30000) * (-128) = 1000007650000, beyond int32; multiplier 2^-32 = (2^30, -31)
        // through the 64-bit variant: Q15 multiplier (2^30 + 2^15) >> 16 = 2^14, (acc * 2^14 + 2^45) >> 46
        // = round(acc / 2^32) = round(232.83) = 233
        QConv op = new QConv(ONES, NO_PADS, ONES, 1, 0, List.of(Q30), List.of(-31), 0, 1f, DType.I16, -32768, 32767,
                Rounding.DOUBLE_ROUND);
        Tensor y = TestGraphs.run(op, ints(DType.I16, dims(1, 1, 1, 2), 30000, -30000), ints(DType.I8, dims(1, 1, 1, 2), 127, -128),
                ints(DType.I64, dims(1), 1_000_000_000_000L));
        assertEquals(DType.I16, y.dtype());
        assertArrayEquals(new long[] {233}, y.toLongs());
    }

    @Test
    void int16InputRejectsShiftsAboveSeven() {
        QConv op = new QConv(ONES, NO_PADS, ONES, 1, 0, List.of(Q30), List.of(8), 0, 1f, DType.I16, -32768, 32767,
                Rounding.DOUBLE_ROUND);
        ModelException e = assertThrows(ModelException.class, () -> TestGraphs.run(op,
                ints(DType.I16, dims(1, 1, 1, 1), 1), ints(DType.I8, dims(1, 1, 1, 1), 1)));
        assertEquals(true, e.getMessage().contains("shift 8"), e.getMessage());
    }

    @Test
    void qGemmPerOutputMultipliers() {
        // x - zp(-1) = [[2,3,4],[0,-1,-2]], w = [[1,1,1],[2,-1,0]]: acc = [[9,1],[-3,1]] + bias [1,-1] = [[10,0],[-2,0]]
        // output 0 at 0.25: 2.5 -> 3, -0.5 -> -1 (ties away from zero); output 1 at 1.0 = (2^30, 1): 0; + zp 5
        QGemm op = new QGemm(-1, List.of(Q30, Q30), List.of(-1, 1), 5, 0.1f, DType.I8, -128, 127, Rounding.DOUBLE_ROUND);
        Tensor y = TestGraphs.run(op, ints(DType.I8, dims(2, 3), 1, 2, 3, -1, -2, -3), ints(DType.I8, dims(2, 3), 1, 1, 1, 2, -1, 0),
                ints(DType.I32, dims(2), 1, -1));
        assertEquals(Shape.of(2, 2), y.shape());
        assertArrayEquals(new long[] {8, 5, 4, 5}, y.toLongs());
    }

    @Test
    void randomQConvMatchesNaive() {
        Random r = new Random(42);
        int ran = 0;
        for (int trial = 0; trial < 60; trial++) {
            int rank = 1 + r.nextInt(3), group = 1 + r.nextInt(3);
            boolean depthwise = r.nextInt(4) == 0;
            int cg = depthwise ? 1 : 1 + r.nextInt(3), mg = depthwise ? 1 : 1 + r.nextInt(3);
            if (depthwise) group = 2 + r.nextInt(3);
            int batch = 1 + r.nextInt(3), channels = cg * group, outChannels = mg * group;
            int[] xs = new int[rank + 2], ws = new int[rank + 2], ys = new int[rank + 2];
            xs[0] = batch; xs[1] = channels; ws[0] = outChannels; ws[1] = cg; ys[0] = batch; ys[1] = outChannels;
            List<Integer> strides = new ArrayList<>(), dil = new ArrayList<>(), pads = new ArrayList<>(), padEnd = new ArrayList<>();
            int[] s = new int[rank], d = new int[rank], pb = new int[rank];
            for (int i = 0; i < rank; i++) {
                xs[2 + i] = 3 + r.nextInt(rank == 3 ? 4 : 7);
                ws[2 + i] = 1 + r.nextInt(3);
                s[i] = 1 + r.nextInt(2);
                d[i] = 1 + r.nextInt(2);
                pb[i] = r.nextInt(2);
                int pe = r.nextInt(2);
                strides.add(s[i]); dil.add(d[i]); pads.add(pb[i]); padEnd.add(pe);
                int span = (ws[2 + i] - 1) * d[i] + 1, padded = xs[2 + i] + pb[i] + pe;
                ys[2 + i] = padded < span ? 0 : (padded - span) / s[i] + 1;
            }
            if (java.util.Arrays.stream(ys).anyMatch(v -> v <= 0)) continue;
            ran++;
            pads.addAll(padEnd);
            boolean wide = r.nextInt(5) == 0;
            DType inType = wide ? DType.I16 : r.nextBoolean() ? DType.I8 : DType.U8;
            long zp = wide ? 0 : inType == DType.U8 ? r.nextInt(256) : r.nextInt(256) - 128;
            long[] x = randomInts(r, NdArray.sizeOf(xs), inType);
            long[] w = randomInts(r, NdArray.sizeOf(ws), DType.I8);
            boolean hasBias = r.nextBoolean();
            long[] bias = new long[outChannels];
            for (int i = 0; i < outChannels; i++) bias[i] = wide ? r.nextInt(1 << 24) - (1 << 23) : r.nextInt(20000) - 10000;
            boolean perChannel = r.nextBoolean();
            int count = perChannel ? outChannels : 1;
            List<Integer> mult = new ArrayList<>(), shift = new ArrayList<>();
            for (int i = 0; i < count; i++) { mult.add((1 << 30) + r.nextInt(1 << 30)); shift.add(-(r.nextInt(wide ? 20 : 12))); }
            Rounding rounding = r.nextBoolean() ? Rounding.DOUBLE_ROUND : Rounding.SINGLE_ROUND;
            long outZp = r.nextInt(20) - 10;
            DType outType = wide ? DType.I16 : DType.I8;
            nncc.ir.op.Activation act = nncc.ir.op.Activation.values()[r.nextInt(nncc.ir.op.Activation.values().length)];
            int[] clamp = act.clampBounds(0.1f, outZp, outType);
            int lo = clamp[0], hi = clamp[1];
            QConv op = new QConv(strides, pads, dil, group, zp, mult, shift, outZp, 0.1f, outType, lo, hi, rounding);
            long[] acc = NaiveQuantized.convAccumulators(x, xs, zp, w, ws, hasBias ? bias : null, ys, s, pb, d, group);
            long[] want = NaiveQuantized.requantize(acc, outChannels, NdArray.product(ys, 2, ys.length), mult, shift, rounding,
                    outZp, lo, hi, wide);
            Tensor xt = Tensor.ofLongs(inType, Shape.of(toLongs(xs)), x), wt = Tensor.ofLongs(DType.I8, Shape.of(toLongs(ws)), w);
            Tensor y = hasBias
                    ? TestGraphs.run(op, xt, wt, Tensor.ofLongs(wide ? DType.I64 : DType.I32, Shape.of(outChannels), bias))
                    : TestGraphs.run(op, xt, wt);
            assertArrayEquals(want, y.toLongs(), "trial " + trial + ": " + op);
        }
        assertTrue(ran >= 40, "only " + ran + " of 60 random shapes were valid");
    }

    @Test
    void randomQGemmMatchesNaive() {
        Random r = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            int n = 1 + r.nextInt(9), k = trial % 3 == 0 ? 600 + r.nextInt(1000) : 1 + r.nextInt(70), m = 1 + r.nextInt(12); // large k: int32 path
            long zp = r.nextInt(256) - 128;
            long[] x = randomInts(r, n * k, DType.I8), w = randomInts(r, m * k, DType.I8), bias = new long[m];
            for (int j = 0; j < m; j++) bias[j] = r.nextInt(4000) - 2000;
            List<Integer> mult = new ArrayList<>(), shift = new ArrayList<>();
            for (int j = 0; j < m; j++) { mult.add((1 << 30) + r.nextInt(1 << 30)); shift.add(-r.nextInt(10) - (k > 100 ? 6 : 0)); }
            Rounding rounding = r.nextBoolean() ? Rounding.DOUBLE_ROUND : Rounding.SINGLE_ROUND;
            QGemm op = new QGemm(zp, mult, shift, -3, 0.1f, DType.I8, -128, 127, rounding);
            // as a 1x1 convolution of n images with k channels
            long[] acc = NaiveQuantized.convAccumulators(x, new int[] {n, k, 1}, zp, w, new int[] {m, k, 1}, bias,
                    new int[] {n, m, 1}, new int[] {1}, new int[] {0}, new int[] {1}, 1);
            long[] want = NaiveQuantized.requantize(acc, m, 1, mult, shift, rounding, -3, -128, 127, false);
            Tensor y = TestGraphs.run(op, Tensor.ofLongs(DType.I8, Shape.of(n, k), x), Tensor.ofLongs(DType.I8, Shape.of(m, k), w),
                    Tensor.ofLongs(DType.I32, Shape.of(m), bias));
            assertArrayEquals(want, y.toLongs(), "trial " + trial);
        }
    }

    @Test
    void floatProductOnlyWhereItIsExact() {
        // |x - zp| <= 255 for i8 with zp -128; rows of 9 weights of 127: 9 * 127 * 255 = 291465 < 2^24 -> exact floats;
        // rows of 600 weights of 127: 19,431,000 >= 2^24 -> the int32 product
        long[] small = new long[2 * 9], large = new long[2 * 600];
        java.util.Arrays.fill(small, 127);
        java.util.Arrays.fill(large, -127);
        long maxAbs = IntegerConvolution.maxAbsInput(DType.I8, -128);
        assertEquals(255, maxAbs);
        assertEquals(true, IntegerConvolution.Weights.of(small, 9, maxAbs).exactFloats() != null);
        assertTrue(IntegerConvolution.Weights.of(large, 600, maxAbs).exactFloats() == null);
    }

    @Test
    void manyChannelsTakeTheInt32ProductAndStillMatchNaive() {
        // 70 input channels x 3x3 taps of weights near +-127: row sums about 80,000, times 255 (zp -128) is above 2^24
        Random r = new Random(17);
        int[] xs = {2, 70, 5, 6}, ws = {3, 70, 3, 3}, ys = {2, 3, 5, 6};
        long[] x = randomInts(r, NdArray.sizeOf(xs), DType.I8), w = new long[NdArray.sizeOf(ws)], bias = {5, -7, 100000};
        for (int i = 0; i < w.length; i++) w[i] = r.nextBoolean() ? 127 - r.nextInt(3) : -128 + r.nextInt(3);
        assertTrue(IntegerConvolution.Weights.of(w, 630, IntegerConvolution.maxAbsInput(DType.I8, -128)).exactFloats() == null);
        List<Integer> mult = List.of(1 << 30, 1500000000, 1234567890), shift = List.of(-16, -15, -17);
        QConv op = new QConv(ONES, List.of(1, 1, 1, 1), ONES, 1, -128, mult, shift, -4, 0.1f, DType.I8, -128, 127, Rounding.DOUBLE_ROUND);
        long[] acc = NaiveQuantized.convAccumulators(x, xs, -128, w, ws, bias, ys, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
        long[] want = NaiveQuantized.requantize(acc, 3, 30, mult, shift, Rounding.DOUBLE_ROUND, -4, -128, 127, false);
        long spread = java.util.Arrays.stream(want).distinct().count();
        assertEquals(true, spread > 20, "the multipliers should spread the outputs, got " + spread + " distinct values");
        Tensor y = TestGraphs.run(op, Tensor.ofLongs(DType.I8, Shape.of(2, 70, 5, 6), x), Tensor.ofLongs(DType.I8, Shape.of(3, 70, 3, 3), w),
                Tensor.ofLongs(DType.I32, Shape.of(3), bias));
        assertArrayEquals(want, y.toLongs());
    }

    @Test
    void depthwiseWithLongKernelsTakesTheInt32PathAndStillMatchesNaive() {
        // depthwise 1-d, 3 channels, 600 taps near +-127: row sums about 76,000, times 255 is above 2^24
        Random r = new Random(23);
        int[] xs = {2, 3, 650}, ws = {3, 1, 600}, ys = {2, 3, 26};
        long[] x = randomInts(r, NdArray.sizeOf(xs), DType.I8), w = new long[NdArray.sizeOf(ws)], bias = {5, -7, 100000};
        for (int i = 0; i < w.length; i++) w[i] = r.nextBoolean() ? 127 - r.nextInt(3) : -128 + r.nextInt(3);
        assertTrue(IntegerConvolution.Weights.of(w, 600, IntegerConvolution.maxAbsInput(DType.I8, -128)).exactFloats() == null);
        List<Integer> mult = List.of(1 << 30, 1500000000, 1234567890), shift = List.of(-16, -15, -17);
        QConv op = new QConv(List.of(2), List.of(0, 0), List.of(1), 3, -128, mult, shift, -4, 0.1f, DType.I8, -128, 127,
                Rounding.DOUBLE_ROUND);
        long[] acc = NaiveQuantized.convAccumulators(x, xs, -128, w, ws, bias, ys, new int[] {2}, new int[] {0}, new int[] {1}, 3);
        long[] want = NaiveQuantized.requantize(acc, 3, 26, mult, shift, Rounding.DOUBLE_ROUND, -4, -128, 127, false);
        Tensor y = TestGraphs.run(op, Tensor.ofLongs(DType.I8, Shape.of(xs[0], xs[1], xs[2]), x),
                Tensor.ofLongs(DType.I8, Shape.of(ws[0], ws[1], ws[2]), w), Tensor.ofLongs(DType.I32, Shape.of(3), bias));
        assertArrayEquals(want, y.toLongs());
    }

    static long[] randomInts(Random r, int n, DType t) {
        long[] v = new long[n];
        long span = t.maxValue() - t.minValue() + 1;
        for (int i = 0; i < n; i++) v[i] = t.minValue() + (long) (r.nextDouble() * span);
        return v;
    }

    private static long[] toLongs(int[] a) { return java.util.Arrays.stream(a).asLongStream().toArray(); }
}
