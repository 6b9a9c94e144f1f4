package nncc.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import nncc.ir.ModelException;
import org.junit.jupiter.api.Test;

/** Bad .nnir input: each error is a ModelException whose message gives file:line:col and the offending name. */
class IrParserErrorsTest {
    private static final String HEADER = """
            graph @g {
              input %x : f32[?N,4,8,8]
              const %w : f32[8,4,3,3] = b64"DATA"
            """.replace("DATA", java.util.Base64.getEncoder().encodeToString(new byte[8 * 4 * 3 * 3 * 4]));

    /** Parses {@code HEADER + body} and returns the error message. */
    private static String error(String body) {
        ModelException e = assertThrows(ModelException.class, () -> IrParser.parse(HEADER + body, "bad.nnir"));
        return e.getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
    }

    @Test void validHeaderParses() {
        assertEquals(1, IrParser.parse(HEADER + "  output %x\n}\n", "ok.nnir").constants().size());
    }

    @Test void unknownOp() {
        String m = error("  node @c1 = Conv2 {group = 1} (%x, %w) -> (%y : f32[?N,8,6,6])\n}\n");
        assertContains(m, "bad.nnir:4:14:", "node 'c1'", "unknown op 'Conv2'");
    }

    @Test void unknownAttribute() {
        String m = error("  node @r = Relu {alpha = 0.5} (%x) -> (%y : f32[?N,4,8,8])\n}\n");
        assertContains(m, "bad.nnir:4:19:", "node 'r'", "unknown attribute 'alpha' for Relu");
    }

    @Test void attributeOfWrongType() {
        String m = error("  node @c = Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = [1]} (%x, %w)"
                + " -> (%y : f32[?N,8,6,6])\n}\n");
        assertContains(m, "bad.nnir:4:", "node 'c'", "Conv attribute 'group' expects an integer, got '[1]'");
        String f = error("  node @l = LeakyRelu {alpha = true} (%x) -> (%y : f32[?N,4,8,8])\n}\n");
        assertContains(f, "bad.nnir:4:32:", "LeakyRelu attribute 'alpha' expects a number, got 'true'");
        String en = error("  node @p = Pad {pads = [0, 0, 0, 0, 0, 0, 0, 0], mode = mirror, value = 0} (%x) -> (%y : f32[?N,4,8,8])\n}\n");
        assertContains(en, "bad.nnir:4:", "Pad attribute 'mode' expects one of constant, reflect, edge, got 'mirror'");
        String dt = error("  node @q = QuantizeLinear {axis = 1, outType = int8} (%x, %x) -> (%y : i8[?N,4,8,8])\n}\n");
        assertContains(dt, "bad.nnir:4:", "node 'q'", "unknown dtype 'int8'");
    }

    @Test void missingAttribute() {
        String m = error("  node @c = Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1]} (%x, %w)"
                + " -> (%y : f32[?N,8,6,6])\n}\n");
        assertContains(m, "bad.nnir:4:", "node 'c'", "Conv is missing attribute 'group'");
    }

    @Test void recordValidationFailsAtTheNode() {
        String m = error("  node @c = Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 0} (%x, %w)"
                + " -> (%y : f32[?N,8,6,6])\n}\n");
        assertContains(m, "bad.nnir:4:", "node 'c'", "group must be >= 1");
    }

    @Test void undefinedValue() {
        String m = error("  node @r = Relu (%nope) -> (%y : f32[?N,4,8,8])\n}\n");
        assertContains(m, "bad.nnir:4:19:", "node 'r'", "undefined value %nope");
        String out = error("  output %missing\n}\n");
        assertContains(out, "bad.nnir:4:10:", "undefined value %missing");
    }

    @Test void duplicateNames() {
        String v = error("  node @r = Relu (%x) -> (%w : f32[?N,4,8,8])\n}\n");
        assertContains(v, "bad.nnir:4:27:", "value %w already defined at bad.nnir:3:9");
        String n = error("  node @r = Relu (%x) -> (%a : f32[?N,4,8,8])\n  node @r = Relu (%a) -> (%b : f32[?N,4,8,8])\n}\n");
        assertContains(n, "bad.nnir:5:8:", "node 'r'", "duplicate node name");
    }

