package nncc.passes.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import nncc.ir.DType;
import nncc.ir.QuantParams;
import org.junit.jupiter.api.Test;

/** Hand-computed quantization parameters: TFLite's asymmetric int8, symmetric int16, degenerate ranges. */
class QuantChoiceTest {
    private static QuantParams i8(double min, double max) { return QuantChoice.forActivation(new Range(min, max), DType.I8); }

    @Test void asymmetricInt8OfMinusOneToTwo() {
        // scale = 3/255; zp = round(-128 + 1 / (3/255)) = round(-128 + 85) = -43
        QuantParams q = i8(-1, 2);
        assertEquals(3f / 255f, q.scale(0), 0f);
        assertEquals(-43, q.zeroPoint(0));
    }

    @Test void nonNegativeRangeGetsZeroPointAtQmin() {
        QuantParams q = i8(0, 6);
        assertEquals(6f / 255f, q.scale(0), 0f);
        assertEquals(-128, q.zeroPoint(0));
    }

    @Test void rangeIsWidenedToContainZero() {
        // [0.5, 2] -> [0, 2]; [-3, -1] -> [-3, 0]: zp = -128 + 3 / (3/255) = 127
        assertEquals(QuantParams.perTensor(2f / 255f, -128), i8(0.5, 2));
        assertEquals(QuantParams.perTensor(3f / 255f, 127), i8(-3, -1));
    }

    @Test void zeroPointRoundsHalfAwayFromZero() {
        assertEquals(-86, QuantChoice.roundHalfAwayFromZero(-85.5));
        assertEquals(3, QuantChoice.roundHalfAwayFromZero(2.5));
        assertEquals(-3, QuantChoice.roundHalfAwayFromZero(-2.5));
        assertEquals(0, QuantChoice.roundHalfAwayFromZero(0.49999997f));
        assertEquals(-42, QuantChoice.roundHalfAwayFromZero(-42.4));
    }

    @Test void symmetricInt16() {
        QuantParams q = QuantChoice.forActivation(new Range(-3, 2), DType.I16);
        assertEquals(3f / 32767f, q.scale(0), 0f);
        assertEquals(0, q.zeroPoint(0));
    }

    @Test void symmetricInt8WeightsUse127() {
        QuantParams q = QuantChoice.symmetric(0.5, QuantChoice.symmetricQmax(8));
        assertEquals(0.5f / 127f, q.scale(0), 0f);
        assertEquals(7, QuantChoice.symmetricQmax(4));
    }

    @Test void allZeroRangeGetsTheSmallestScale() {
        assertEquals(QuantParams.perTensor(0x1p-23f, -128), i8(0, 0));
        assertEquals(QuantParams.perTensor(0x1p-23f, 0), QuantChoice.forActivation(new Range(0, 0), DType.I16));
        assertEquals(1.1920929e-7f, QuantChoice.MIN_SCALE, 0f);
    }

    @Test void representableRangeOfTheGrid() {
        Range r = QuantChoice.representable(i8(-1, 2), DType.I8);
        double s = 3f / 255f;
        assertEquals(-85 * s, r.min(), 1e-12);
        assertEquals(170 * s, r.max(), 1e-12);
    }

    @Test void rejectsOtherTypesAndBadRanges() {
        assertThrows(IllegalArgumentException.class, () -> QuantChoice.forActivation(new Range(0, 1), DType.I32));
        assertThrows(IllegalArgumentException.class, () -> QuantChoice.asymmetric(0, Double.POSITIVE_INFINITY, -128, 127));
        assertThrows(IllegalArgumentException.class, () -> new Range(2, 1));
    }
}
