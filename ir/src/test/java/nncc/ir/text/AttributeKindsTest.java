package nncc.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.QuantParams;
import nncc.ir.op.Pad;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.junit.jupiter.api.Test;

/**
 * Every attribute value kind the generic record codec supports, on a test record (today's ops use only some
 * of them): print with {@link AttributePrinter}, read back with {@link AttributeReader}, compare.
 */
class AttributeKindsTest {
    record Inner(int a, String label) {}

    record AllKinds(int i, long l, short s, byte b, float f, double d, boolean flag, String text, DType type,
                    Pad.Mode mode, List<Integer> ints, List<Long> longs, List<Float> floats, List<Double> doubles,
                    QuantParams quant, Inner inner, List<Inner> inners, List<List<Integer>> nested) {}

    record Validating(int positive) {
        Validating {
            if (positive <= 0) throw new IllegalArgumentException("positive must be > 0, got " + positive);
        }
    }

    private static Object read(Class<?> type, String block) {
        SyntaxErrorListener errors = new SyntaxErrorListener("attrs.nnir");
        NnirLexer lexer = new NnirLexer(CharStreams.fromString(block));
        lexer.removeErrorListeners();
        lexer.addErrorListener(errors);
        NnirParser parser = new NnirParser(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.addErrorListener(errors);
        return new AttributeReader("attrs.nnir").readRecord(type, parser.attrDict());
    }

    @Test void everyKindRoundTrips() {
        AllKinds k = new AllKinds(-7, Long.MIN_VALUE, (short) -300, (byte) 127, Float.NaN, Double.NEGATIVE_INFINITY, true,
                "say \"hi\"\\\n", DType.BF16, Pad.Mode.EDGE, List.of(1, -2), List.of(1L << 40), List.of(0.1f, Float.POSITIVE_INFINITY),
                List.of(0.1, 1e-300), QuantParams.perAxis(1, new float[] {0.5f, 0.25f}, new long[] {-1, 3}),
                new Inner(3, "x"), List.of(new Inner(1, "a"), new Inner(2, "b")), List.of(List.of(1), List.of()));
        String text = AttributePrinter.record(k);
        assertEquals("{i = -7, l = -9223372036854775808, s = -300, b = 127, f = nan, d = -inf, flag = true,"
                + " text = \"say \\\"hi\\\"\\\\\\n\", type = bf16, mode = edge, ints = [1, -2], longs = [1099511627776],"
                + " floats = [0.1, inf], doubles = [0.1, 1.0E-300], quant = {axis = 1, scale = [0.5, 0.25], zp = [-1, 3]},"
                + " inner = {a = 3, label = \"x\"}, inners = [{a = 1, label = \"a\"}, {a = 2, label = \"b\"}],"
                + " nested = [[1], []]}", text);
        assertEquals(k, read(AllKinds.class, text));
        assertEquals(text, AttributePrinter.record((Record) read(AllKinds.class, text)));
    }

    @Test void perTensorQuantAttribute() {
        record WithQuant(QuantParams q) {}
        WithQuant w = new WithQuant(QuantParams.perTensor(0.125f, -128));
        assertEquals("{q = {scale = 0.125, zp = -128}}", AttributePrinter.record(w));
        assertEquals(w, read(WithQuant.class, "{q = {zp = -128, scale = 0.125}}"));
    }

    @Test void outOfRangeAndConstructorErrorsAreReported() {
        ModelException range = assertThrows(ModelException.class, () -> read(Inner.class, "{a = 3000000000, label = \"x\"}"));
        assertTrue(range.getMessage().contains("attrs.nnir:1:6: Inner attribute 'a': 3000000000 is out of range for int"),
                range.getMessage());
        ModelException ctor = assertThrows(ModelException.class, () -> read(Validating.class, "{positive = 0}"));
        assertTrue(ctor.getMessage().contains("attrs.nnir:1:1: Validating: positive must be > 0, got 0"), ctor.getMessage());
        ModelException escape = assertThrows(ModelException.class, () -> read(Inner.class, "{a = 1, label = \"\\q\"}"));
        assertTrue(escape.getMessage().contains("unknown escape \\q"), escape.getMessage());
        ModelException quant = assertThrows(ModelException.class,
                () -> read(QuantHolder.class, "{q = {scale = -1.0, zp = 0}}"));
        assertTrue(quant.getMessage().contains("scale must be positive and finite, got -1.0"), quant.getMessage());
    }

    record QuantHolder(QuantParams q) {}
}
