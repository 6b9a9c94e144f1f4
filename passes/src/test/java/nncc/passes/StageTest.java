package nncc.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import nncc.ir.ModelException;
import nncc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

/** Stage spelling and the stage judged from a loaded graph's content. */
class StageTest {
    private static Stage of(String body) {
        return Stage.of(IrParser.parse("graph @g {\n  input %x : f32[1,2,2,2]\n  const %p : f32[2] = [1, 1]\n" + body + "}\n", "g"));
    }

    @Test void judgedFromContent() {
        assertEquals(Stage.BN_FOLDED, of("  node @r = Relu (%x) -> (%y : f32[1,2,2,2])\n  output %y\n"));
        assertEquals(Stage.SHAPES_INFERRED, of("  node @bn = BatchNormalization {epsilon = 0.001} (%x, %p, %p, %p, %p) -> (%y : f32[1,2,2,2])\n  output %y\n"));
        assertEquals(Stage.RANGES_ANNOTATED, of("  node @r = Relu (%x) -> (%y : f32[1,2,2,2]{scale = 0.1, zp = 0})\n  output %y\n"));
        assertEquals(Stage.REQUANT_INSERTED, of("  node @q = Quantize {scale = 0.5, zeroPoint = 0, outType = i8} (%x) -> (%y : i8[1,2,2,2]{scale = 0.5, zp = 0})\n  output %y\n"));
    }

    @Test void spelling() {
        for (Stage s : Stage.values()) assertEquals(s, Stage.parse(s.text()));
        assertEquals("ranges-annotated", Stage.RANGES_ANNOTATED.text());
        ModelException e = assertThrows(ModelException.class, () -> Stage.parse("folded"));
        assertEquals("unknown stage 'folded' (known: [imported, shapes-inferred, bn-folded, ranges-annotated, scales-folded, requant-inserted, lowered])", e.getMessage());
    }
}
