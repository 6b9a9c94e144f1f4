package nncc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime's float arithmetic ({@link Rounding#ONNX_FLOAT32}) on hand-computed cases: ties to even where TFLite
 * rounds them away from zero, float32 (not exact) scales, the storage shift of QLinearAdd and QLinearAveragePool, and
 * the IR's contract: stored scales print and parse back exactly and must equal what ORT computes from the types.
 */
class OnnxArithmeticTest {
    @Test
    void requantizationRoundsTiesToEvenAfterAFloat32Product() {
        assertEquals(2, OnnxArithmetic.requantize(5, 0.5f, 0, -128, 127));   // 2.5 -> 2 (TFLite: 3)
        assertEquals(4, OnnxArithmetic.requantize(7, 0.5f, 0, -128, 127));   // 3.5 -> 4
        assertEquals(-2, OnnxArithmetic.requantize(-5, 0.5f, 0, -128, 127)); // -2.5 -> -2 (TFLite: -3)
        assertEquals(-126, OnnxArithmetic.requantize(5, 0.5f, -128, -128, 127));
        assertEquals(127, OnnxArithmetic.requantize(1000, 1f, 0, -128, 127));
        // fl(fl(0.1 * 0.2) / 0.3) is a float32 value, not the real 1/15
        float s = OnnxArithmetic.linearScale(0.1f, 0.2f, 0.3f);
        assertEquals((0.1f * 0.2f) / 0.3f, s);
        assertEquals(Math.rint((float) 1_000_001 * s), OnnxArithmetic.requantize(1_000_001, s, 0, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void addMulAndAveragePoolInTheStorageDomain() {
        // sA = 0.5, sB = 0.25, sC = 1, uint8 zero points 138, 100, 128: c = 128 - (69 + 25) = 34
        float[] p = OnnxArithmetic.addParams(0.5f, 0.25f, 1f, 138, 100, 128);
        assertEquals(34f, p[2]);
        // int8 values a = 11, b = -27 are uint8 139, 101: 0.5 * 139 + 0.25 * 101 + 34 = 128.75 -> 129 -> int8 1
        assertEquals(1, OnnxArithmetic.add(11, -27, p[0], p[1], p[2], 128, -128, 127));
        // uint8 140, 102: 70 + 25.5 + 34 = 129.5, a tie, to even: 130 -> int8 2
        assertEquals(2, OnnxArithmetic.add(12, -26, p[0], p[1], p[2], 128, -128, 127));
        // QLinearMul: (3 - 1) * (5 - 0) * 0.25 = 2.5, plus zC = 128 in uint8: 130.5 -> 130 -> int8 2
        assertEquals(2, OnnxArithmetic.mul(3, 5, 1, 0, 0.25f, 0, 128, -128, 127));
        // a 2x2 window summing (in units of s) to 6: mean 1.5, plus zero point 3: 4.5 -> 4 (TFLite: 5)
        float s = 0.5f, sum = 0;
        for (long x : new long[] {4, 4, 5, 5}) sum += OnnxArithmetic.dequantize(x, 3, s);
        assertEquals(4, OnnxArithmetic.averagePoolOutput(sum, 4, s, 3, 0, -128, 127));
    }

    private static final String CONV = """
            graph @g {
              input %x : i8[1,1,2,2]{scale = 0.5, zp = 0}
              const %w : i8[2,1,1,1]{axis = 0, scale = [0.01, 0.02], zp = [0, 0]} = [7, -3]
              node @conv = QConv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1, inputZp = 0, \
            multiplier = [1374389535, 1374389535], shift = [-5, -4], outputZp = 0, outputScale = 0.25, outType = i8, \
            actMin = -128, actMax = 127, rounding = ROUND, accumulator = i32, weightBits = 8SCALES} (%x, %w) \
            -> (%y : i8[1,2,2,2]{scale = 0.25, zp = 0})
              output %y
            }
            """;

    @Test
    void storedScalesRoundTripAndMustBeWhatOnnxRuntimeComputes() {
        float s0 = OnnxArithmetic.linearScale(0.5f, 0.01f, 0.25f), s1 = OnnxArithmetic.linearScale(0.5f, 0.02f, 0.25f);
        String good = CONV.replace("ROUND", "onnx_float32").replace("SCALES", ", onnxScales = [" + s0 + ", " + s1 + "]");
        Graph g = IrParser.parse(good, "t.nnir");
        Verifier.verify(g);
        String text = IrPrinter.print(g);
        assertTrue(text.contains("rounding = onnx_float32, accumulator = i32, weightBits = 8, onnxScales = [" + s0 + ", " + s1 + "]"), text);
        assertEquals(text, IrPrinter.print(IrParser.parse(text, "t.nnir")));
        // a scale one float32 step away from what ORT computes is refused, naming both values
        String exact = CONV.replace("ROUND", "onnx_float32").replace("SCALES", ", onnxScales = [" + s0 + ", 0.040000003]");
        Exception e = assertThrows(ModelException.class, () -> Verifier.verify(IrParser.parse(exact, "t.nnir")));
        assertTrue(e.getMessage().contains("onnxScales[1] = 0.040000003, but ONNX Runtime computes " + s1), e.getMessage());
        Exception missing = assertThrows(ModelException.class,
                () -> IrParser.parse(CONV.replace("ROUND", "onnx_float32").replace("SCALES", ""), "t.nnir"));
        assertTrue(missing.getMessage().contains("needs the op's onnxScales"), missing.getMessage());
        Exception extra = assertThrows(ModelException.class,
                () -> IrParser.parse(CONV.replace("ROUND", "single_round").replace("SCALES", ", onnxScales = [0.02, 0.04]"), "t.nnir"));
        assertTrue(extra.getMessage().contains("only for rounding onnx_float32"), extra.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FixedPoint.multiplyByQuantizedMultiplier(5, 1 << 30, 0, Rounding.ONNX_FLOAT32));
    }
}
