package nncc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Hand-computed edge cases of the fixed-point arithmetic (values worked out from the gemmlowp/TFLite definitions). */
class FixedPointTest {
    static final int MIN = Integer.MIN_VALUE, MAX = Integer.MAX_VALUE;

    @Test
    void doublingHighMulSaturatesOnlyAtMinTimesMin() {
        assertEquals(MAX, FixedPoint.saturatingRoundingDoublingHighMul(MIN, MIN));
        assertEquals(MIN + 1, FixedPoint.saturatingRoundingDoublingHighMul(MIN, MAX)); // -(2^31-1): 2*(-2^31)(2^31-1)/2^32
        assertEquals(MAX - 1, FixedPoint.saturatingRoundingDoublingHighMul(MAX, MAX)); // (2^31-1)^2/2^31 = 2^31-2+2^-31
        assertEquals(0, FixedPoint.saturatingRoundingDoublingHighMul(0, MIN));
    }

    @Test
    void doublingHighMulRoundsHalfUp() {
        // a*b*2/2^32 = a*b/2^31; with b = 2^30 this is a/2. The nudge (2^30 or 1 - 2^30) and C++'s truncating
        // division send ties upward: 1.5 -> 2, 0.5 -> 1, -1.5 -> -1, -0.5 -> 0
        assertEquals(2, FixedPoint.saturatingRoundingDoublingHighMul(3, 1 << 30));
        assertEquals(-1, FixedPoint.saturatingRoundingDoublingHighMul(-3, 1 << 30));
        assertEquals(1, FixedPoint.saturatingRoundingDoublingHighMul(1, 1 << 30));
        assertEquals(0, FixedPoint.saturatingRoundingDoublingHighMul(-1, 1 << 30));
        // non-ties round to nearest: 1.25 -> 1, -1.25 -> -1, -1.75 -> -2
        assertEquals(1, FixedPoint.saturatingRoundingDoublingHighMul(5, 1 << 29));
        assertEquals(-1, FixedPoint.saturatingRoundingDoublingHighMul(-5, 1 << 29));
        assertEquals(-2, FixedPoint.saturatingRoundingDoublingHighMul(-7, 1 << 29));
    }

    @Test
    void roundingDivideByPotTiesAwayFromZero() {
        assertEquals(3, FixedPoint.roundingDivideByPOT(5, 1));   // 2.5 -> 3
        assertEquals(-3, FixedPoint.roundingDivideByPOT(-5, 1)); // -2.5 -> -3
        assertEquals(1, FixedPoint.roundingDivideByPOT(5, 2));   // 1.25 -> 1
        assertEquals(-1, FixedPoint.roundingDivideByPOT(-5, 2)); // -1.25 -> -1
        assertEquals(-2, FixedPoint.roundingDivideByPOT(-7, 2)); // -1.75 -> -2
        assertEquals(7, FixedPoint.roundingDivideByPOT(7, 0));
        assertEquals(-1, FixedPoint.roundingDivideByPOT(MIN, 31)); // -1 exactly
        assertEquals(1, FixedPoint.roundingDivideByPOT(MAX, 31));  // 0.99999... -> 1
        assertEquals(0, FixedPoint.roundingDivideByPOT(1 << 29, 31)); // 0.25 -> 0
        assertEquals(-1, FixedPoint.roundingDivideByPOT(-(1 << 30), 31)); // -0.5 -> -1
    }

    @Test
    void quantizeMultiplierMatchesFrexp() {
        assertEquals(new FixedPoint.Multiplier(1 << 30, 1), FixedPoint.quantizeMultiplier(1.0, Rounding.DOUBLE_ROUND));
        assertEquals(new FixedPoint.Multiplier(1 << 30, 0), FixedPoint.quantizeMultiplier(0.5, Rounding.DOUBLE_ROUND));
        assertEquals(new FixedPoint.Multiplier(1 << 30, -1), FixedPoint.quantizeMultiplier(0.25, Rounding.DOUBLE_ROUND));
        // 0.75 = 0.75 * 2^0 -> 0.75 * 2^31 = 1610612736
        assertEquals(new FixedPoint.Multiplier(1610612736, 0), FixedPoint.quantizeMultiplier(0.75, Rounding.DOUBLE_ROUND));
        // just below 1.0: q rounds up to 2^31 and renormalizes to (2^30, shift + 1)
        assertEquals(new FixedPoint.Multiplier(1 << 30, 1), FixedPoint.quantizeMultiplier(1.0 - 1e-12, Rounding.DOUBLE_ROUND));
        assertEquals(new FixedPoint.Multiplier(0, 0), FixedPoint.quantizeMultiplier(0.0, Rounding.DOUBLE_ROUND));
        assertEquals(new FixedPoint.Multiplier(0, 0), FixedPoint.quantizeMultiplier(Math.pow(2, -40), Rounding.DOUBLE_ROUND));
        assertEquals(new FixedPoint.Multiplier(1 << 30, 40), FixedPoint.quantizeMultiplier(Math.pow(2, 39), Rounding.DOUBLE_ROUND));
        assertEquals(new FixedPoint.Multiplier(MAX, 30), FixedPoint.quantizeMultiplier(Math.pow(2, 39), Rounding.SINGLE_ROUND));
    }

