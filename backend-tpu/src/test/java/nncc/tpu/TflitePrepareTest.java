package nncc.tpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.QuantParams;
import org.junit.jupiter.api.Test;

/** TFLite's Prepare arithmetic on hand-computed cases. */
class TflitePrepareTest {

    @Test
    void meanFoldsOneOverNIntoTheMultiplierAsTfliteDoes() {
        // QuantizeMultiplier(1.0) = (2^30, 1); s = min(floor(log2 49) = 5, 32, 31 + 1) = 5;
        // multiplier = (2^30 << 5) / 49 = 34359738368 / 49 = 701219150 (truncated), shift = 1 - 5
        FixedPoint.Multiplier m = TflitePrepare.meanMultiplier(0.07f, 0.07f, 49);
        assertEquals(new FixedPoint.Multiplier(701219150, -4), m);
    }

    @Test
    void fusedActivationClampsQuantizeInFloat() {
        // relu6 on scale 0.05, zp -10: [max(-128, -10), min(127, -10 + round(6 / 0.05))] = [-10, 110]
        assertArrayEquals(new int[] {-10, 110}, TflitePrepare.activationRange(TflitePrepare.ACT_RELU6, 0.05f, -10, DType.I8));
        assertArrayEquals(new int[] {-10, 127}, TflitePrepare.activationRange(TflitePrepare.ACT_RELU, 0.05f, -10, DType.I8));
        // relu_n1_to_1 on scale 1/64, zp 0 for int16: [-64, 64]
        assertArrayEquals(new int[] {-64, 64}, TflitePrepare.activationRange(TflitePrepare.ACT_RELU_N1_TO_1, 1f / 64, 0, DType.I16));
    }

    @Test
    void addUsesLeftShift15For16BitOutputs() {
        TflitePrepare.AddNumbers n = TflitePrepare.addNumbers(0.5f, 0.5f, 0.5f, DType.I16);
        assertEquals(15, n.leftShift());
        // each input 0.5 / 1.0 = 0.5 -> (2^30, 0); output 1.0 / (2^15 * 0.5) = 2^-14 -> (2^30, -13)
        assertEquals(new FixedPoint.Multiplier(1 << 30, 0), n.a());
        assertEquals(new FixedPoint.Multiplier(1 << 30, -13), n.out());
    }

    @Test
    void leakyReluTableUsesTheAlphaMultiplierBelowZero() {
        QuantParams p = QuantParams.perTensor(1f, 0);
        var f = TflitePrepare.leakyRelu(0.25f, p, p);
        // identity 1.0 -> (2^30, 1); alpha 0.25 -> (2^30, -1): -7 * 0.25 = -1.75 rounds to -2 (half away from zero)
        assertEquals(100, f.applyAsInt(100));
        assertEquals(-2, f.applyAsInt(-7));
        assertEquals(-1, f.applyAsInt(-2)); // -0.5 -> RoundingDivideByPOT rounds away from zero to -1
    }
}
