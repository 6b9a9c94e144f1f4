package nncc.passes.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.Tensor;
import nncc.ir.Verifier;
import nncc.ir.op.Pad;
import nncc.ir.op.QLut;
import nncc.ir.text.IrParser;
import nncc.passes.PassResult;
import org.junit.jupiter.api.Test;

/** What the text-IR cases of lower-integer do not show: statistics, table contents, weight bits, errors. */
class LowerToIntegerPassTest {
    private static Graph parse(String body) { return IrParser.parse("graph @t {\n" + body + "}\n", "test.nnir"); }

    private static PassResult lower(Graph g, LowerToIntegerPass.Options o) {
        PassResult r = new LowerToIntegerPass(o).run(g);
        Verifier.verify(g);
        return r;
    }

    private static LowerToIntegerPass.Options options(DType act, int bits, Set<String> exclude) {
        return new LowerToIntegerPass.Options(act, bits, false, Rounding.DOUBLE_ROUND, exclude, false);
    }

    @Test void statisticsNameTheNodesKeptInFloat() {
        Graph g = parse("""
                input %x : f32[1,2]{scale = 0.1, zp = 0}
                node @sub = Sub (%x, %x) -> (%s : f32[1,2]{scale = 0.05, zp = 0})
                node @relu = Relu (%s) -> (%r : f32[1,2]{scale = 0.05, zp = -128})
                node @id = Identity (%r) -> (%y : f32[1,2]{scale = 0.05, zp = -128})
                output %y
                """);
        PassResult r = lower(g, options(DType.I8, 8, Set.of("relu")));
        assertEquals(2, r.statistics().get("nodes kept in float"));
        assertEquals(1, r.statistics().get("nodes lowered"));
        assertEquals(1, r.statistics().get("kept in float: Sub"));
        assertEquals(1, r.statistics().get("kept in float: node 'sub' (Sub): no integer rule for Sub"));
        assertEquals(1, r.statistics().get("kept in float: node 'relu' (Relu): excluded"));
        assertEquals(1, r.statistics().get("quantize inserted"));
        assertEquals(1, r.statistics().get("dequantize inserted"));
        assertTrue(r.changed());
    }

    @Test void sigmoidTableHoldsTheQuantizedFunctionOfEveryCode() {
        Graph g = parse("""
                input %x : f32[1,4]{scale = 0.05, zp = 7}
                node @sig = Sigmoid (%x) -> (%y : f32[1,4]{scale = 0.00390625, zp = -128})
                output %y
                """);
        lower(g, LowerToIntegerPass.Options.int8());
        long[] table = g.constantData(g.nodes().get(0).input(1)).toLongs();
        assertEquals(256, table.length);
        for (int q = -128; q <= 127; q++) {
            double x = (double) 0.05f * (q - 7);
            long want = Math.max(-128, Math.min(127, Math.round(1 / (1 + Math.exp(-x)) * 256) - 128));
            assertEquals(want, table[q + 128], "code " + q);
        }
        assertEquals(-128, table[0]); // sigmoid(-6.75) * 256 = 0.3 -> 0 -> -128
        assertEquals(127, table[255]); // sigmoid(6) * 256 = 255.4 -> saturates at 127
    }

    @Test void int16TablesHaveAnEntryPerCode() {
        Graph g = parse("""
                input %x : f32[1,4]{scale = 0.001, zp = 0}
                node @t = Tanh (%x) -> (%y : f32[1,4]{scale = 3.0517578E-5, zp = 0})
                output %y
                """);
        lower(g, options(DType.I16, 8, Set.of()));
        Node n = g.nodes().get(0);
        assertTrue(n.op() instanceof QLut);
        Tensor table = g.constantData(n.input(1));
        assertEquals(DType.I16, table.dtype());
        long[] t = table.toLongs();
        assertEquals(65536, t.length);
        assertEquals(0, t[32768]); // tanh(0)
        assertEquals(Math.round(Math.tanh(1.0) * 32768), t[32768 + 1000]); // code 1000 = 1.0
        assertEquals(-32768, t[0]); // tanh(-32.768) = -1 -> -32768
    }