    @Test void wrongConstantSize() {
        String lit = error("  const %k : f32[2,2] = [1.0, 2.0, 3.0]\n}\n");
        assertContains(lit, "bad.nnir:4:9:", "constant %k", "needs 4 elements, literal has 3");
        String b64 = error("  const %k : f32[2] = b64\"AACAPw==\"\n}\n");
        assertContains(b64, "bad.nnir:4:9:", "constant %k", "needs 8 bytes, b64 data has 4");
        String notB64 = error("  const %k : f32[1] = b64\"AA!A\"\n}\n");
        assertContains(notB64, "bad.nnir:4:9:", "constant %k", "not valid Base64");
        String range = error("  const %k : i8[2] = [1, 300]\n}\n");
        assertContains(range, "bad.nnir:4:9:", "constant %k", "300 out of range for i8");
        String sym = error("  const %k : f32[?N] = [1.0]\n}\n");
        assertContains(sym, "bad.nnir:4:9:", "constant %k needs a static shape");
    }

    @Test void typeMismatchFromVerifierPointsAtTheNode() {
        String m = error("  node @r = Relu (%x) -> (%y : f32[?N,4,8,9])\n  output %y\n}\n");
        assertContains(m, "bad.nnir:4:8:", "node 'r'", "output %y declared f32[?N,4,8,9] but inputs give f32[?N,4,8,8]");
        String shape = error("  node @c = Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1} (%w, %x)"
                + " -> (%y : f32[?N,8,6,6])\n}\n");
        assertContains(shape, "bad.nnir:4:8:", "node 'c'", "weight must have a static shape, got [?N,4,8,8]");
    }

    @Test void truncatedInput() {
        String full = HEADER + "  node @r = Relu (%x) -> (%y : f32[?N,4,8,8])\n  output %y\n}\n";
        String cut = full.substring(0, full.indexOf("f32[?N,4,8,8])\n  output") + 8);
        ModelException e = assertThrows(ModelException.class, () -> IrParser.parse(cut, "cut.nnir"));
        assertContains(e.getMessage(), "cut.nnir:4:", "unexpected end of input");
        ModelException noBrace = assertThrows(ModelException.class,
                () -> IrParser.parse(full.substring(0, full.lastIndexOf('}')), "cut.nnir"));
        assertContains(noBrace.getMessage(), "cut.nnir:6:1:", "unexpected end of input", "expected");
    }

    @Test void syntaxErrorsNameTheToken() {
        String m = error("  node @r = Relu (%x) to (%y : f32[?N,4,8,8])\n}\n");
        assertContains(m, "bad.nnir:4:23:", "unexpected 'to', expected '->'");
        String lex = error("  input %z : f32[$]\n}\n");
        assertContains(lex, "bad.nnir:4:18:", "unexpected character", "$");
        String badType = error("  input %z : float[1]\n}\n");
        assertContains(badType, "bad.nnir:4:14:", "unknown dtype 'float'");
        String colon = error("  input %z: f32[1]\n}\n");
        assertContains(colon, "bad.nnir:4:13:", "unexpected 'f32', expected ':'", "write '%z :' with a space");
        String quant = error("  input %z : i8[2]{axis = 1, scale = [0.5], zp = [0]}\n}\n");
        assertContains(quant, "bad.nnir:4:", "quantization axis 1 out of range");
    }

    @Test void nothingIsWrittenToStderr() {
        PrintStream old = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThrows(ModelException.class, () -> IrParser.parse("graph @g { input %x : f32[1] } }", "x.nnir"));
            assertThrows(ModelException.class, () -> IrParser.parse("graph @g { input %x : f32[1] # }", "x.nnir"));
        } finally {
            System.setErr(old);
        }
        assertEquals("", captured.toString(StandardCharsets.UTF_8));
    }
}
