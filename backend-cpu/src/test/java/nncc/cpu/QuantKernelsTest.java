package nncc.cpu;

import static nncc.cpu.TestGraphs.assertFloats;
import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static nncc.cpu.TestGraphs.ints;
import static nncc.cpu.TestGraphs.scalarF;
import static nncc.cpu.TestGraphs.scalarI;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import nncc.ir.DType;
import nncc.ir.Tensor;
import nncc.ir.op.DequantizeLinear;
import nncc.ir.op.QuantizeLinear;
import org.junit.jupiter.api.Test;

/** QuantizeLinear and DequantizeLinear, bit-exact (tolerance 0): ties to even, saturation, per-axis, wide types. */
class QuantKernelsTest {

    @Test
    void tiesRoundToEven() {
        Tensor x = f32(dims(8), 2.5f, 3.5f, -2.5f, -3.5f, 0.5f, 1.5f, 2.4f, -0.5f);
        Tensor q = TestGraphs.run(new QuantizeLinear(1, DType.I8), x, scalarF(1f), scalarI(DType.I8, 0));
        assertEquals(DType.I8, q.dtype());
        assertArrayEquals(new long[] {2, 4, -2, -4, 0, 2, 2, 0}, q.toLongs());
    }

    @Test
    void scaleZeroPointAndSaturation() {
        // u8, scale 0.5, zp 128: x / 0.5 rounded, + 128, clamped to [0, 255]
        Tensor x = f32(dims(6), 0f, 1.25f, -1.25f, 63.5f, 64f, -70f);
        Tensor q = TestGraphs.run(new QuantizeLinear(1, DType.U8), x, scalarF(0.5f), scalarI(DType.U8, 128));
        assertArrayEquals(new long[] {128, 130, 126, 255, 255, 0}, q.toLongs()); // 2.5 -> 2, -2.5 -> -2
        Tensor s = TestGraphs.run(new QuantizeLinear(1, DType.I8), f32(dims(2), 1000f, -1000f), scalarF(1f), scalarI(DType.I8, 0));
        assertArrayEquals(new long[] {127, -128}, s.toLongs());
    }

    @Test
    void withoutZeroPointUsesZero() {
        Tensor q = TestGraphs.run(new QuantizeLinear(1, DType.U8), f32(dims(2), 3f, -3f), scalarF(1f));
        assertArrayEquals(new long[] {3, 0}, q.toLongs());
    }

    @Test
    void divisionIsInFloat32() {
        // numpy divides float32 by float32: 0.35f / 0.1f is exactly 3.5 there (a tie, to even: 4), while the
        // same quotient in double is 3.4999998882 (would give 3); 0.45f / 0.1f is 4.5 in float32 -> 4
        Tensor q = TestGraphs.run(new QuantizeLinear(1, DType.I8), f32(dims(3), 0.3f, 0.35f, 0.45f), scalarF(0.1f), scalarI(DType.I8, 0));
        assertArrayEquals(new long[] {3, 4, 4}, q.toLongs());
    }

    @Test
    void perAxisScalesAndZeroPoints() {
        // [2 channels, 3] along axis 0: channel 0 scale 1 zp 0, channel 1 scale 0.25 zp 10
        Tensor x = f32(dims(2, 3), 1, -2, 3.5f, 0.25f, 0.5f, -1f);
        Tensor q = TestGraphs.run(new QuantizeLinear(0, DType.I8), x, f32(dims(2), 1f, 0.25f), ints(DType.I8, dims(2), 0, 10));
        assertArrayEquals(new long[] {1, -2, 4, 11, 12, 6}, q.toLongs());
        Tensor back = TestGraphs.run(new DequantizeLinear(0), q, f32(dims(2), 1f, 0.25f), ints(DType.I8, dims(2), 0, 10));
        assertFloats(new float[] {1, -2, 4, 0.25f, 0.5f, -1f}, back, 0f);
    }

    @Test
    void sixteenAndThirtyTwoBitOutputs() {
        Tensor x = f32(dims(3), 40000f, -40000f, 12345.5f);
        Tensor q16 = TestGraphs.run(new QuantizeLinear(1, DType.I16), x, scalarF(1f), scalarI(DType.I16, 0));
        assertArrayEquals(new long[] {32767, -32768, 12346}, q16.toLongs()); // 12345.5 ties to 12346 (even)
        Tensor q32 = TestGraphs.run(new QuantizeLinear(1, DType.I32), f32(dims(3), 3e9f, -3e9f, 100.5f), scalarF(1f), scalarI(DType.I32, 0));
        assertArrayEquals(new long[] {Integer.MAX_VALUE, Integer.MIN_VALUE, 100}, q32.toLongs());
    }

    @Test
    void dequantizeUint8AndInt32() {
        Tensor y = TestGraphs.run(new DequantizeLinear(1), ints(DType.U8, dims(3), 0, 128, 255), scalarF(0.5f), scalarI(DType.U8, 128));
        assertEquals(DType.F32, y.dtype());
        assertFloats(new float[] {-64f, 0f, 63.5f}, y, 0f);
        Tensor b = TestGraphs.run(new DequantizeLinear(1), ints(DType.I32, dims(2), 1000, -7), scalarF(0.001f));
        assertFloats(new float[] {1000 * 0.001f, -7 * 0.001f}, b, 0f);
    }
}
