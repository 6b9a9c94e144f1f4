package nncc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * gemmlowp's fixed-point functions and TFLite's softmax scaling: exact values worked out step by step from the
 * gemmlowp/TFLite definitions (the steps are in the comments), plus accuracy properties against double math.
 */
class FixedPointMathTest {
    static final int MIN = Integer.MIN_VALUE, MAX = Integer.MAX_VALUE;
    static final int Q5_ONE = 1 << 26;

    @Test
    void multiplyByPotSaturatesLeftAndRoundsRight() {
        // exponent 5: the threshold is 2^26 - 1; 2^26 * 32 = 2^31 does not fit
        assertEquals(MAX, FixedPointMath.saturatingRoundingMultiplyByPOT(1 << 26, 5));
        assertEquals(((1 << 26) - 1) << 5, FixedPointMath.saturatingRoundingMultiplyByPOT((1 << 26) - 1, 5));
        assertEquals(MIN, FixedPointMath.saturatingRoundingMultiplyByPOT(-(1 << 26), 5));
        assertEquals(-((1 << 26) - 1) << 5, FixedPointMath.saturatingRoundingMultiplyByPOT(-((1 << 26) - 1), 5));
        assertEquals(-3, FixedPointMath.saturatingRoundingMultiplyByPOT(-5, -1)); // -2.5 -> -3
        assertEquals(3, FixedPointMath.saturatingRoundingMultiplyByPOT(5, -1));   // 2.5 -> 3
        assertEquals(7, FixedPointMath.saturatingRoundingMultiplyByPOT(7, 0));
        // Q0 -> Q12 divides by 2^12: 2^31 - 1 -> 524287.99... -> 2^19
        assertEquals(1 << 19, FixedPointMath.rescale(MAX, 0, 12));
    }

    @Test
    void roundingHalfSumRoundsAwayFromZeroWithoutOverflow() {
        assertEquals(2, FixedPointMath.roundingHalfSum(1, 2));    // 1.5 -> 2
        assertEquals(-2, FixedPointMath.roundingHalfSum(-1, -2)); // -1.5 -> -2
        assertEquals(-1, FixedPointMath.roundingHalfSum(0, -1));  // -0.5 -> -1
        assertEquals(MAX, FixedPointMath.roundingHalfSum(MAX, MAX));
        assertEquals(MIN, FixedPointMath.roundingHalfSum(MIN, MIN));
    }

    @Test
    void expOfMinusOneQuarterStepByStep() {
        // a = -1/4 in Q5.26 = -2^24. a & (2^24 - 1) = 0, so a mod 1/4 - 1/4 = -2^24 and the remainder is 0 (no
        // barrel-shifter factor). Rescaled to Q0: -2^24 * 32 = -2^29. Taylor around -1/8: x = -2^29 + 2^28 = -2^28,
        // x2 = 2^56 / 2^31 = 2^25, x3 = -2^22, x4 = 2^19, x4/4 = 131072; x4/4 + x3 = -4063232;
        // * 1/3 (715827883): -1354410.67 -> -1354411; + x2 = 32200021; / 2 -> 16100011 (10.5 rounds away);
        // x + that = -252335445; e^(-1/8) (1895147668) * that = -222685249; + e^(-1/8) = 1672462419
        // (exact: e^(-1/4) * 2^31 = 1672461946.7).
        assertEquals(1672462419, FixedPointMath.expOnIntervalBetweenNegativeOneQuarterAnd0Excl(-(1 << 29)));
        assertEquals(1672462419, FixedPointMath.expOnNegativeValues(-(1 << 24), 5));
    }

    @Test
    void expOfMinusOneUsesTheBarrelShifter() {
        // a = -1 = -2^26: a mod 1/4 - 1/4 = -1/4 as above; remainder = -2^24 - (-2^26) = 3 * 2^24, i.e. bits 24 and 25,
        // so the result is e^(-1/4) [Taylor] * e^(-1/4) [1672461947] * e^(-1/2) [1302514674], each product an SRDHM
        int expected = FixedPoint.saturatingRoundingDoublingHighMul(
                FixedPoint.saturatingRoundingDoublingHighMul(1672462419, 1672461947), 1302514674);
        assertEquals(790015308, expected);
        assertEquals(expected, FixedPointMath.expOnNegativeValues(-Q5_ONE, 5));
    }

