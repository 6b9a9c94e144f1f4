package nncc.tpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.op.QAdd;
import org.junit.jupiter.api.Test;

/** XNNPACK's int8 ADD parameters on hand-computed cases, and their QAdd encoding. */
class XnnpackPrepareTest {

    @Test
    void shiftComesFromTheLargerRatioAndMultipliersHave21Bits() {
        // rA = 0.5 = 2^-1: shift = 20 - (-1) = 21; mA = 0.5 * 2^21 = 2^20, mB = 0.25 * 2^21 = 2^19
        assertEquals(new XnnpackPrepare.AddParams(1 << 20, 1 << 19, 21), XnnpackPrepare.addParams(0.5f, 0.25f, 1f, false));
        // SUB negates the second multiplier
        assertEquals(new XnnpackPrepare.AddParams(1 << 20, -(1 << 19), 21), XnnpackPrepare.addParams(0.5f, 0.25f, 1f, true));
        // rA = 3 (exponent 1): shift 19; mA = 3 * 2^19 = 1572864; rB = 0.75 -> 393216
        assertEquals(new XnnpackPrepare.AddParams(1572864, 393216, 19), XnnpackPrepare.addParams(3f, 0.75f, 1f, false));
    }

    @Test
    void multipliersRoundHalfToEvenAndMayReach2To21() {
        // rB * 2^20 = 1024.5 -> 1024 (lrintf, half to even; half away from zero would give 1025); 1025.5 -> 1026
        assertEquals(1024, XnnpackPrepare.addParams(1f, 1024.5f / (1 << 20), 1f, false).multiplierB());
        assertEquals(1026, XnnpackPrepare.addParams(1f, 1025.5f / (1 << 20), 1f, false).multiplierB());
        // the largest float below 2: 2097151.875 rounds up to 2^21, which still fits the encoding (2^21 * 2^9 = 2^30)
        float below2 = Math.nextDown(2f);
        XnnpackPrepare.AddParams p = XnnpackPrepare.addParams(below2, 0.5f, 1f, false);
        assertEquals(new XnnpackPrepare.AddParams(1 << 21, 1 << 19, 20), p);
        assertEquals(1 << 30, XnnpackPrepare.add(0, 0, below2, 0.5f, 1f, 0, DType.I8, -128, 127, false).multiplierA());
    }

    @Test
    void theDelegateTakesRatiosFrom2ToMinus10UpTo2To8() {
        assertTrue(XnnpackPrepare.delegatesAdd(0x1.0p-10f, 1f, 1f));
        assertFalse(XnnpackPrepare.delegatesAdd(Math.nextDown(0x1.0p-10f), 1f, 1f));
        assertTrue(XnnpackPrepare.delegatesAdd(Math.nextDown(256f), 1f, 1f));
        assertFalse(XnnpackPrepare.delegatesAdd(1f, 256f, 1f));
        assertThrows(IllegalArgumentException.class, () -> XnnpackPrepare.addParams(300f, 1f, 1f, false));
    }

    @Test
    void encodedAsASingleRoundingQAdd() {
        // a' = ((a - zA) * 2^22 * mA * 2^9 + 2^30) >> 31 = (a - zA) * mA; y = (a' + b' + 2^(s-1)) >> s via 2^30 and shift 1 - s
        QAdd q = XnnpackPrepare.add(-3, 5, 0.5f, 0.25f, 1f, 7, DType.I8, -128, 127, true);
        assertEquals(22, q.leftShift());
        assertEquals((1 << 20) << 9, q.multiplierA());
        assertEquals((1 << 19) << 9, q.multiplierB());
        assertEquals(0, q.shiftA());
        assertEquals(0, q.shiftB());
        assertEquals(1 << 30, q.multiplier());
        assertEquals(1 - 21, q.shift());
        assertEquals(Rounding.SINGLE_ROUND, q.rounding());
        assertTrue(q.subtract());
        assertEquals(-3, q.inputZpA());
        assertEquals(7, q.outputZp());
    }

    @Test
    void meanGoesToGlobalAveragePoolingOverTheSpatialAxesWithinItsScaleRange() {
        assertTrue(XnnpackPrepare.delegatesMean(4, new long[] {1, 2}, 0.07f, 0.07f));
        assertTrue(XnnpackPrepare.delegatesMean(4, new long[] {-2, 1}, 0.07f, 0.07f));
        assertFalse(XnnpackPrepare.delegatesMean(4, new long[] {1, 2, 3}, 0.07f, 0.07f));
        assertFalse(XnnpackPrepare.delegatesMean(4, new long[] {2, 3}, 0.07f, 0.07f));
        assertFalse(XnnpackPrepare.delegatesMean(3, new long[] {1, 2}, 0.07f, 0.07f));
        // the ratio sx / sy must lie in [2^-8, 2^8)
        assertTrue(XnnpackPrepare.delegatesMean(4, new long[] {1, 2}, 0x1.0p-8f, 1f));
        assertFalse(XnnpackPrepare.delegatesMean(4, new long[] {1, 2}, Math.nextDown(0x1.0p-8f), 1f));
        assertFalse(XnnpackPrepare.delegatesMean(4, new long[] {1, 2}, 256f, 1f));
        // scale sx / (sy * (float) n): 0.5 / (0.25 * 49) in float32
        assertEquals(0.5f / (0.25f * 49f), XnnpackPrepare.meanScale(0.5f, 0.25f, 49));
    }
}
