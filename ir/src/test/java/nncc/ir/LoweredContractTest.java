package nncc.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nncc.ir.op.Activation;
import nncc.ir.op.QConv;
import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;
import org.junit.jupiter.api.Test;

/**
 * The lowered IR states how it computes: accumulator, rounding form, weight bits and activation are attributes the
 * verifier checks, and the three arithmetic differences from TFLite found by an independent C model are fixed.
 */
class LoweredContractTest {
    private static final String CONV = """
            graph @g {
              input %x : XT[1,1,2,2]{scale = 0.5, zp = 0}
              const %w : i8[2,1,1,1]{axis = 0, scale = [0.01, 0.02], zp = [0, 0]} = [W0, -3]
              node @conv = QConv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1, inputZp = 0, \
            multiplier = [1082196480, 1082196480], shift = [-6, -7], outputZp = ZP, outputScale = 0.25, outType = XT, \
            actMin = LO, actMax = 127, rounding = ROUND, accumulator = ACC, weightBits = BITS, activation = ACT} (%x, %w) \
            -> (%y : XT[1,2,2,2]{scale = 0.25, zp = ZP})
              output %y
            }
            """;

    private static String conv(String xt, String round, String acc, int bits, int w0, String act, int zp, int lo) {
        String hi = xt.equals("i16") ? "32767" : "127";
        return CONV.replace("XT", xt).replace("ROUND", round).replace("ACC", acc).replace("BITS", String.valueOf(bits))
                .replace("W0", String.valueOf(w0)).replace("ACT", act).replace("ZP", String.valueOf(zp))
                .replace("LO", String.valueOf(lo)).replace("actMax = 127", "actMax = " + hi);
    }

    private static Graph parse(String text) {
        Graph g = IrParser.parse(text, "t.nnir");
        Verifier.verify(g);
        return g;
    }

    @Test
    void wellFormedLoweredConvRoundTripsWithEveryAttribute() {
        Graph g = parse(conv("i8", "double_round", "i32", 4, 7, "relu", -28, -28));
        String text = IrPrinter.print(g);
        assertTrue(text.contains("rounding = double_round, accumulator = i32, weightBits = 4, activation = relu"), text);
        assertEquals(text, IrPrinter.print(parse(text)));
        assertNull(Verifier.firstNotLowered(g));
    }

    @Test
    void verifierChecksAccumulatorRoundingWeightBitsAndActivation() {
        // i16 input accumulates in i64 with TFLite's Q15 form; anything else is refused by name
        parse(conv("i16", "single_round_q15", "i64", 8, 7, "none", 0, -32768));
        ModelException e = assertThrows(ModelException.class, () -> parse(conv("i16", "double_round", "i32", 8, 7, "none", 0, -32768)));
        assertTrue(e.getMessage().contains("accumulator i32 does not match input"), e.getMessage());
        e = assertThrows(ModelException.class, () -> parse(conv("i16", "double_round", "i64", 8, 7, "none", 0, -32768)));
        assertTrue(e.getMessage().contains("rounding double_round is not a requantization of i64 accumulators"), e.getMessage());
        // a 4-bit weight must hold values in [-8, 7]
        e = assertThrows(ModelException.class, () -> parse(conv("i8", "double_round", "i32", 4, 8, "relu", -28, -28)));
        assertTrue(e.getMessage().contains("= 8 does not fit 4 bits [-8, 7]"), e.getMessage());
        // the clamp must be the activation's: relu at zp -28 is [-28, 127], not [-30, 127]
        e = assertThrows(ModelException.class, () -> parse(conv("i8", "double_round", "i32", 8, 7, "relu", -28, -30)));
        assertTrue(e.getMessage().contains("clamp [-30, 127] is not what activation relu gives"), e.getMessage());
    }

    @Test
    void clampBoundsDivideInFloat32AsTfliteDoes() {
        // the case found by the independent check: 6 / scale is just below 27.5 in double but rounds to 27.5 or
        // above in float32, so TFLite's bounds are [72, 100] where a double division gave [72, 99]
        float scale = Float.intBitsToFloat(0x3e5f6b0e); // 0x1.bed61cp-3
        assertEquals(0x1.bed61cp-3f, scale);
        assertTrue(6.0 / scale < 27.5 && 6f / scale >= 27.5f);
        assertArrayEquals(new int[] {72, 100}, Activation.RELU6.clampBounds(scale, 72, DType.I8));
    }

    @Test
    void roundHalfAwayMatchesCRoundEverywhere() {
        assertEquals(0, FixedPoint.roundHalfAway(0.49999999999999994));
        assertEquals(0, FixedPoint.roundHalfAway(-0.49999999999999994));
        assertEquals(1, FixedPoint.roundHalfAway(0.5));
        assertEquals(-1, FixedPoint.roundHalfAway(-0.5));
        assertEquals(-3, FixedPoint.roundHalfAway(-2.5));
        long odd = (1L << 52) + 1; // odd integers in [2^52, 2^53) stay themselves
        assertEquals(odd, FixedPoint.roundHalfAway((double) odd));
        assertEquals(-odd, FixedPoint.roundHalfAway((double) -odd));
        assertEquals(0, FixedPoint.roundHalfAway(Double.NaN));
    }

