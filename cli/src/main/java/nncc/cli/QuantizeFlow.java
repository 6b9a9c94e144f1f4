package nncc.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.passes.PassManager;
import nncc.passes.PassRegistry;
import nncc.passes.Stage;
import nncc.passes.calib.CalibratePass;
import nncc.passes.calib.CalibrationData;
import nncc.passes.calib.CalibrationResult;
import nncc.passes.quant.CorrectBiasPass;
import nncc.passes.quant.QuantizationPipeline;

/**
 * The whole of {@code nncc quantize}: prepare the float graph (shapes, no-ops, constants, BatchNorm folding,
 * activation fusion), calibrate it on sample inputs for the integer schemes, then run the scheme's passes.
 */
final class QuantizeFlow {
    /** Every stage's graph, kept for reports: the prepared float graph, its calibrated copy and the result. */
    record Outcome(Graph prepared, Graph calibrated, CalibrationResult calibration, Graph quantized,
                   List<PassManager.Step> steps, QuantizationPipeline.Scheme scheme) {}

    private QuantizeFlow() {}

    /**
     * Quantizes {@code model}. With {@code forReport}, calibration also builds the per-value histograms a report
     * draws, and schemes that do not calibrate accept calibration data (the report measures errors on it).
     */
    static Outcome run(Graph model, QuantOptions o, int threads, boolean forReport) {
        QuantizationPipeline.Scheme scheme = o.scheme();
        QuantizationPipeline.Options pipelineOptions = o.pipelineOptions();
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        Graph prepared = model.copy();
        List<PassManager.Step> steps = new ArrayList<>(
                new PassManager(PassRegistry.parse("prepare"), PassManager.Options.defaults(), quiet).run(prepared, Stage.of(prepared)));
        Graph calibrated = null;
        CalibrationResult calibration = null;
        if (scheme.needsCalibration()) {
            if (o.calib == null)
                throw new CliException("the " + scheme.text() + " scheme needs calibration data: give --calib C.npy or --calib IMAGE_DIR");
            CalibrationData data = CalibrationData.open(prepared, o.calib, o.preprocess());
            data.requireFits(prepared);
            CorrectBiasPass.WeightRounding rounding = o.weightRounding();
            if (rounding != CorrectBiasPass.WeightRounding.NEAREST && !o.biasCorrection)
                throw new CliException("--weight-rounding " + rounding.text() + " works with bias correction; drop --no-bias-correction");
            if (o.biasCorrection) {
                CorrectBiasPass correct = new CorrectBiasPass(new CorrectBiasPass.Options(data, pipelineOptions.weightBits(),
                        pipelineOptions.perTensor(), 1024, o.calibBatch, rounding));
                steps.addAll(new PassManager(List.of(correct), PassManager.Options.defaults(), quiet).run(prepared, Stage.BN_FOLDED));
            }
            DType act = scheme == QuantizationPipeline.Scheme.INT8 ? DType.I8 : DType.I16;
            CalibratePass.Options copts = CalibratePass.Options.of(data, o.observerKind()).withPercentile(o.percentile)
                    .withActivationType(act).withBatchSize(o.calibBatch).withThreads(threads).withHistograms(forReport);
            calibrated = prepared.copy();
            try (Progress bar = Progress.start("calibrate", copts.progressTotal(), "img")) {
                CalibratePass pass = new CalibratePass(copts.withProgress(bar::step));
                steps.addAll(new PassManager(List.of(pass), PassManager.Options.defaults(), quiet).run(calibrated, Stage.BN_FOLDED));
                calibration = pass.result();
            }
        } else if (o.calib != null && !forReport) {
            throw new CliException("the " + scheme.text() + " scheme takes no calibration data (--calib is for int8 and int16x8, or for --report)");
        }
        for (String n : pipelineOptions.exclude())
            if (prepared.nodes().stream().noneMatch(x -> x.name().equals(n)))
                throw new ModelException(null, n, "--exclude names no node of the prepared graph (BatchNorm and activations may have been fused)");
        QuantizationPipeline.Result r = QuantizationPipeline.run(prepared, scheme, pipelineOptions, calibrated);
        steps.addAll(r.steps());
        return new Outcome(prepared, calibrated, calibration, r.graph(), steps, scheme);
    }
}
