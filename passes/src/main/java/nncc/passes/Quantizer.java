package nncc.passes;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import nncc.cpu.FloatEdges;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.passes.analysis.LayerError;
import nncc.passes.analysis.LayerErrorMeter;
import nncc.passes.calib.CalibratePass;
import nncc.passes.calib.CalibrationData;
import nncc.passes.calib.CalibrationResult;
import nncc.passes.calib.ObserverKind;
import nncc.passes.quant.CorrectBiasPass;
import nncc.passes.quant.QuantizationPipeline;
import nncc.passes.quant.QuantizationPipeline.Scheme;
import nncc.passes.quant.QuantizeWeightsPass;

/**
 * The quantization driver, as a library call: prepare the float graph (shapes, no-ops, constants, BatchNorm
 * folding, activation fusion); for the integer schemes quantize the weights (once), calibrate and correct biases on
 * sample inputs (one float forward pass over them for both with nearest weight rounding, see {@link CorrectBiasPass}); then run the scheme's passes (fold-scales, insert-requantize, lower-integer). {@code nncc quantize} and {@code nncc compile} parse options into a {@link Config} and call
 * {@link #quantize}; a researcher's program does the same:
 * <pre>
 * Graph model = OnnxImporter.load(path);
 * CalibrationData data = CalibrationData.fromNpy(model, Path.of("calib.npy"));
 * Quantizer.Result r = Quantizer.quantize(model, data, Quantizer.Config.of(Scheme.INT8));
 * Interpreter.run(r.quantized(), inputs);
 * Map<String, LayerError> errors = Quantizer.layerErrors(Quantizer.prepare(model), r.quantized(),
 *         LayerErrorMeter.Samples.of(data), 256, 2, Quantizer.Progress.none());
 * </pre>
 */
public final class Quantizer {
    private Quantizer() {}

    /** Progress of long work (calibration): told the total once, then each step; a terminal bar or nothing. */
    public interface Progress {
        void begin(String task, long total);

        void step(long n);

        void end();

        static Progress none() {
            return new Progress() {
                @Override public void begin(String task, long total) {}

                @Override public void step(long n) {}

                @Override public void end() {}
            };
        }
    }

    /**
     * How to quantize. {@code histograms} asks calibration for the per-value histograms a report draws;
     * {@code progress} hears calibration's progress.
     */
    public record Config(Scheme scheme, QuantizationPipeline.Options options, ObserverKind observer, double percentile,
                         boolean biasCorrection, CorrectBiasPass.WeightRounding weightRounding, int calibBatch,
                         int threads, boolean histograms, Progress progress, List<Pass> floatPasses) {
        public Config {
            floatPasses = floatPasses == null ? List.of() : List.copyOf(floatPasses);
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(options, "options");
            Objects.requireNonNull(observer, "observer");
            Objects.requireNonNull(weightRounding, "weightRounding");
            if (progress == null) progress = Progress.none();
            if (calibBatch < 1) throw new ModelException("calibration batch size must be >= 1, got " + calibBatch);
            if (threads < 1) throw new ModelException("threads must be >= 1, got " + threads);
            if (weightRounding != CorrectBiasPass.WeightRounding.NEAREST && !biasCorrection)
                throw new ModelException("weight rounding " + weightRounding.text() + " works with bias correction; turn it on");
        }

        /** Defaults: min/max observer, bias correction on, nearest weight rounding, batches of 32, 2 threads. */
        public static Config of(Scheme scheme) {
            return new Config(scheme, QuantizationPipeline.Options.defaults(), ObserverKind.MINMAX, 99.99, true,
                    CorrectBiasPass.WeightRounding.NEAREST, 32, 2, false, null, List.of());
        }

        public Config withOptions(QuantizationPipeline.Options o) {
            return new Config(scheme, o, observer, percentile, biasCorrection, weightRounding, calibBatch, threads, histograms, progress, floatPasses);
        }

        public Config withObserver(ObserverKind o, double p) {
            return new Config(scheme, options, o, p, biasCorrection, weightRounding, calibBatch, threads, histograms, progress, floatPasses);
        }

        public Config withBiasCorrection(boolean on, CorrectBiasPass.WeightRounding r) {
            return new Config(scheme, options, observer, percentile, on, r, calibBatch, threads, histograms, progress, floatPasses);
        }

        /**
         * Passes run on the float graph right after {@code prepare} and before weights are quantized, for example a
         * researcher's rewrite loaded from a plugin ({@link PassRegistry#withPlugins}).
         */
        public Config withFloatPasses(List<Pass> passes) {
            return new Config(scheme, options, observer, percentile, biasCorrection, weightRounding, calibBatch, threads,
                    histograms, progress, passes);
        }

        public Config withRun(int batch, int nThreads, boolean wantHistograms, Progress p) {
            return new Config(scheme, options, observer, percentile, biasCorrection, weightRounding, batch, nThreads, wantHistograms, p, floatPasses);
        }
    }

    /**
     * Every stage's graph, kept for reports: the prepared float graph, its calibrated copy (null for schemes that do
     * not calibrate) and the result; what each pass did; and notes for the user (harmless extras that were ignored).
     */
    public record Result(Graph prepared, Graph calibrated, CalibrationResult calibration, Graph quantized,
                         List<PassManager.Step> steps, Scheme scheme, List<String> notes) {}

