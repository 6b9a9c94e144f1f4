package nncc.passes.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import nncc.passes.PassResult;
import nncc.passes.calib.CalibrationData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bias correction and adaptive rounding: after the pass, the layer with its weights quantized as the lowering
 * will quantize them has (near) zero mean output error on the calibration data, and adaptive rounding lowers the
 * output error energy below round-to-nearest's.
 */
class CorrectBiasPassTest {
    @TempDir Path tmp;

    static final String NET = """
            graph @g {
              input %x : f32[?N,3,6,6]
              const %w : f32[4,3,3,3] = %W
              const %b : f32[4] = [0.1, -0.2, 0.3, 0.0]
              const %fw : f32[5,64] = %F
              node @conv = Conv {strides = [1, 1], pads = [1, 1, 1, 1], dilations = [1, 1], group = 1} (%x, %w, %b) -> (%y : f32[?N,4,6,6])
              output %y
            }
            """;

    static String floats(Random r, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) b.append(i > 0 ? ", " : "").append((float) (r.nextGaussian() * 0.3));
        return b.append(']').toString();
    }

    Graph graph() {
        Random r = new Random(3);
        String text = NET.replace("%W", floats(r, 108)).replace("const %fw : f32[5,64] = %F\n", "");
        return IrParser.parse(text, "net.nnir");
    }

    CalibrationData data(Graph g, int n, long seed) throws Exception {
        Random r = new Random(seed);
        float[] x = new float[n * 108];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.5 + r.nextGaussian()); // non-zero mean: a bias to correct
        Path p = tmp.resolve("x" + seed + ".npy");
        Npy.write(p, Tensor.ofFloats(Shape.of(n, 3, 6, 6), x));
        return CalibrationData.fromNpy(g, p);
    }

    /**
     * Mean over channels of |mean error of the channel| and the mean square error, of the conv with weights quantized
     * as the lowering will (and the graph's bias) against the float conv, over the data.
     */
    static double[] error(Graph original, Graph corrected, List<Tensor> batch, int bits) {
        Node conv = corrected.nodes().get(0);
        Tensor w = corrected.constantData(conv.input(1));
        WeightQuantizer.Weights q = WeightQuantizer.symmetric(w, bits, true);
        long[] codes = q.data().toLongs();
        float[] deq = new float[codes.length];
        int per = codes.length / 4;
        for (int i = 0; i < codes.length; i++) deq[i] = codes[i] * q.scale(i / per);
        Graph quantized = corrected.copy();
        Node n = quantized.nodes().get(0);
        List<nncc.ir.Value> in = new java.util.ArrayList<>(n.inputs());
        in.set(1, quantized.addConstant("wq", Tensor.ofFloats(w.shape(), deq)));
        quantized.replaceNode(n, List.of(n.withInputs(in)));
        float[] ref = new Interpreter(original).run(batch).get(0).toFloats();
        float[] got = new Interpreter(quantized).run(batch).get(0).toFloats();
        double[] channel = new double[4];
        double sq = 0;
        for (int i = 0; i < ref.length; i++) {
            channel[(i / 36) % 4] += got[i] - ref[i];
            sq += (got[i] - ref[i]) * (got[i] - ref[i]);
        }
        double mean = 0;
        for (double c : channel) mean += Math.abs(c / (ref.length / 4.0)) / 4;
        return new double[] {mean, sq / ref.length};
    }

    @Test
    void biasCorrectionRemovesTheMeanErrorAndAdaptiveRoundingLowersTheEnergy() throws Exception {
        Graph g = graph();
        CalibrationData calib = data(g, 64, 1);
        List<Tensor> held = data(g, 64, 2).batch(0, 64); // held-out samples from the same distribution
        int bits = 4; // coarse weights make the effects visible
        Graph plain = g.copy();
        Graph corrected = g.copy();
        PassResult r = new CorrectBiasPass(new CorrectBiasPass.Options(calib, bits, false, 1000, 16, CorrectBiasPass.WeightRounding.NEAREST)).run(corrected);
        assertEquals(1, r.statistics().get("layers corrected"));
        Graph adaptive = g.copy();
        PassResult a = new CorrectBiasPass(new CorrectBiasPass.Options(calib, bits, false, 1000, 16, CorrectBiasPass.WeightRounding.ADAPTIVE)).run(adaptive);
        assertTrue(a.statistics().get("weights re-rounded") > 0, a.statistics().toString());
        double[] e0 = error(g, plain, held, bits), e1 = error(g, corrected, held, bits), e2 = error(g, adaptive, held, bits);
        System.out.printf("mean error %.5f -> %.5f (corrected) -> %.5f (adaptive); energy %.6f -> %.6f -> %.6f%n",
                e0[0], e1[0], e2[0], e0[1], e1[1], e2[1]);
        assertTrue(Math.abs(e1[0]) < Math.abs(e0[0]) / 3, "bias correction should remove most of the mean error");
        assertTrue(e1[1] < e0[1], "and lower the error energy");
        assertTrue(e2[1] < e1[1], "adaptive rounding lowers the error energy further on held-out data");
        // the adaptive weights sit exactly on the grid the lowering computes, so lowering keeps the chosen codes
        Tensor snapped = adaptive.constantData(adaptive.nodes().get(0).input(1));
        WeightQuantizer.Weights q = WeightQuantizer.symmetric(snapped, bits, true);
        float[] v = snapped.toFloats();
        long[] codes = q.data().toLongs();
        for (int i = 0; i < v.length; i++) assertEquals(v[i], codes[i] * q.scale(i / 27), 1e-6f * Math.abs(v[i]) + 1e-9f);
    }

    /** Inputs whose channels and neighbouring pixels are strongly correlated, as real feature maps are. */
    CalibrationData correlated(Graph g, int n, long seed) throws Exception {
        Random r = new Random(seed);
        float[] x = new float[n * 108];
        for (int i = 0; i < n; i++) {
            double[] base = new double[36];
            for (int p = 0; p < 36; p++) base[p] = 0.5 + r.nextGaussian() + (p > 0 ? 0.8 * base[p - 1] : 0);
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 36; p++) x[i * 108 + c * 36 + p] = (float) (base[p] * (1 + 0.2 * c) + 0.3 * r.nextGaussian());
        }
        Path p = tmp.resolve("c" + seed + ".npy");
        Npy.write(p, Tensor.ofFloats(Shape.of(n, 3, 6, 6), x));
        return CalibrationData.fromNpy(g, p);
    }

    @Test
    void gptqLowersTheOutputErrorOnCorrelatedInputsAndStaysOnTheLoweringGrid() throws Exception {
        Graph g = graph();
        CalibrationData calib = correlated(g, 64, 5);
        List<Tensor> held = correlated(g, 64, 6).batch(0, 64);
        int bits = 4;
        Graph nearest = g.copy(), gptq = g.copy();
        new CorrectBiasPass(new CorrectBiasPass.Options(calib, bits, false, 1000, 16, CorrectBiasPass.WeightRounding.NEAREST)).run(nearest);
        PassResult r = new CorrectBiasPass(new CorrectBiasPass.Options(calib, bits, false, 1000, 16, CorrectBiasPass.WeightRounding.GPTQ)).run(gptq);
        assertTrue(r.statistics().get("weights re-rounded") > 0, r.statistics().toString());
        double[] e1 = error(g, nearest, held, bits), e2 = error(g, gptq, held, bits);
        System.out.printf("correlated inputs, 4-bit weights: error energy %.6f (nearest) -> %.6f (gptq)%n", e1[1], e2[1]);
        assertTrue(e2[1] < 0.7 * e1[1], "gptq should cut the held-out error energy by 30 % or more: " + e1[1] + " -> " + e2[1]);
        Tensor snapped = gptq.constantData(gptq.nodes().get(0).input(1));
        WeightQuantizer.Weights q = WeightQuantizer.symmetric(snapped, bits, true);
        WeightQuantizer.Weights q0 = WeightQuantizer.symmetric(g.constantData(g.nodes().get(0).input(1)), bits, true);
        float[] v = snapped.toFloats();
        long[] codes = q.data().toLongs();
        for (int c = 0; c < 4; c++) assertEquals(q0.scale(c), q.scale(c), 1e-6f * q0.scale(c), "the scale of channel " + c + " is kept");
        for (int i = 0; i < v.length; i++) assertEquals(v[i], codes[i] * q.scale(i / 27), 1e-6f * Math.abs(v[i]) + 1e-9f);
    }
}