    @Test
    void multiplyDoubleRoundingShiftsPast31AndNegativeTies() {
        FixedPoint.Multiplier half = FixedPoint.quantizeMultiplier(0.5, Rounding.DOUBLE_ROUND);
        assertEquals(3, FixedPoint.multiplyByQuantizedMultiplier(5, half, Rounding.DOUBLE_ROUND));   // 2.5 -> 3
        assertEquals(-2, FixedPoint.multiplyByQuantizedMultiplier(-5, half, Rounding.DOUBLE_ROUND)); // -2.5 -> -2 (high-mul tie goes up)
        // double rounding: 2 * 0.8 = 1.6 rounds to 2 in the high-mul, then 2 / 4 = 0.5 rounds away to 1,
        // where one rounding of 0.4 gives 0
        assertEquals(1, FixedPoint.multiplyByQuantizedMultiplier(2, 1717986918, -2, Rounding.DOUBLE_ROUND));
        assertEquals(0, FixedPoint.multiplyByQuantizedMultiplier(2, 1717986918, -2, Rounding.SINGLE_ROUND));
        // multiplier 2^-32 = (2^30, shift -31): total right shift 31 after the high-mul
        FixedPoint.Multiplier tiny = FixedPoint.quantizeMultiplier(Math.pow(2, -32), Rounding.DOUBLE_ROUND);
        assertEquals(new FixedPoint.Multiplier(1 << 30, -31), tiny);
        assertEquals(1, FixedPoint.multiplyByQuantizedMultiplier(MAX, tiny, Rounding.DOUBLE_ROUND)); // 0.49999 -> 0.5 after high-mul rounding
        assertEquals(-1, FixedPoint.multiplyByQuantizedMultiplier(MIN, tiny, Rounding.DOUBLE_ROUND)); // -0.5 -> -1
        // a left shift: x * 4
        FixedPoint.Multiplier four = FixedPoint.quantizeMultiplier(4.0, Rounding.DOUBLE_ROUND);
        assertEquals(-28, FixedPoint.multiplyByQuantizedMultiplier(-7, four, Rounding.DOUBLE_ROUND));
    }

    @Test
    void singleRoundingRoundsHalfUp() {
        FixedPoint.Multiplier half = FixedPoint.quantizeMultiplier(0.5, Rounding.SINGLE_ROUND);
        assertEquals(3, FixedPoint.multiplyByQuantizedMultiplier(5, half, Rounding.SINGLE_ROUND));  // 2.5 -> 3
        assertEquals(-2, FixedPoint.multiplyByQuantizedMultiplier(-5, half, Rounding.SINGLE_ROUND)); // -2.5 -> -2 (half up)
        FixedPoint.Multiplier tiny = FixedPoint.quantizeMultiplier(Math.pow(2, -32), Rounding.SINGLE_ROUND);
        assertEquals(0, FixedPoint.multiplyByQuantizedMultiplier(MAX, tiny, Rounding.SINGLE_ROUND)); // 0.4999 -> 0: one rounding only
        assertEquals(0, FixedPoint.multiplyByQuantizedMultiplier(MIN, tiny, Rounding.SINGLE_ROUND)); // -0.5 -> 0 (half up)
    }

    @Test
    void sixtyFourBitAccumulatorVariant() {
        // multiplier 0.5 reduced to Q15 = 2^14, shift 0: total shift 15 -> x/2 rounded half up
        assertEquals(3, FixedPoint.multiplyByQuantizedMultiplier(5L, 1 << 30, 0));
        assertEquals(-2, FixedPoint.multiplyByQuantizedMultiplier(-5L, 1 << 30, 0));
        long big = 1L << 40; // beyond int32: 2^40 * 0.5 * 2^-10 = 2^29
        assertEquals(1 << 29, FixedPoint.multiplyByQuantizedMultiplier(big, 1 << 30, -10));
        assertEquals(-(1 << 29), FixedPoint.multiplyByQuantizedMultiplier(-big, 1 << 30, -10));
    }
}
