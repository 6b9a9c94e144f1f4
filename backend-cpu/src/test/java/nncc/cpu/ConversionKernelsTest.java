package nncc.cpu;

import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static nncc.cpu.TestGraphs.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Cast;
import nncc.ir.op.Dequantize;
import nncc.ir.op.LutFunction;
import nncc.ir.op.QLut;
import nncc.ir.op.Quantize;
import nncc.ir.op.Requantize;
import org.junit.jupiter.api.Test;

/** Quantize, Dequantize, Requantize, QLut and Cast; integer results exact, float results bit-exact. */
class ConversionKernelsTest {
    private static final int Q30 = 1 << 30;

    @Test
    void quantizeRoundsTiesAwayFromZeroAndSaturates() {
        // x / 0.5: [2.5, -2.5, 2, 127, 128, -129, 0.5, -0.5] -> [3, -3, 2, 127, 127 (sat), -128 (sat), 1, -1]
        Tensor y = TestGraphs.run(new Quantize(0.5f, 0, DType.I8), f32(dims(8), 1.25f, -1.25f, 1f, 63.5f, 64f, -64.5f, 0.25f, -0.25f));
        assertEquals(DType.I8, y.dtype());
        assertArrayEquals(new long[] {3, -3, 2, 127, 127, -128, 1, -1}, y.toLongs());
        // with zero point 10 to u8: 2.5 -> 3 + 10; -2.5 -> -3 + 10; -20 -> -10 -> 0 (sat); NaN -> the zero point
        Tensor u = TestGraphs.run(new Quantize(0.5f, 10, DType.U8), f32(dims(4), 1.25f, -1.25f, -10f, Float.NaN));
        assertArrayEquals(new long[] {13, 7, 0, 10}, u.toLongs());
    }

    @Test
    void quantizeDividesInFloat32() {
        // -1.85f / 0.1f is -18.49999996 in exact arithmetic but exactly -18.5 in float32, as TFLite computes it,
        // so it rounds (away from zero) to -19, not -18
        Tensor y = TestGraphs.run(new Quantize(0.1f, 0, DType.I8), f32(dims(2), -1.85f, 1.85f));
        assertArrayEquals(new long[] {-19, 19}, y.toLongs());
    }

    @Test
    void dequantizeMultipliesInDoubleAndRoundsOnce() {
        Tensor y = TestGraphs.run(new Dequantize(0.1f, -3), ints(DType.I8, dims(3), -3, 7, -128));
        assertEquals(DType.F32, y.dtype());
        // 10 * 0.100000001490116 = 1.00000001490116 -> 1.0f; -125 * 0.1f = -12.5000001862645 -> -12.5f
        assertArrayEquals(new float[] {0f, 1f, -12.5f}, y.toFloats(), 0f);
    }

    @Test
    void requantizeSaturates() {
        // multiplier 2.0 = (2^30, shift 2): [200, -200, 6] -> [127, -128, 6]
        Tensor y = TestGraphs.run(new Requantize(0, Q30, 2, 0, 1f, DType.I8, Rounding.DOUBLE_ROUND), ints(DType.I8, dims(3), 100, -100, 3));
        assertArrayEquals(new long[] {127, -128, 6}, y.toLongs());
        // i32 to u8, input zp 8, multiplier 1/16 = (2^30, -3), output zp 100: (x - 8) / 16 = [2.5, -2.5, 312.5]
        // -> [3, -3, 313] + 100 -> [103, 97, 255 (sat)]
        Tensor u = TestGraphs.run(new Requantize(8, Q30, -3, 100, 1f, DType.U8, Rounding.DOUBLE_ROUND),
                ints(DType.I32, dims(3), 48, -32, 5008));
        assertEquals(DType.U8, u.dtype());
        assertArrayEquals(new long[] {103, 97, 255}, u.toLongs());
    }

    @Test
    void lookupIndexesFromTheTypeMinimum() {
        long[] table = new long[256];
        // leaky relu with slope 0.5, input and output sharing scale and zero point 0: v >= 0 ? v : round(v / 2)
        for (int i = 0; i < 256; i++) table[i] = i >= 128 ? i - 128 : -((128 - i + 1) / 2);
        Tensor y = TestGraphs.run(new QLut(LutFunction.LEAKY_RELU, 0.5f, 0f, DType.I8, 0.5f, 0),
                ints(DType.I8, dims(5), -128, -3, -1, 0, 127), ints(DType.I8, dims(256), table));
        assertArrayEquals(new long[] {-64, -2, -1, 0, 127}, y.toLongs());
    }

    @Test
    void castToHalfRoundsToNearestEven() {
        float halfway = 1f + 0x1p-11f, aboveHalfway = 1f + 3 * 0x1p-11f;
        Tensor y = TestGraphs.run(new Cast(DType.F16), f32(dims(5), halfway, aboveHalfway, 65520f, Float.NaN, -0f));
        assertEquals(DType.F16, y.dtype());
        float[] v = y.toFloats();
        assertEquals(1f, v[0], 0f);              // tie to even: 1.0
        assertEquals(1f + 0x1p-9f, v[1], 0f);    // tie to even: 1 + 2 * 2^-10
        assertEquals(Float.POSITIVE_INFINITY, v[2], 0f); // halfway between 65504 and 2^16 rounds to infinity
        assertEquals(true, Float.isNaN(v[3]));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(v[4]));
    }

    @Test
    void castFromDoubleRoundsOnlyOnce() {
        // 1 + 2^-11 + 2^-40 lies just above the f16 halfway point, so f16 gives 1 + 2^-10; going through the nearest
        // float32 (exactly the halfway point) would give 1.0
        double d = 1 + 0x1p-11 + 0x1p-40;
        Tensor in = Tensor.ofDoubles(Shape.of(2), d, 1 + 0x1p-8 + 0x1p-40);
        assertArrayEquals(new float[] {1f + 0x1p-10f, 1f + 0x1p-7f}, new float[] {
                TestGraphs.run(new Cast(DType.F16), in).toFloats()[0], TestGraphs.run(new Cast(DType.BF16), in).toFloats()[1]}, 0f);
        Tensor f = TestGraphs.run(new Cast(DType.F32), in);
        assertEquals((float) d, f.toFloats()[0], 0f);
    }

    @Test
    void castWidensExactly() {
        Tensor half = Tensor.ofFloats(DType.F16, Shape.of(2), 1f + 0x1p-10f, -65504f);
        Tensor f = TestGraphs.run(new Cast(DType.F32), half);
        assertArrayEquals(new float[] {1f + 0x1p-10f, -65504f}, f.toFloats(), 0f);
        Tensor d = TestGraphs.run(new Cast(DType.F64), half);
        assertEquals(DType.F64, d.dtype());
        assertArrayEquals(new double[] {1 + 0x1p-10, -65504}, d.toDoubles(), 0);
        // bf16: 1 + 2^-8 is halfway between 1 and 1 + 2^-7 -> 1 (even)
        assertArrayEquals(new float[] {1f}, TestGraphs.run(new Cast(DType.BF16), f32(dims(1), 1f + 0x1p-8f)).toFloats(), 0f);
    }
}
