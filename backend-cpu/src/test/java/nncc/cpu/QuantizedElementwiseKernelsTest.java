package nncc.cpu;

import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.Rounding;
import nncc.ir.Tensor;
import nncc.ir.op.QAdd;
import nncc.ir.op.QMul;
import org.junit.jupiter.api.Test;

/** QAdd and QMul against hand-computed values and against the TFLite formulas evaluated independently here; exact. */
class QuantizedElementwiseKernelsTest {
    private static final int Q30 = 1 << 30;

    @Test
    void qAddWithPowerOfTwoScalesByHand() {
        // scales A 0.25, B 0.5, output 1.0, zero points 0; TFLite: left shift 20, twice the max input scale = 1.0, so
        // multiplier A = 0.25 = (2^30, -1), B = 0.5 = (2^30, 0), output = 1 / (2^20 * 1.0) = (2^30, -19).
        // a = 3, b = 1: a' = 3 * 2^20 * 0.25 = 786432, b' = 2^19, sum = 1310720, * 2^-20 = 1.25 -> 1.
        // a = 2, b = 0: 0.5 -> 1 (tie away from zero); a = -3, b = 0: -0.75 -> -1. B broadcasts along rows.
        QAdd op = new QAdd(0, 0, 20, Q30, -1, Q30, 0, Q30, -19, 0, 1f, DType.I8, -128, 127, Rounding.DOUBLE_ROUND);
        Tensor y = TestGraphs.run(op, ints(DType.I8, dims(2, 2), 3, 2, -2, -3), ints(DType.I8, dims(2), 1, 0));
        // row 0: [3 + 1, 2 + 0] = [1.25, 0.5]; row 1: [-2 + 1, -3 + 0] = [-0.5 + 0.5, -0.75] = [0, -1]
        assertArrayEquals(new long[] {1, 1, 0, -1}, y.toLongs());
    }

    @Test
    void qAddWithDifferentScalesMatchesTheTfliteFormula() {
        float sA = 0.02f, sB = 0.05f, sY = 0.06f;
        long zA = -5, zB = 3, zY = -10;
        int leftShift = 20;
        double twiceMax = 2 * Math.max(sA, sB);
        FixedPoint.Multiplier mA = FixedPoint.quantizeMultiplier(sA / twiceMax, Rounding.DOUBLE_ROUND);
        FixedPoint.Multiplier mB = FixedPoint.quantizeMultiplier(sB / twiceMax, Rounding.DOUBLE_ROUND);
        FixedPoint.Multiplier mY = FixedPoint.quantizeMultiplier(twiceMax / ((1 << leftShift) * (double) sY), Rounding.DOUBLE_ROUND);
        QAdd op = new QAdd(zA, zB, leftShift, mA.multiplier(), mA.shift(), mB.multiplier(), mB.shift(), mY.multiplier(), mY.shift(),
                zY, sY, DType.I8, (int) zY, 127, Rounding.DOUBLE_ROUND); // fused Relu: clamp at the zero point
        Random r = new Random(3);
        long[] a = new long[2 * 3 * 4], b = new long[3];
        for (int i = 0; i < a.length; i++) a[i] = r.nextInt(256) - 128;
        for (int i = 0; i < b.length; i++) b[i] = r.nextInt(256) - 128;
        // A [2, 3, 4] + B [3, 1]: B[j] is added to every element of row j
        Tensor y = TestGraphs.run(op, ints(DType.I8, dims(2, 3, 4), a), ints(DType.I8, dims(3, 1), b));
        long[] got = y.toLongs();
        for (int i = 0; i < a.length; i++) {
            long bj = b[(i / 4) % 3];
            int sa = FixedPoint.multiplyByQuantizedMultiplier((int) (a[i] - zA) << leftShift, mA, Rounding.DOUBLE_ROUND);
            int sb = FixedPoint.multiplyByQuantizedMultiplier((int) (bj - zB) << leftShift, mB, Rounding.DOUBLE_ROUND);
            long want = Math.max(zY, Math.min(127, FixedPoint.multiplyByQuantizedMultiplier(sa + sb, mY, Rounding.DOUBLE_ROUND) + zY));
            assertTrue(got[i] == want, "element " + i + ": " + got[i] + " vs " + want);
            // and within one step of the real-valued sum
            double real = Math.max(0, sA * (a[i] - zA) + sB * (bj - zB)) / sY + zY;
            assertTrue(Math.abs(got[i] - Math.min(127, real)) <= 1.0, "element " + i + ": " + got[i] + " vs real " + real);
        }
    }

    @Test
    void qMulByHandWithBroadcastAndClamp() {
        // scales 0.5 * 0.25 / 0.125 = 1.0 = (2^30, 1); zero points A 1, B 0, output 5; fused RELU6: clamp
        // [5, 5 + 6 / 0.125] = [5, 53]. A [2, 1] = [3, -1] (minus zp: [2, -2]), B [3] = [-2, 0, 30]:
        // products [[-4, 0, 60], [4, 0, -60]] + 5 = [[1, 5, 65], [9, 5, -55]], clamped
        QMul op = new QMul(1, 0, Q30, 1, 5, 0.125f, DType.I8, 5, 53, Rounding.DOUBLE_ROUND, nncc.ir.op.Activation.RELU6);
        Tensor y = TestGraphs.run(op, ints(DType.I8, dims(2, 1), 3, -1), ints(DType.I8, dims(3), -2, 0, 30));
        assertArrayEquals(new long[] {5, 5, 53, 9, 5, 5}, y.toLongs());
    }

    @Test
    void qMulRoundsTheProduct() {
        // multiplier 0.1 (1717986918, shift -3): (a - 0) * (b - 0) = [15, -15, 25] -> [1.5 -> 2, -1.5 -> -2, 2.5 -> 3]
        FixedPoint.Multiplier m = FixedPoint.quantizeMultiplier(0.1, Rounding.DOUBLE_ROUND);
        QMul op = new QMul(0, 0, m.multiplier(), m.shift(), 0, 1f, DType.I8, -128, 127, Rounding.DOUBLE_ROUND);
        Tensor y = TestGraphs.run(op, ints(DType.I8, dims(3), 5, -5, 5), ints(DType.I8, dims(3), 3, 3, 5));
        assertArrayEquals(new long[] {2, -2, 3}, y.toLongs());
    }
}
