package nncc.passes.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Rounding;
import nncc.ir.Tensor;
import nncc.ir.op.DynamicQuantConv;
import nncc.ir.op.DynamicQuantGemm;
import nncc.ir.text.IrPrinter;
import nncc.passes.PassResult;
import org.junit.jupiter.api.Test;

/** The schemes end to end on the small CNN: what they produce, model sizes, accuracy against float, errors. */
class QuantizationPipelineTest {
    private static final QuantizationPipeline.Options DEFAULTS = QuantizationPipeline.Options.defaults();

    private static float[] run(Graph g, Tensor x) { return new Interpreter(g).run(List.of(x)).get(0).toFloats(); }

    private static long constantBytes(Graph g) {
        return g.constants().stream().mapToLong(c -> c.data().byteSize()).sum();
    }

    /** fp16: constants half the bytes; outputs within 1 % of the output range (f16 keeps 11 significant bits). */
    @Test void fp16HalvesTheWeightsAndStaysClose() {
        Graph f = QuantTestNets.convNet(3);
        Tensor x = QuantTestNets.inputBatch(f, 8, 5);
        var r = QuantizationPipeline.run(f, QuantizationPipeline.Scheme.FP16, DEFAULTS, null);
        assertEquals(constantBytes(f), 2 * constantBytes(r.graph()));
        assertEquals(DType.F32, r.graph().inputs().get(0).type().dtype());
        assertEquals(f.outputs().get(0).name(), r.graph().outputs().get(0).name());
        assertCloseToRange(run(f, x), run(r.graph(), x), 0.01);
        PassResult p = r.results().get(ConvertFp16Pass.NAME);
        assertEquals(6, p.statistics().get("constants converted"));
        assertEquals(2, p.statistics().get("casts inserted"));
    }

    /**
     * dynamic: conv and fully connected weights int8 (the constants shrink to about a quarter, the float
     * biases aside); outputs within 5 % of the output range, the on-the-fly 8-bit activations' error.
     */
    @Test void dynamicQuantizesTheWeightsAndStaysClose() {
        Graph f = QuantTestNets.convNet(3);
        Tensor x = QuantTestNets.inputBatch(f, 8, 5);
        var r = QuantizationPipeline.run(f, QuantizationPipeline.Scheme.DYNAMIC, DEFAULTS, null);
        Graph g = r.graph();
        assertEquals(2, g.nodes().stream().filter(n -> n.op() instanceof DynamicQuantConv).count());
        assertEquals(1, g.nodes().stream().filter(n -> n.op() instanceof DynamicQuantGemm).count());
        PassResult p = r.results().get(DynamicRangePass.NAME);
        assertEquals(4 * p.statistics().get("weight bytes after"), p.statistics().get("weight bytes before"));
        assertCloseToRange(run(f, x), run(g, x), 0.05);
    }

    @Test void int8RunsFoldScalesRequantizePointsThenLowering() {
        Graph f = QuantTestNets.convNet(3);
        Tensor x = QuantTestNets.inputBatch(f, 8, 5);
        Graph calibrated = f.copy();
        QuantTestNets.annotatePlans(calibrated, List.of(x), DType.I8);
        String before = IrPrinter.print(calibrated);
        var r = QuantizationPipeline.run(f, QuantizationPipeline.Scheme.INT8, DEFAULTS, calibrated);
        assertEquals(List.of(FoldScalesPass.NAME, InsertRequantizePass.NAME, LowerToIntegerPass.NAME), List.copyOf(r.results().keySet()));
        assertEquals(before, IrPrinter.print(calibrated), "the calibrated graph is not modified");
        assertEquals(DType.I8, r.graph().outputs().get(0).type().dtype());
        assertEquals(0, r.results().get(LowerToIntegerPass.NAME).statistics().get("nodes kept in float"));
    }

    @Test void excludedNodesStayFloatInTheDynamicScheme() {
        Graph f = QuantTestNets.convNet(3);
        var o = new QuantizationPipeline.Options(8, false, Set.of("fc"), Rounding.DOUBLE_ROUND, false);
        Graph g = QuantizationPipeline.run(f, QuantizationPipeline.Scheme.DYNAMIC, o, null).graph();
        assertEquals("Gemm", g.nodesByName().get("fc").op().opName());
    }

    @Test void badInputsAreClearErrors() {
        Graph f = QuantTestNets.convNet(3);
        ModelException noCalib = assertThrows(ModelException.class,
                () -> QuantizationPipeline.run(f, QuantizationPipeline.Scheme.INT8, DEFAULTS, null));
        assertTrue(noCalib.getMessage().contains("needs calibration data"), noCalib.getMessage());
        ModelException noPlans = assertThrows(ModelException.class,
                () -> QuantizationPipeline.run(f, QuantizationPipeline.Scheme.INT16X8, DEFAULTS, f));
        assertTrue(noPlans.getMessage().contains("carries no quantization plans"), noPlans.getMessage());
        var excluding = new QuantizationPipeline.Options(8, false, Set.of("fc"), Rounding.DOUBLE_ROUND, false);
        assertThrows(ModelException.class, () -> QuantizationPipeline.run(f, QuantizationPipeline.Scheme.FP16, excluding, null));
        assertThrows(ModelException.class, () -> new QuantizationPipeline.Options(1, false, Set.of(), Rounding.DOUBLE_ROUND, false));
        assertEquals(QuantizationPipeline.Scheme.INT16X8, QuantizationPipeline.Scheme.parse("int16x8"));
        ModelException unknown = assertThrows(ModelException.class, () -> QuantizationPipeline.Scheme.parse("int4"));
        assertTrue(unknown.getMessage().contains("int8, int16x8, fp16, dynamic"), unknown.getMessage());
    }

    private static void assertCloseToRange(float[] want, float[] got, double fraction) {
        double range = 0;
        for (float v : want) range = Math.max(range, Math.abs(v));
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++)
            assertTrue(Math.abs(want[i] - got[i]) <= fraction * range,
                    "element " + i + ": float " + want[i] + ", got " + got[i] + " (range " + range + ")");
    }
}
