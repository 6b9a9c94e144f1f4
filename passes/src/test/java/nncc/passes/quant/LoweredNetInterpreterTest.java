package nncc.passes.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.Tensor;
import nncc.ir.op.QAdd;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.QMean;
import org.junit.jupiter.api.Test;

/**
 * Lowers a small CNN (conv+relu, maxpool, depthwise conv+relu6, residual add, global average pool, fully
 * connected) with plans set from the float ranges, and runs the integer graph in the CPU interpreter.
 */
class LoweredNetInterpreterTest {
    private static final int BATCH = 16;

    private record Run(float[] want, float[] got, float outputScale, Graph lowered) {}

    private static Run run(QuantizationPipeline.Scheme scheme, Rounding rounding) {
        Graph f = QuantTestNets.convNet(7);
        Tensor x = QuantTestNets.inputBatch(f, BATCH, 11);
        Graph calibrated = f.copy();
        QuantTestNets.annotatePlans(calibrated, List.of(x), scheme == QuantizationPipeline.Scheme.INT8 ? DType.I8 : DType.I16);
        var options = new QuantizationPipeline.Options(8, false, Set.of(), rounding, true);
        Graph q = QuantizationPipeline.run(f, scheme, options, calibrated).graph();
        float[] want = new Interpreter(f).run(List.of(x)).get(0).toFloats();
        float[] got = new Interpreter(q).run(List.of(x)).get(0).toFloats();
        float sy = calibrated.outputs().get(0).type().quant().scale(0);
        return new Run(want, got, sy, q);
    }

    /**
     * int8: every output within 3 LSBs (output scale) of the float result, on average within 1 LSB. The bound
     * allows for the half-LSB roundings of five requantized layers plus the int8 weight error (up to 0.4 % of
     * each weight); this net measures about 1.3 LSB at most and 0.4 on average.
     */
    @Test void int8OutputIsWithinAFewLsbOfFloat() {
        Run r = run(QuantizationPipeline.Scheme.INT8, Rounding.DOUBLE_ROUND);
        assertEquals(BATCH * 3, r.got.length);
        assertClose(r, 3, 1);
        long integerOps = r.lowered.nodes().stream()
                .filter(n -> n.op() instanceof QConv || n.op() instanceof QAdd || n.op() instanceof QMean || n.op() instanceof QGemm)
                .count();
        assertEquals(5, integerOps, "conv1, dw, add, gap and fc are integer ops");
    }

    @Test void singleRoundingIsAsClose() {
        assertClose(run(QuantizationPipeline.Scheme.INT8, Rounding.SINGLE_ROUND), 3, 1);
    }

    /**
     * int16x8: the activations' rounding is negligible, so the error is the int8 weights' (half a weight step,
     * max|w| / 254, on every product): within 2 % of the output range.
     */
    @Test void int16x8OutputIsCloseToFloat() {
        Run r = run(QuantizationPipeline.Scheme.INT16X8, Rounding.DOUBLE_ROUND);
        double range = 0;
        for (float v : r.want) range = Math.max(range, Math.abs(v));
        for (int i = 0; i < r.want.length; i++)
            assertTrue(Math.abs(r.want[i] - r.got[i]) <= 0.02 * range, "element " + i + ": float " + r.want[i] + ", int16x8 " + r.got[i]);
    }

    /**
     * With an integer interface the graph takes and returns the integer codes; quantizing the input by hand
     * and dequantizing the output gives exactly what the float-interface graph returns (integer results exact).
     */
    @Test void integerInterfaceComputesTheSameCodes() {
        Graph f = QuantTestNets.convNet(7);
        Tensor x = QuantTestNets.inputBatch(f, BATCH, 11);
        Graph calibrated = f.copy();
        QuantTestNets.annotatePlans(calibrated, List.of(x), DType.I8);
        var floatIo = new QuantizationPipeline.Options(8, false, Set.of(), Rounding.DOUBLE_ROUND, true);
        var intIo = new QuantizationPipeline.Options(8, false, Set.of(), Rounding.DOUBLE_ROUND, false);
        Graph a = QuantizationPipeline.run(f, QuantizationPipeline.Scheme.INT8, floatIo, calibrated).graph();
        Graph b = QuantizationPipeline.run(f, QuantizationPipeline.Scheme.INT8, intIo, calibrated).graph();
        QuantParams in = b.inputs().get(0).type().quant(), out = b.outputs().get(0).type().quant();
        assertEquals(DType.I8, b.inputs().get(0).type().dtype());
        float[] xs = x.toFloats();
        long[] codes = new long[xs.length];
        for (int i = 0; i < xs.length; i++) codes[i] = QuantNumbers.quantize(xs[i], in.scale(0), in.zeroPoint(0), DType.I8);
        long[] y = new Interpreter(b).run(List.of(Tensor.ofLongs(DType.I8, x.shape(), codes))).get(0).toLongs();
        float[] viaFloat = new Interpreter(a).run(List.of(x)).get(0).toFloats();
        for (int i = 0; i < y.length; i++)
            assertEquals(viaFloat[i], (float) ((double) out.scale(0) * (y[i] - out.zeroPoint(0))), 0f, "element " + i);
    }

    private static void assertClose(Run r, double maxLsb, double meanLsb) {
        double sum = 0;
        for (int i = 0; i < r.want.length; i++) {
            double err = Math.abs(r.want[i] - r.got[i]) / r.outputScale;
            sum += err;
            assertTrue(err <= maxLsb, "element " + i + ": float " + r.want[i] + ", quantized " + r.got[i] + " (" + err + " LSB)");
        }
        assertTrue(sum / r.want.length <= meanLsb, "mean error " + sum / r.want.length + " LSB");
    }
}
