package nncc.cli;

import java.io.PrintWriter;
import java.util.List;
import nncc.ir.Graph;
import nncc.passes.PassManager;
import nncc.passes.Quantizer;
import nncc.passes.calib.CalibrationData;
import nncc.passes.calib.CalibrationResult;
import nncc.passes.quant.QuantizationPipeline;

/**
 * {@code nncc quantize}'s and {@code nncc compile}'s bridge to the library's {@link Quantizer}: turns the parsed
 * options into a {@link Quantizer.Config}, opens the calibration data, shows calibration's progress bar and prints
 * the quantizer's notes on stderr.
 */
final class QuantizeFlow {
    /** Every stage's graph, kept for reports: the prepared float graph, its calibrated copy and the result. */
    record Outcome(Graph prepared, Graph calibrated, CalibrationResult calibration, Graph quantized,
                   List<PassManager.Step> steps, QuantizationPipeline.Scheme scheme) {}

    private QuantizeFlow() {}

    /**
     * Quantizes {@code model}. With {@code forReport}, calibration also builds the per-value histograms a report
     * draws, and schemes that do not calibrate use calibration data (the report measures errors on it).
     */
    static Outcome run(Graph model, QuantOptions o, int threads, boolean forReport, PrintWriter err) {
        Quantizer.Config config = Quantizer.Config.of(o.scheme()).withOptions(o.pipelineOptions())
                .withObserver(o.observerKind(), o.percentile).withBiasCorrection(o.biasCorrection, o.weightRounding())
                .withRun(o.calibBatch, threads, forReport, Progress.forQuantizer("img")).withFloatPasses(o.floatPasses());
        CalibrationData data = o.calib == null ? null : CalibrationData.open(model, o.calib, o.preprocess());
        Quantizer.Result r = Quantizer.quantize(model, data, config);
        for (String note : r.notes()) err.println("nncc: note: " + note);
        err.flush();
        return new Outcome(r.prepared(), r.calibrated(), r.calibration(), r.quantized(), r.steps(), r.scheme());
    }

}