    /**
     * Quantizes {@code model} (not modified). {@code data} is required by int8 and int16x8; fp16 and dynamic ignore it
     * with a note (as TFLite's converter ignores a representative dataset there), unless {@code config.histograms()}
     * asks for it to be measured on.
     */
    public static Result quantize(Graph model, CalibrationData data, Config config) {
        Scheme scheme = config.scheme();
        QuantizationPipeline.Options pipelineOptions = config.options();
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        List<String> notes = new ArrayList<>();
        Graph prepared = model.copy();
        List<PassManager.Step> steps = new ArrayList<>(new PassManager(PassRegistry.parse("prepare"),
                PassManager.Options.defaults(), quiet).run(prepared, Stage.of(prepared)));
        if (!config.floatPasses().isEmpty())
            steps.addAll(new PassManager(config.floatPasses(), PassManager.Options.defaults(), quiet).run(prepared, Stage.BN_FOLDED));
        Graph calibrated = null;
        CalibrationResult calibration = null;
        if (scheme.needsCalibration()) {
            if (data == null)
                throw new ModelException("the " + scheme.text() + " scheme needs calibration data: give --calib C.npy or --calib IMAGE_DIR");
            data.requireFits(prepared);
            // every weight code is decided here, once; bias correction and the lowering read these codes
            QuantizeWeightsPass weights = new QuantizeWeightsPass(new QuantizeWeightsPass.Options(pipelineOptions.weightBits(),
                    pipelineOptions.perTensor(), pipelineOptions.exclude(), pipelineOptions.perTensorFullyConnected()));
            steps.addAll(new PassManager(List.of(weights), PassManager.Options.defaults(), quiet).run(prepared, Stage.BN_FOLDED));
            CorrectBiasPass correct = !config.biasCorrection() ? null : new CorrectBiasPass(new CorrectBiasPass.Options(data,
                    pipelineOptions.weightBits(), pipelineOptions.perTensor(), 1024, config.calibBatch(), config.weightRounding(),
                    config.threads()));
            // Nearest rounding keeps the float weights: bias correction's float-model layer inputs are then measured in
            // calibration's own forward pass (one pass over the data for both), and the observers see the float model,
            // as TFLite and ONNX Runtime calibrate. Adaptive rounding and GPTQ snap the weights to the grid first, and
            // calibration observes that weight-quantized model, as before.
            boolean oneForwardPass = correct != null && config.weightRounding() == CorrectBiasPass.WeightRounding.NEAREST;
            if (correct != null && !oneForwardPass)
                steps.addAll(new PassManager(List.of(correct), PassManager.Options.defaults(), quiet).run(prepared, Stage.BN_FOLDED));
            DType act = scheme == Scheme.INT8 ? DType.I8 : DType.I16;
            CalibratePass.Options copts = CalibratePass.Options.of(data, config.observer()).withPercentile(config.percentile())
                    .withActivationType(act).withBatchSize(config.calibBatch()).withThreads(config.threads())
                    .withHistograms(config.histograms());
            calibrated = prepared.copy();
            CorrectBiasPass.Measurement means = oneForwardPass ? correct.measure(calibrated) : null;
            Progress progress = config.progress();
            progress.begin("calibrate", copts.progressTotal());
            try {
                CalibratePass pass = new CalibratePass(copts.withProgress(progress::step), means);
                steps.addAll(new PassManager(List.of(pass), PassManager.Options.defaults(), quiet).run(calibrated, Stage.BN_FOLDED));
                calibration = pass.result();
            } finally {
                progress.end();
            }
            if (oneForwardPass) {
                Pass apply = new Pass() {
                    @Override public String name() { return CorrectBiasPass.NAME; }

                    @Override public Stage requires() { return Stage.RANGES_ANNOTATED; }

                    @Override public PassResult run(Graph g) { return correct.apply(means, g); }
                };
                steps.addAll(new PassManager(List.of(apply), PassManager.Options.defaults(), quiet).run(calibrated, Stage.RANGES_ANNOTATED));
                correct.apply(means, prepared); // the same biases in the float graph kept for reports
            }
        } else if (data != null && !config.histograms()) {
            notes.add("the " + scheme.text() + " scheme takes no calibration data; --calib is ignored");
        }
        for (String n : pipelineOptions.exclude())
            if (prepared.nodes().stream().noneMatch(x -> x.name().equals(n)))
                throw new ModelException(null, n, "--exclude names no node of the prepared graph (BatchNorm and activations may have been fused)");
        QuantizationPipeline.Result r = QuantizationPipeline.run(prepared, scheme, pipelineOptions, calibrated);
        steps.addAll(r.steps());
        return new Result(prepared, calibrated, calibration, r.graph(), steps, scheme, List.copyOf(notes));
    }

    /**
     * {@code model} (not modified) prepared as quantization prepares it (shapes, no-ops, constants, BatchNorm and
     * activation folding), before any pass adjusts float parameters for quantization: the float reference that
     * per-layer errors are measured against.
     */
    public static Graph prepare(Graph model) {
        Graph g = model.copy();
        new PassManager(PassRegistry.parse("prepare"), PassManager.Options.defaults(), new PrintWriter(Writer.nullWriter()))
                .run(g, Stage.of(g));
        return g;
    }

    /**
     * The per-layer error of {@code quantized} against {@code floatReference} (usually {@link #prepare} of the
     * model): every value they share by name, measured on the first {@code maxSamples} float samples, which are
     * quantized at the integer model's inputs as {@code nncc run} does. The result does not depend on
     * {@code threads}; {@code progress} hears one step per value per batch.
     */
    public static Map<String, LayerError> layerErrors(Graph floatReference, Graph quantized, LayerErrorMeter.Samples samples,
                                                      int maxSamples, int threads, Progress progress) {
        LayerErrorMeter meter = LayerErrorMeter.of(floatReference, quantized);
        int n = Math.min(maxSamples, samples.count());
        progress.begin("layer errors", meter.work(n));
        try {
            return meter.measure(samples, n, xs -> FloatEdges.inputs(quantized, xs, false), threads, progress::step);
        } finally {
            progress.end();
        }
    }
}
