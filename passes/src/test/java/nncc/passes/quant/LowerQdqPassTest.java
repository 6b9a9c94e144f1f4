package nncc.passes.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Verifier;
import nncc.ir.op.QAdd;
import nncc.ir.text.IrParser;
import nncc.passes.PassResult;
import org.junit.jupiter.api.Test;

/** What lower-qdq leaves as it was says why in its statistics; float models are not touched; lowered adds run exactly. */
class LowerQdqPassTest {
    private static final String HEAD = """
            graph @g {
              input %a : f32[1,4]
              const %s : f32[] = [0.1]
              const %z : i8[] = [0]
              const %u : u8[] = [128]
              node @qa = QuantizeLinear {axis = 1, outType = i8} (%a, %s, %z) -> (%aq : i8[1,4])
              node @da = DequantizeLinear {axis = 1} (%aq, %s, %z) -> (%af : f32[1,4])
            """;

    private static PassResult lower(Graph g) {
        PassResult r = LowerQdqPass.lowerIfPreQuantized(g);
        Verifier.verify(g);
        return r;
    }

    @Test
    void anOpWithoutIntegerRuleIsKeptWithItsReason() {
        Graph g = IrParser.parse(HEAD + """
                  node @sub = Sub (%af, %af) -> (%d : f32[1,4])
                  node @qd = QuantizeLinear {axis = 1, outType = i8} (%d, %s, %z) -> (%y : i8[1,4])
                  output %y
                }
                """, "sub.nnir");
        Map<String, Long> stats = lower(g).statistics();
        assertEquals(1L, stats.get("nodes kept"), stats.toString());
        assertEquals(1L, stats.get("kept: node 'sub' (Sub): no integer rule for Sub"), stats.toString());
    }

    @Test
    void aResultReadTwiceKeepsTheOpInFloatAndSaysSo() {
        Graph g = IrParser.parse(HEAD + """
                  node @add = Add (%af, %af) -> (%d : f32[1,4])
                  node @q1 = QuantizeLinear {axis = 1, outType = i8} (%d, %s, %z) -> (%y : i8[1,4])
                  node @q2 = QuantizeLinear {axis = 1, outType = u8} (%d, %s, %u) -> (%w : u8[1,4])
                  output %y
                  output %w
                }
                """, "two.nnir");
        Map<String, Long> stats = lower(g).statistics();
        assertEquals(1L, stats.get("kept: node 'add' (Add): its result is not quantized by one QuantizeLinear"), stats.toString());
        // the int8 output stays int8; the uint8 one stays uint8 with its zero point 128
        assertEquals(DType.I8, g.outputs().get(0).type().dtype());
        assertEquals(DType.U8, g.outputs().get(1).type().dtype());
        assertEquals(128L, g.outputs().get(1).type().quant().zeroPoint(0));
    }

    @Test
    void aMultiplierOutOfRangeKeepsTheNodeWithTheReason() {
        Graph g = IrParser.parse(HEAD + """
                  const %tiny : f32[] = [1.0E-12]
                  node @q2 = QuantizeLinear {axis = 1, outType = i8} (%af, %tiny, %z) -> (%y : i8[1,4])
                  output %y
                }
                """, "shift.nnir");
        // 0.1 / 1e-12 = 1e11 needs a shift of 37: double rounding has no such multiplier (single rounding saturates)
        Map<String, Long> stats = new LowerQdqPass(new LowerQdqPass.Options(nncc.ir.Rounding.DOUBLE_ROUND, false)).run(g).statistics();
        Verifier.verify(g);
        String reason = stats.keySet().stream().filter(k -> k.startsWith("kept: node 'q2' (QuantizeLinear): ")).findFirst()
                .orElseThrow(() -> new AssertionError(stats.toString()));
        assertTrue(reason.contains("outside [-31, 30]"), reason);
        assertTrue(g.nodes().stream().anyMatch(n -> n.name().equals("q2") && n.op() instanceof nncc.ir.op.QuantizeLinear),
                g.nodes().toString());
    }

