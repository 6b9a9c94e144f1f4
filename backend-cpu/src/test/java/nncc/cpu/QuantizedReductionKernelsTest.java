package nncc.cpu;

import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.FixedPointMath;
import nncc.ir.ModelException;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QMean;
import nncc.ir.op.QSoftmax;
import org.junit.jupiter.api.Test;

/** QAveragePool, QMean and QSoftmax: hand-computed values (tolerance 0) and properties of the softmax. */
class QuantizedReductionKernelsTest {
    private static final int Q30 = 1 << 30;

    @Test
    void averagePoolRoundsNegativeHalvesAwayFromZero() {
        // x = [[-1, -2, 3], [-4, 5, -8]], 2x2 windows, stride 1: sums -2 and -2 over 4 -> (-2 - 2) / 4 = -1 (-0.5)
        QAveragePool op = new QAveragePool(List.of(2, 2), List.of(1, 1), List.of(0, 0, 0, 0), false, -128, 127);
        Tensor x = ints(DType.I8, dims(1, 1, 2, 3), -1, -2, 3, -4, 5, -8);
        assertArrayEquals(new long[] {-1, -1}, TestGraphs.run(op, x).toLongs());
        // pad 1, stride 2: windows hold [-1], [-2, 3], [-4], [5, -8] (padding never counted):
        // -1 / 1, 1 / 2 = 0.5 -> (1 + 1) / 2 = 1, -4, -3 / 2 = -1.5 -> (-3 - 1) / 2 = -2
        QAveragePool padded = new QAveragePool(List.of(2, 2), List.of(2, 2), List.of(1, 1, 1, 1), false, -128, 127);
        Tensor y = TestGraphs.run(padded, x);
        assertEquals(Shape.of(1, 1, 2, 2), y.shape());
        assertArrayEquals(new long[] {-1, 1, -4, -2}, y.toLongs());
    }

    @Test
    void averagePoolKeepsSmallPositiveTiesAndTruncatesBelowHalf() {
        // windows of 4: sums 2 (0.5 -> 1), 1 (0.25 -> 0), -1 (-0.25 -> 0), 6 (1.5 -> 2)
        QAveragePool op = new QAveragePool(List.of(1, 4), List.of(1, 4), List.of(0, 0, 0, 0), false, -128, 127);
        Tensor y = TestGraphs.run(op, ints(DType.I8, dims(1, 1, 1, 16), 1, 1, 0, 0, 1, 0, 0, 0, -1, 0, 0, 0, 3, 3, 0, 0));
        assertArrayEquals(new long[] {1, 0, 0, 2}, y.toLongs());
    }

    @Test
    void meanOverSpatialAxes() {
        // x - zp(3): channel 0 [0, 2, 4, 6] sums 12, channel 1 [-4, -3, -2, -1] sums -10; multiplier 1/4 = (2^30, -1):
        // 3 and -2.5 -> -3 (SRDHM gives -5 exactly, RoundingDivideByPOT(-5, 1) = -3); + zp 3 -> [6, 0]
        Tensor x = ints(DType.I8, dims(1, 2, 2, 2), 3, 5, 7, 9, -1, 0, 1, 2);
        Tensor y = TestGraphs.run(new QMean(List.of(2, 3), true, 3, Q30, -1, 3, 0.1f, DType.I8, Rounding.DOUBLE_ROUND), x);
        assertEquals(Shape.of(1, 2, 1, 1), y.shape());
        assertArrayEquals(new long[] {6, 0}, y.toLongs());
        // negative axes without keepDims, saturating into u8 with zero point 0: [3, -3] -> [3, 0]
        Tensor u = TestGraphs.run(new QMean(List.of(-1, -2), false, 3, Q30, -1, 0, 0.1f, DType.U8, Rounding.DOUBLE_ROUND), x);
        assertEquals(Shape.of(1, 2), u.shape());
        assertArrayEquals(new long[] {3, 0}, u.toLongs());
    }