    @Test
    void expOfZeroIsOneAndVeryNegativeIsTiny() {
        assertEquals(MAX, FixedPointMath.expOnNegativeValues(0, 5));
        assertEquals(0, FixedPointMath.expOnNegativeValues(MIN, 5)); // -32: all barrel factors, 242 * ... -> 0
        // with more than 5 integer bits, values below -32 are clamped to 0 explicitly
        assertEquals(0, FixedPointMath.expOnNegativeValues(-(33 << 22), 9));
    }

    @Test
    void expIsAccurateOverTheSoftmaxRange() {
        for (int raw = 0; raw >= -(31 * Q5_ONE); raw -= 104729) {
            double exact = Math.exp(raw / (double) Q5_ONE) * 0x1p31;
            int got = FixedPointMath.expOnNegativeValues(raw, 5);
            assertTrue(Math.abs(got - exact) < 0x1p31 * 1e-6, "exp(" + raw / (double) Q5_ONE + ") = " + got + " vs " + exact);
        }
    }

    @Test
    void oneOverOnePlusX() {
        // x = 0: half denominator (0 + MAX + 1) / 2 = 2^30 = 0.5; Newton-Raphson converges to 2 in Q2, halved and
        // rescaled to Q0 saturates at 2^31 - 1
        assertEquals(MAX, FixedPointMath.oneOverOnePlusXForXIn01(0));
        for (long raw = 0; raw < (1L << 31); raw += 7919 * 1021) {
            double exact = 0x1p31 / (1 + raw / 0x1p31);
            int got = FixedPointMath.oneOverOnePlusXForXIn01((int) raw);
            assertTrue(Math.abs(got - exact) <= 16, "1/(1+" + raw / 0x1p31 + ") = " + got + " vs " + exact);
        }
    }

    @Test
    void reciprocalNormalizesToOneTwo() {
        // 1.0 in Q12.19 = 2^19: 12 leading zeros, so nothing over the unit and 1/1 = MAX in Q0
        assertEquals(new FixedPointMath.Reciprocal(MAX, 0), FixedPointMath.reciprocal(1 << 19, 12));
        // 3.0: normalized to 1.5 (one bit over the unit), 1/1.5 = 0.6667 = 1431655762 (exact 1431655765.3)
        FixedPointMath.Reciprocal r = FixedPointMath.reciprocal(3 << 19, 12);
        assertEquals(1, r.numBitsOverUnit());
        assertEquals(1431655762, r.scale());
        assertEquals(FixedPointMath.oneOverOnePlusXForXIn01(1 << 30), r.scale()); // 1.5 - 1 = 0.5 in Q0
        assertThrows(IllegalArgumentException.class, () -> FixedPointMath.reciprocal(0, 12));
    }

    @Test
    void softmaxScalingOfAPowerOfTwoScale() {
        // beta * scale * 2^26 = 2^-4 * 2^26 = 2^22 = 0.5 * 2^23 -> multiplier 2^30, left shift 23;
        // radius = floor(31 * 2^26 / 2^23) = 248
        FixedPointMath.SoftmaxScaling s = FixedPointMath.softmaxScaling(1.0, 0.0625);
        assertEquals(new FixedPointMath.SoftmaxScaling(1 << 30, 23, -248), s);
        // an input difference of -1 becomes -1/16 in Q5.26 = -2^22
        assertEquals(-(1 << 22), FixedPointMath.multiplyByQuantizedMultiplierGreaterThanOne(-1, s.inputMultiplier(), s.inputLeftShift()));
        assertEquals(-248 * (1 << 22), FixedPointMath.multiplyByQuantizedMultiplierGreaterThanOne(-248, s.inputMultiplier(), s.inputLeftShift()));
    }

    @Test
    void softmaxScalingOfATypicalScale() {
        // 0.1f = 0.100000001490116; * 2^26 = 6710886.5 = 0.800000011920929 * 2^23 -> round(0.8000000119 * 2^31)
        // = 1717986944, shift 23; radius again 248
        assertEquals(new FixedPointMath.SoftmaxScaling(1717986944, 23, -248), FixedPointMath.softmaxScaling(1.0, 0.1f));
        // a huge beta * scale is capped at 2^31 - 1 = 0.99999999953 * 2^31: multiplier 2^31 - 1, shift 31, radius 0
        assertEquals(new FixedPointMath.SoftmaxScaling(MAX, 31, 0), FixedPointMath.softmaxScaling(1.0, 1000.0));
        assertEquals(248, FixedPointMath.calculateInputRadius(5, 23, 31));
        assertThrows(IllegalArgumentException.class, () -> FixedPointMath.softmaxScaling(1.0, 1e-9));
    }
}