    @Test
    void floatModelsAreNotPreQuantized() {
        Graph g = IrParser.parse("""
                graph @f {
                  input %a : f32[1,4]
                  node @r = Relu (%a) -> (%y : f32[1,4])
                  output %y
                }
                """, "float.nnir");
        assertFalse(LowerQdqPass.applies(g));
        assertNull(LowerQdqPass.lowerIfPreQuantized(g));
    }

    /** uint8 and int8 forms of the same QDQ add lower to the same integers (shifted by 128), and match by hand. */
    @Test
    void uint8AddRunsAsInt8WithTheSameRealValues() {
        Graph g = IrParser.parse("""
                graph @add {
                  input %a : f32[1,4]
                  input %b : f32[1,4]
                  const %s : f32[] = [0.1]
                  const %u : u8[] = [128]
                  const %ys : f32[] = [0.2]
                  const %yz : u8[] = [138]
                  node @qa = QuantizeLinear {axis = 1, outType = u8} (%a, %s, %u) -> (%aq : u8[1,4])
                  node @qb = QuantizeLinear {axis = 1, outType = u8} (%b, %s, %u) -> (%bq : u8[1,4])
                  node @da = DequantizeLinear {axis = 1} (%aq, %s, %u) -> (%af : f32[1,4])
                  node @db = DequantizeLinear {axis = 1} (%bq, %s, %u) -> (%bf : f32[1,4])
                  node @add = Add (%af, %bf) -> (%c : f32[1,4])
                  node @relu = Relu (%c) -> (%r : f32[1,4])
                  node @qy = QuantizeLinear {axis = 1, outType = u8} (%r, %ys, %yz) -> (%yq : u8[1,4])
                  node @dy = DequantizeLinear {axis = 1} (%yq, %ys, %yz) -> (%y : f32[1,4])
                  output %y
                }
                """, "add.nnir");
        lower(g);
        assertTrue(g.nodes().size() == 1 && g.nodes().get(0).op() instanceof QAdd, g.nodes().toString());
        QAdd add = (QAdd) g.nodes().get(0).op();
        assertEquals(0, add.inputZpA());
        assertEquals(10, add.outputZp());
        assertEquals(10, add.actMin()); // the Relu: zero point + round(0 / 0.2)
        // real a = 0.1 * [-50, 3, 7, 100], b = 0.1 * [20, 4, -7, 27]: sums [-3.0, 0.7, 0.0, 12.7] -> relu / 0.2 + 10
        Tensor a = Tensor.ofLongs(DType.I8, Shape.of(1, 4), -50, 3, 7, 100);
        Tensor b = Tensor.ofLongs(DType.I8, Shape.of(1, 4), 20, 4, -7, 27);
        Tensor y = new Interpreter(g).run(List.of(a, b)).get(0);
        // 0.7 / 0.2 = 3.5 -> 4 (ties away from zero in the fixed-point multiply), 12.7 / 0.2 = 63.5 -> 64
        assertEquals(List.of(10L, 14L, 10L, 74L), java.util.Arrays.stream(y.toLongs()).boxed().toList());
    }