    private static QSoftmax softmax(int axis, float inputScale, DType out) {
        FixedPointMath.SoftmaxScaling s = FixedPointMath.softmaxScaling(1.0, inputScale);
        return new QSoftmax(axis, s.inputMultiplier(), s.inputLeftShift(), s.diffMin(), 1f / 256,
                out.minValue(), out);
    }

    @Test
    void softmaxOfEqualValues() {
        // every difference is 0: exp = 2^31 - 1, in Q12.19 2^19 each, sum 10 * 2^19 = 5242880 (clz 9: 3 bits over the
        // unit, normalized 1.25); 1/1.25 = 1717986914 in Q0; output = RoundingDivideByPOT(SRDHM(1717986914, 2^31 - 1)
        // = 1717986913, 3 + 31 - 8 = 26) = round(25.6) = 26, i.e. round(256 / 10) - 128 = -102
        Tensor y = TestGraphs.run(softmax(-1, 1f / 16, DType.I8), ints(DType.I8, dims(1, 10), 5, 5, 5, 5, 5, 5, 5, 5, 5, 5));
        for (long v : y.toLongs()) assertEquals(-102, v);
        Tensor u = TestGraphs.run(softmax(-1, 1f / 16, DType.U8), ints(DType.I8, dims(1, 10), 5, 5, 5, 5, 5, 5, 5, 5, 5, 5));
        for (long v : u.toLongs()) assertEquals(26, v);
    }

    @Test
    void softmaxOfAKnownRow() {
        // input scale 1/16, beta 1: multiplier 2^30, left shift 23, diffMin -248. Row [10, 0, -6, -10, -100]:
        // differences [0, -10, -16, -20, -110] -> Q5.26 [0, -41943040, -67108864, -83886080, -461373440]
        // exp in Q0 [2147483647, 1149465166, 790015308, 615264540, 2218990] -> Q12.19 [524288, 280631, 192875, 150211, 542]
        // sum 1148547 (clz 11: 1 bit over the unit), reciprocal 1960563926; exponent 1 + 31 - 8 = 24
        // -> [117, 63, 43, 33, 0] - 128 (float softmax * 256 - 128: [-11.1, -65.5, -85.0, -94.5, -127.9])
        Tensor y = TestGraphs.run(softmax(1, 1f / 16, DType.I8), ints(DType.I8, dims(1, 5), 10, 0, -6, -10, -100));
        assertArrayEquals(new long[] {-11, -65, -85, -95, -128}, y.toLongs());
    }

    @Test
    void softmaxSkipsDifferencesBelowDiffMin() {
        // input scale 0.5: multiplier 2^30, left shift 26, diffMin -31; -32 is skipped (-128 directly), -31 gives
        // exp(-15.5) which rounds away; the maximum alone makes the sum 1.0 -> 256 -> clamped to 127
        QSoftmax op = softmax(0, 0.5f, DType.I8);
        assertEquals(-31, op.diffMin());
        Tensor y = TestGraphs.run(op, ints(DType.I8, dims(3), 0, -31, -32));
        assertArrayEquals(new long[] {127, -128, -128}, y.toLongs());
    }

    @Test
    void softmaxAlongAnInnerAxis() {
        // axis 0 of [2, 3]: each column is a row of two; equal pairs give 128 - 128 = 0 each, [10, 0] gives the
        // known pair from a column of [10, 0]
        Tensor y = TestGraphs.run(softmax(0, 1f / 16, DType.I8), ints(DType.I8, dims(2, 3), 4, 10, -7, 4, 0, -7));
        Tensor pair = TestGraphs.run(softmax(0, 1f / 16, DType.I8), ints(DType.I8, dims(2), 10, 0));
        long[] v = y.toLongs(), p = pair.toLongs();
        assertArrayEquals(new long[] {0, p[0], 0, 0, p[1], 0}, v);
    }

