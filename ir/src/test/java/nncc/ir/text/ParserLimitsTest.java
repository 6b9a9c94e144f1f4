package nncc.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.io.Npy;
import nncc.ir.op.Relu;
import org.junit.jupiter.api.Test;

/**
 * Hostile sizes in the .nnir and .npy readers (issue 12): deep nesting, huge names, overflowing shapes and
 * header lengths are ModelExceptions naming the place, never a StackOverflowError or an arithmetic wrap.
 * The inputs of more than a few kilobytes are made here rather than stored.
 */
class ParserLimitsTest {
    private static String graph(String attrs) {
        return "graph @g {\n  input %x : f32[1,4]\n  node @r = Relu " + attrs + " (%x) -> (%y : f32[1,4])\n  output %y\n}\n";
    }

    @Test void attributesNested150000DeepAreRefusedWithoutStackOverflow() {
        String deep = "{a = " + "[".repeat(150_000) + "]".repeat(150_000) + "}";
        ModelException e = assertThrows(ModelException.class, () -> IrParser.parse(graph(deep), "deep.nnir"));
        assertTrue(e.getMessage().contains("deep.nnir:3:") && e.getMessage().contains("nested deeper than 64"), e.getMessage());
    }

    @Test void nestingJustUnderTheLimitStillReachesTheAttributeCheck() {
        String ok = "{a = " + "[".repeat(40) + "]".repeat(40) + "}";
        ModelException e = assertThrows(ModelException.class, () -> IrParser.parse(graph(ok), "ok.nnir"));
        assertFalse(e.getMessage().contains("nested"), e.getMessage());
    }

    @Test void nameOf200000CharactersIsRefusedWhenParsed() {
        String text = graph("").replace("@r", "@" + "n".repeat(200_000));
        ModelException e = assertThrows(ModelException.class, () -> IrParser.parse(text, "long.nnir"));
        assertTrue(e.getMessage().contains("longer than the limit of 4096"), e::getMessage);
        assertTrue(e.getMessage().length() < 3000, "message of " + e.getMessage().length() + " characters");
    }

    @Test void printingA200000CharacterNameDoesNotRecurse() {
        // the bare-name regex used to overflow the stack here
        String name = "a/b".repeat(70_000);
        assertTrue(Lexemes.isBareName(name));
        Graph g = new Graph("g");
        Value x = new Value("x", TensorType.of(DType.F32, 1, 4)), y = new Value(name, TensorType.of(DType.F32, 1, 4));
        g.addInput(x);
        g.addNode(new Node("r", new Relu(), List.of(x), List.of(y)));
        g.addOutput(y);
        assertTrue(IrPrinter.print(g).contains(name));
    }

    @Test void bareNameRules() {
        assertTrue(Lexemes.isBareName("/model/conv.0/Conv_output_0"));
        assertFalse(Lexemes.isBareName("a//b"));
        assertFalse(Lexemes.isBareName("a/"));
        assertFalse(Lexemes.isBareName("a b"));
        assertFalse(Lexemes.isBareName(""));
    }

    @Test void byteOrderMarkIsSkipped() {
        assertEquals(1, IrParser.parse("\uFEFF" + graph(""), "bom.nnir").nodes().size());
    }

    @Test void shapeAndByteCountsAreOverflowChecked() {
        assertThrows(IllegalArgumentException.class, () -> Shape.of(1L << 32, 1L << 32, 1L << 32));
        assertThrows(IllegalArgumentException.class, () -> TensorType.of(DType.F32, 1L << 62));
        assertThrows(ArithmeticException.class, () -> DType.F32.storageBytes(1L << 62));
        assertEquals(5, DType.I4.storageBytes(9));
    }

    @Test void npyHeaderLengthNear2pow31IsRefused() {
        for (int len : new int[] {0x7fffffff, 0x7ffffff0, -1}) {
            ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(len);
            ModelException e = assertThrows(ModelException.class, () -> Npy.parse(b.array(), "h.npy"));
            assertTrue(e.getMessage().startsWith("h.npy: header length"), e.getMessage());
        }
    }

    @Test void npyShapeWhoseByteCountOverflowsIsRefused() {
        String h = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,), }";
        ByteBuffer b = ByteBuffer.allocate(10 + h.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length()).put(h.getBytes());
        ModelException e = assertThrows(ModelException.class, () -> Npy.parse(b.array(), "s.npy"));
        assertTrue(e.getMessage().startsWith("s.npy: "), e.getMessage());
    }
}