    @Test void narrowWeightsUseTheirSymmetricRange() {
        Graph g = parse("""
                input %x : f32[1,4]{scale = 0.1, zp = 0}
                const %w : f32[2,4] = [0.875, -0.4375, 0.125, 0.0, -1.75, 0.25, 0.625, 1.25]
                node @fc = Gemm {alpha = 1.0, beta = 1.0, transA = false, transB = true} (%x, %w) -> (%y : f32[1,2]{scale = 0.1, zp = 0})
                output %y
                """);
        lower(g, options(DType.I8, 4, Set.of()));
        Graph.Constant w = g.constant("w");
        assertEquals(DType.I8, w.data().dtype());
        QuantParams p = w.value().type().quant();
        assertEquals(0.125f, p.scale(0)); // 0.875 / 7
        assertEquals(0.25f, p.scale(1)); // 1.75 / 7
        assertEquals(java.util.List.of(7L, -4L, 1L, 0L, -7L, 1L, 3L, 5L),
                java.util.Arrays.stream(w.data().toLongs()).boxed().toList()); // -3.5 -> -4, 2.5 -> 3: half away from zero
    }

    @Test void padFillsWithTheZeroPoint() {
        Graph g = parse("""
                input %x : f32[1,2]{scale = 0.1, zp = -20}
                node @pad = Pad {pads = [0, 1, 0, 1], mode = constant, value = 0.0} (%x) -> (%y : f32[1,4]{scale = 0.1, zp = -20})
                output %y
                """);
        lower(g, LowerToIntegerPass.Options.int8());
        assertEquals(-20f, ((Pad) g.nodes().get(0).op()).value());
        assertEquals(DType.I8, g.outputs().get(0).type().dtype());
    }

    @Test void unknownExcludedNodeIsAnError() {
        Graph g = parse("""
                input %x : f32[1,2]{scale = 0.1, zp = 0}
                node @id = Identity (%x) -> (%y : f32[1,2]{scale = 0.1, zp = 0})
                output %y
                """);
        ModelException e = assertThrows(ModelException.class, () -> lower(g, options(DType.I8, 8, Set.of("nope"))));
        assertTrue(e.getMessage().contains("[nope]"), e.getMessage());
    }

    @Test void missingOutputPlanIsAnErrorNamingNodeAndValue() {
        Graph g = parse("""
                input %x : f32[1,2]{scale = 0.1, zp = 0}
                node @add = Add (%x, %x) -> (%y : f32[1,2])
                output %y
                """);
        ModelException e = assertThrows(ModelException.class, () -> lower(g, LowerToIntegerPass.Options.int8()));
        assertEquals("add", e.node());
        assertTrue(e.getMessage().contains("output %y has no quantization plan"), e.getMessage());
    }

    @Test void weightsReadByAFloatNodeToo() {
        Graph g = parse("""
                input %x : f32[2,2]{scale = 0.1, zp = 0}
                const %w : f32[2,2] = [1.0, 0.5, -0.5, 1.0]
                node @mm = MatMul (%x, %w) -> (%a : f32[2,2]{scale = 0.1, zp = 0})
                node @mm2 = MatMul (%a, %w) -> (%y : f32[2,2]{scale = 0.1, zp = 0})
                output %y
                """);
        lower(g, options(DType.I8, 8, Set.of("mm2")));
        assertEquals(DType.F32, g.constant("w").data().dtype(), "the float node still reads the float weights");
        assertNotNull(g.constant("w.q"), "the integer node reads a quantized copy");
        assertEquals(DType.I8, g.constant("w.q").data().dtype());
    }

    @Test void optionsFromPassOptions() {
        var o = LowerToIntegerPass.Options.from(nncc.passes.PassOptions.parse("lower-integer",
                "activation=i16,weight-bits=6,per-tensor,rounding=single-round,exclude=a;b,float-interface"));
        assertEquals(new LowerToIntegerPass.Options(DType.I16, 6, true, Rounding.SINGLE_ROUND, Set.of("a", "b"), true), o);
        assertThrows(ModelException.class, () -> LowerToIntegerPass.Options.from(nncc.passes.PassOptions.parse("lower-integer", "weight-bits=9")));
        assertThrows(ModelException.class, () -> LowerToIntegerPass.Options.from(nncc.passes.PassOptions.parse("lower-integer", "activation=u8")));
    }
}