    private static final String QAT_CONV = """
            graph @qat {
              input %x : f32[1,1,1,2]
              const %xs : f32[] = [0.5]
              const %xz : i8[] = [0]
              const %w : f32[2,1,1,1] = [0.5, 0.3]
              const %ws : f32[1] = [0.01]
              const %wz : i8[1] = [0]
              const %zero : f32[2] = [0.0, 0.0]
              const %d : f32[1,2,1,1] = [2.0, 0.5]
              const %gamma : f32[2] = [GAMMA, 1.0]
              const %beta : f32[2] = [0.5, 0.0]
              const %mean : f32[2] = [1.0, 0.0]
              const %var : f32[2] = [1.0, 4.0]
              const %ys : f32[] = [0.25]
              node @qx = QuantizeLinear {axis = 1, outType = i8} (%x, %xs, %xz) -> (%xq : i8[1,1,1,2])
              node @dx = DequantizeLinear {axis = 1} (%xq, %xs, %xz) -> (%xf : f32[1,1,1,2])
              node @wq = QuantizeLinear {axis = 1, outType = i8} (%w, %ws, %wz) -> (%wq : i8[2,1,1,1])
              node @wdq = DequantizeLinear {axis = 1} (%wq, %ws, %wz) -> (%wf : f32[2,1,1,1])
              node @conv = Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1} (%xf, %wf, %zero) -> (%c : f32[1,2,1,2])
              node @div = Div (%c, %d) -> (%cd : f32[1,2,1,2])
              node @bn = BatchNormalization {epsilon = 0.0} (%cd, %gamma, %beta, %mean, %var) -> (%b : f32[1,2,1,2])
              node @relu = Relu (%b) -> (%r : f32[1,2,1,2])
              node @qy = QuantizeLinear {axis = 1, outType = i8} (%r, %ys, %xz) -> (%yq : i8[1,2,1,2])
              node @dy = DequantizeLinear {axis = 1} (%yq, %ys, %xz) -> (%y : f32[1,2,1,2])
              output %y
            }
            """;

    /**
     * PyTorch's QAT ConvBn export (fake-quantized float weights, Div, BatchNormalization, Relu) lowers to one QConv
     * with the fake-quant's codes [50, 30], the bias (0 - 1) * 2 + 0.5 = -1.5 at s_x s_w = 0.005 (code -300) and
     * multiplier 0.005 / 0.25 = 0.02; on x = 0.5 * [10, 4]: channel 0 (500 - 300, 200 - 300) * 0.02 = (4, -2 -> 0),
     * channel 1 (300, 120) * 0.02 = (6, 2.4 -> 2), as the float graph gives ((5 * 0.5 / 2 - 1) * 2 + 0.5 = 1.0 = 4 * 0.25).
     */
    @Test
    void aPytorchQatConvBnExportLowersToOneQConv() {
        Graph g = IrParser.parse(QAT_CONV.replace("GAMMA", "2.0"), "qat.nnir");
        Map<String, Long> stats = lower(g).statistics();
        assertEquals(1L, stats.get("weights quantized"), stats.toString());
        assertEquals(1L, stats.get("conv-batchnorm folded"), stats.toString());
        assertEquals(0L, stats.get("nodes kept"), stats.toString());
        assertTrue(g.nodes().size() == 1 && g.nodes().get(0).op() instanceof nncc.ir.op.QConv, g.nodes().toString());
        assertEquals(List.of(50L, 30L), java.util.Arrays.stream(g.constantData(g.nodes().get(0).input(1)).toLongs()).boxed().toList());
        assertEquals(List.of(-300L, 0L), java.util.Arrays.stream(g.constantData(g.nodes().get(0).input(2)).toLongs()).boxed().toList());
        Tensor y = new Interpreter(g).run(List.of(Tensor.ofLongs(DType.I8, Shape.of(1, 1, 1, 2), 10, 4))).get(0);
        assertEquals(List.of(4L, 0L, 6L, 2L), java.util.Arrays.stream(y.toLongs()).boxed().toList());
    }

    @Test
    void aQatConvBnThatCannotFoldSaysWhyAndStaysFloat() {
        Graph g = IrParser.parse(QAT_CONV.replace("GAMMA", "-2.0"), "qat.nnir");
        Map<String, Long> stats = lower(g).statistics();
        assertEquals(1L, stats.get("not folded: node 'conv': output channel 0: weight scale 0.01 times rescale -1.0 is -0.01, "
                + "not positive"), stats.toString());
        assertTrue(stats.keySet().stream().anyMatch(k -> k.startsWith("kept: node 'conv' (Conv)")), stats.toString());
    }
}
