package nncc.passes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;
import nncc.passes.calib.CalibratePass;
import nncc.passes.calib.CalibrationData;
import nncc.passes.calib.ObserverKind;
import nncc.passes.quant.CorrectBiasPass;
import nncc.passes.quant.QuantizationPipeline;
import nncc.passes.quant.QuantizationPipeline.Scheme;
import nncc.passes.quant.QuantizeWeightsPass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bias correction measured in calibration's forward pass: {@code Quantizer.quantize} with its defaults (nearest
 * rounding, bias correction on) gives exactly what calibrating the float model and then running correct-bias on its
 * own gives, on any number of threads and calibration batch size; and a correction handed its layer inputs by
 * calibration writes the same biases as one that runs its own forward pass, also when it averages fewer samples
 * than calibration sees (the limit cutting a chunk) and with observers that run on one thread or need two passes.
 */
class OneForwardPassTest {
    @TempDir Path tmp;

    private static final String NET = """
            graph @g {
              input %x : f32[?N,3,8,8]
              const %w1 : f32[4,3,3,3] = %W1
              const %b1 : f32[4] = [0.1, -0.2, 0.3, 0.0]
              const %w2 : f32[6,4,3,3] = %W2
              const %b2 : f32[6] = [0.05, 0.0, -0.1, 0.2, 0.0, 0.1]
              const %fw : f32[5,96] = %F
              const %fb : f32[5] = [0.0, 0.1, -0.1, 0.2, 0.3]
              node @conv1 = Conv {strides = [1, 1], pads = [1, 1, 1, 1], dilations = [1, 1], group = 1} (%x, %w1, %b1) -> (%y1 : f32[?N,4,8,8])
              node @relu = Relu (%y1) -> (%r1 : f32[?N,4,8,8])
              node @conv2 = Conv {strides = [2, 2], pads = [1, 1, 1, 1], dilations = [1, 1], group = 1} (%r1, %w2, %b2) -> (%y2 : f32[?N,6,4,4])
              node @flat = Flatten {axis = 1} (%y2) -> (%f : f32[?N,96])
              node @fc = Gemm {alpha = 1.0, beta = 1.0, transA = false, transB = true} (%f, %fw, %fb) -> (%out : f32[?N,5])
              output %out
            }
            """;

    private static String floats(Random r, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) b.append(i > 0 ? ", " : "").append((float) (r.nextGaussian() * 0.3));
        return b.append(']').toString();
    }

    private static Graph model() {
        Random r = new Random(7);
        return IrParser.parse(NET.replace("%W1", floats(r, 108)).replace("%W2", floats(r, 216)).replace("%F", floats(r, 480)),
                "net.nnir");
    }

    private CalibrationData data(Graph g, int n) throws Exception {
        Random r = new Random(4);
        float[] x = new float[n * 192];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.5 + r.nextGaussian()); // non-zero mean: biases to correct
        Path p = tmp.resolve("calib" + n + ".npy");
        Npy.write(p, Tensor.ofFloats(Shape.of(n, 3, 8, 8), x));
        return CalibrationData.fromNpy(g, p);
    }

    private static List<PassManager.Step> run(Pass p, Graph g, Stage s) {
        return new PassManager(List.of(p), PassManager.Options.defaults(), new PrintWriter(Writer.nullWriter())).run(g, s);
    }

    @Test void quantizeEqualsCalibratingTheFloatModelThenCorrectingBiases() throws Exception {
        Graph model = model();
        CalibrationData data = data(model, 37);
        // the reference: the spelled-out order, calibrate (on the float model) then correct-bias with its own pass
        Graph reference = Quantizer.prepare(model);
        run(new QuantizeWeightsPass(new QuantizeWeightsPass.Options(8, false, java.util.Set.of(), false)), reference, Stage.BN_FOLDED);
        run(new CalibratePass(CalibratePass.Options.of(data, ObserverKind.MINMAX)), reference, Stage.BN_FOLDED);
        run(new CorrectBiasPass(new CorrectBiasPass.Options(data, 8, false, 1024, 32, CorrectBiasPass.WeightRounding.NEAREST)),
                reference, Stage.RANGES_ANNOTATED);
        String calibrated = IrPrinter.print(reference);
        String quantized = IrPrinter.print(QuantizationPipeline.run(null, Scheme.INT8, QuantizationPipeline.Options.defaults(),
                reference).graph());
        assertTrue(calibrated.contains("b1.corrected") && calibrated.contains("fb.corrected"), calibrated);
        for (int threads = 1; threads <= 3; threads++)
            for (int batch : new int[] {1, 8, 32}) {
                Quantizer.Result r = Quantizer.quantize(model, data,
                        Quantizer.Config.of(Scheme.INT8).withRun(batch, threads, false, null));
                assertEquals(calibrated, IrPrinter.print(r.calibrated()), threads + " threads, batch " + batch);
                assertEquals(quantized, IrPrinter.print(r.quantized()), threads + " threads, batch " + batch);
                assertEquals(List.of("calibrate", "correct-bias"), r.steps().stream().map(PassManager.Step::pass)
                        .filter(p -> p.equals("calibrate") || p.equals("correct-bias")).toList());
            }
        // the biases of the float graph kept for reports are the corrected ones too
        Quantizer.Result r = Quantizer.quantize(model, data, Quantizer.Config.of(Scheme.INT8));
        assertArrayEquals(reference.constant("b2.corrected").data().toFloats(), r.prepared().constant("b2.corrected").data().toFloats());
        // and without bias correction the observers see the same float model: the same ranges, the plain biases
        Quantizer.Result plain = Quantizer.quantize(model, data, Quantizer.Config.of(Scheme.INT8)
                .withBiasCorrection(false, CorrectBiasPass.WeightRounding.NEAREST));
        assertEquals(r.calibration().values().stream().map(v -> v.range()).toList(),
                plain.calibration().values().stream().map(v -> v.range()).toList());
        assertNotEquals(IrPrinter.print(plain.quantized()), quantized);
    }

    @Test void biasesHandedOverByCalibrationEqualThoseOfTheirOwnForwardPass() throws Exception {
        Graph model = Quantizer.prepare(model());
        CalibrationData data = data(model, 37);
        for (ObserverKind kind : new ObserverKind[] {ObserverKind.MINMAX, ObserverKind.MOVING_AVERAGE, ObserverKind.ENTROPY})
            for (int samples : new int[] {10, 1024}) // 10: a chunk of 4 samples is cut at the limit
                for (int threads = 1; threads <= 2; threads++) {
                    CorrectBiasPass.Options o = new CorrectBiasPass.Options(data, 8, false, samples, 4,
                            CorrectBiasPass.WeightRounding.NEAREST, threads);
                    Graph own = model.copy();
                    new CorrectBiasPass(o).run(own);
                    Graph shared = model.copy();
                    CorrectBiasPass pass = new CorrectBiasPass(o);
                    CorrectBiasPass.Measurement m = pass.measure(shared);
                    new CalibratePass(CalibratePass.Options.of(data, kind).withBatchSize(4).withThreads(threads), m).run(shared);
                    pass.apply(m, shared);
                    for (String b : new String[] {"b1.corrected", "b2.corrected", "fb.corrected"})
                        assertArrayEquals(own.constant(b).data().toFloats(), shared.constant(b).data().toFloats(),
                                kind + ", " + samples + " samples, " + threads + " threads: " + b);
                }
    }
}