    @Test
    void requantizeDispatchesOnTheRoundingForm() {
        // Q15 form: multiplier 2^30 reduces to (2^30 + 2^15) >> 16 = 16384; x * 16384 / 2^(15 - (-1)) = x / 4, ties up
        assertEquals(1, FixedPoint.requantize(2, 1 << 30, -1, Rounding.SINGLE_ROUND_Q15));
        assertEquals(0, FixedPoint.requantize(-2, 1 << 30, -1, Rounding.SINGLE_ROUND_Q15));
        assertEquals(1 << 30, FixedPoint.requantize(1L << 32, 1 << 30, -1, Rounding.SINGLE_ROUND_Q15)); // beyond int32
        // int32 forms refuse accumulators beyond int32
        assertThrows(IllegalArgumentException.class, () -> FixedPoint.requantize(1L << 40, 1 << 30, -1, Rounding.DOUBLE_ROUND));
        assertEquals(7, FixedPoint.maxShift(Rounding.SINGLE_ROUND_Q15));
        assertEquals(30, FixedPoint.maxShift(Rounding.SINGLE_ROUND));
    }

    @Test
    void fullyLoweredCheckNamesTheFirstFloatNode() {
        Graph g = parse("""
                graph @g {
                  input %x : f32[1,4]
                  node @q = Quantize {scale = 0.1, zeroPoint = 0, outType = i8} (%x) -> (%xq : i8[1,4]{scale = 0.1, zp = 0})
                  node @d = Dequantize {scale = 0.1, zeroPoint = 0} (%xq) -> (%xf : f32[1,4])
                  node @r = Relu (%xf) -> (%y : f32[1,4])
                  output %y
                }
                """);
        String why = Verifier.firstNotLowered(g);
        assertTrue(why.contains("'d' (Dequantize) writes float value %xf"), why);
        ModelException e = assertThrows(ModelException.class, () -> Verifier.requireFullyLowered(g));
        assertTrue(e.getMessage().contains("is not fully lowered"), e.getMessage());
    }

    @Test
    void useDefIndexFollowsEdits() {
        Graph g = parse("""
                graph @g {
                  input %x : f32[1,4]
                  node @a = Relu (%x) -> (%y : f32[1,4])
                  node @b = Sigmoid (%y) -> (%z : f32[1,4])
                  output %z
                }
                """);
        Value y = g.valuesByName().get("y");
        assertEquals("a", g.producer(y).name());
        assertEquals(List.of("b"), g.consumers(y).stream().map(Node::name).toList());
        Node c = new Node("c", new nncc.ir.op.Tanh(), List.of(y), List.of(new Value("w", y.type())));
        g.addNode(c);
        assertEquals(List.of("b", "c"), g.consumers(y).stream().map(Node::name).toList());
        assertEquals("c_1", g.freshName("c"));
        g.removeNode(g.nodesByName().get("b"));
        assertEquals(List.of("c"), g.consumers(y).stream().map(Node::name).toList());
        assertNull(g.producer(g.valuesByName().get("x")));

        // replaceAllUses rewrites only the readers and keeps the index: c now reads x, in graph order among x's readers
        Value x = g.valuesByName().get("x");
        g.replaceAllUses(y, x);
        assertEquals(List.of("a", "c"), g.consumers(x).stream().map(Node::name).toList());
        assertEquals(List.of(), g.consumers(y));
        assertEquals("x", g.nodesByName().get("c").input(0).name());
        assertEquals("c", g.producer(g.valuesByName().get("w")).name());
    }

    @Test
    void softmaxRowsLongerThanTfliteCanSumAreRefused() {
        ModelException e = assertThrows(ModelException.class, () -> parse("""
                graph @g {
                  input %x : i8[1,5000]{scale = 0.1, zp = 0}
                  node @s = QSoftmax {axis = 1, inputMultiplier = 1073741824, inputLeftShift = 26, diffMin = -248, \
                outputScale = 0.00390625, outputZp = -128, outType = i8} (%x) -> (%y : i8[1,5000]{scale = 0.00390625, zp = -128})
                  output %y
                }
                """));
        assertTrue(e.getMessage().contains("softmax row of 5000 values exceeds 4095"), e.getMessage());
    }

    @Test
    void preContractConstructorDerivesTheAttributes() {
        QConv c = new QConv(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), 1, 0, List.of(1 << 30), List.of(-1), -28, 0.25f,
                DType.I8, -28, 127, Rounding.DOUBLE_ROUND);
        assertEquals(Activation.RELU, c.activation());
        assertEquals(DType.I32, c.accumulator());
        QConv wide = new QConv(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), 1, 0, List.of(1 << 30), List.of(-1), 0, 0.25f,
                DType.I16, -32768, 32767, Rounding.DOUBLE_ROUND);
        assertEquals(Rounding.SINGLE_ROUND_Q15, wide.rounding());
        assertEquals(DType.I64, wide.accumulator());
    }

    @Test
    void accumulatorBitsRoundTripsDefaultsToNotAnalysedAndStaysWithinTheAccumulator() {
        String plain = conv("i8", "double_round", "i32", 8, 7, "relu", -28, -28);
        Graph g = parse(plain); // older text without the attribute: 0, not analysed, and not printed
        assertEquals(0, ((QConv) g.nodes().get(0).op()).accumulatorBits());
        assertTrue(!IrPrinter.print(g).contains("accumulatorBits"), IrPrinter.print(g));
        String withBits = plain.replace("activation = relu}", "activation = relu, accumulatorBits = 19}");
        String text = IrPrinter.print(parse(withBits));
        assertTrue(text.contains("activation = relu, accumulatorBits = 19}"), text);
        assertEquals(text, IrPrinter.print(parse(text)));
        for (String bad : new String[] {"1", "33", "-4"}) {
            ModelException e = assertThrows(ModelException.class, () -> parse(withBits.replace("= 19}", "= " + bad + "}")));
            assertTrue(e.getMessage().contains("accumulatorBits " + bad + " outside [2, 32] for i32"), e.getMessage());
        }
        String wide = conv("i16", "single_round_q15", "i64", 8, 7, "none", 0, -32768).replace("activation = none}", "activation = none, accumulatorBits = 40}");
        assertEquals(40, ((QConv) parse(wide).nodes().get(0).op()).accumulatorBits());
    }
}