    @Test
    void softmaxIsMonotoneSumsToAbout256AndTracksFloat() {
        Random r = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            int n = 2 + r.nextInt(20);
            float scale = 0.01f + r.nextFloat() * 0.2f;
            long[] x = new long[n];
            for (int i = 0; i < n; i++) x[i] = r.nextInt(256) - 128;
            long[] y = TestGraphs.run(softmax(-1, scale, DType.I8), ints(DType.I8, dims(1, n), x)).toLongs();
            double max = Double.NEGATIVE_INFINITY, sumExp = 0;
            for (long v : x) max = Math.max(max, v);
            for (long v : x) sumExp += Math.exp((v - max) * scale);
            long total = 0;
            for (int i = 0; i < n; i++) {
                total += y[i] + 128;
                for (int j = 0; j < n; j++) if (x[i] >= x[j]) assertTrue(y[i] >= y[j], "not monotone: " + trial);
                double real = 256 * Math.exp((x[i] - max) * scale) / sumExp - 128;
                assertTrue(Math.abs(y[i] - Math.min(127, real)) <= 1.0, "trial " + trial + " element " + i + ": " + y[i] + " vs " + real);
            }
            assertTrue(Math.abs(total - 256) <= n, "trial " + trial + ": outputs sum to " + total);
        }
    }

    @Test
    void softmaxRejectsAZeroPointOtherThanTheTypeMinimum() {
        QSoftmax op = new QSoftmax(-1, Q30, 23, -248, 1f / 256, 0, DType.I8);
        assertThrows(ModelException.class, () -> TestGraphs.run(op, ints(DType.I8, dims(1, 2), 1, 2)));
    }

    @Test
    void softmaxRowWhoseExponentialsReach512GivesTheOutputMinimum() {
        // every value tied at the row maximum: each exponential is 1.0 and the sum is the row length. Below 512 the
        // quotient 256 / n rounds as usual (500: 0.512 -> 1 step above the minimum); from 512 on, gemmlowp's final
        // shift would pass 31 (undefined in TFLite), and every quotient is below half a step: the minimum, defined.
        QSoftmax op = new QSoftmax(1, Q30, 23, -248, 1f / 256, -128, DType.I8);
        for (int n : new int[] {500, 512, 600}) {
            Tensor y = TestGraphs.run(op, ints(DType.I8, dims(1, n), new long[n]));
            long want = n < 512 ? -127 : -128;
            for (long v : y.toLongs()) assertEquals(want, v, "row of " + n);
        }
    }

    @Test
    void meanOverTrailingAndInnerAxesMatchesDirectSums() {
        // the trailing axes take a contiguous-run loop, others the general walk; both against sums written out here
        Random r = new Random(3);
        long[] x = r.longs(2 * 3 * 4 * 5, -128, 128).toArray();
        Tensor xt = ints(DType.I8, dims(2, 3, 4, 5), x);
        int zp = -7, mult = Q30 + 12345, shift = -3, outZp = 5;
        for (List<Integer> axes : List.of(List.of(2, 3), List.of(1, 3), List.of(3))) {
            Tensor y = TestGraphs.run(new QMean(axes, true, zp, mult, shift, outZp, 0.1f, DType.I8, Rounding.DOUBLE_ROUND), xt);
            long[] got = y.toLongs();
            int[] dimsIn = {2, 3, 4, 5};
            int[] kept = new int[4];
            for (int d = 0; d < 4; d++) kept[d] = axes.contains(d) ? 1 : dimsIn[d];
            int[] sums = new int[kept[0] * kept[1] * kept[2] * kept[3]];
            for (int a = 0; a < 2; a++) for (int b = 0; b < 3; b++) for (int c = 0; c < 4; c++) for (int d = 0; d < 5; d++) {
                int[] p = {a, b, c, d};
                int o = 0;
                for (int k = 0; k < 4; k++) o = o * kept[k] + (axes.contains(k) ? 0 : p[k]);
                sums[o] += (int) x[((a * 3 + b) * 4 + c) * 5 + d] - zp;
            }
            long[] want = new long[sums.length];
            for (int o = 0; o < sums.length; o++)
                want[o] = Math.max(-128, Math.min(127, nncc.ir.FixedPoint.multiplyByQuantizedMultiplier(sums[o], mult, shift, Rounding.DOUBLE_ROUND) + outZp));
            assertArrayEquals(want, got, "axes " + axes);
        }
    }
}
