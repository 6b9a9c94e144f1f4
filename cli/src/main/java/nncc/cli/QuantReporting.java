package nncc.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nncc.cli.report.HtmlReport;
import nncc.passes.analysis.LayerErrorMeter;
import nncc.cli.report.QuantReportBuilder;
import nncc.cli.report.QuantReportData;
import nncc.passes.analysis.LayerError;
import nncc.cli.report.QuantReportData.Timing;
import nncc.cli.report.QuantReportData.Top1;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Tensor;
import nncc.passes.PassManager;
import nncc.passes.Quantizer;
import nncc.passes.calib.CalibrationData;

/**
 * What {@code --report} and {@code --eval-data} add to quantization: per-layer SQNR on the calibration samples
 * (or the evaluation data when the scheme takes no calibration data), top-1 of the float and the quantized
 * model through the same path as {@code nncc eval}, and the HTML report, written atomically.
 */
final class QuantReporting {
    private QuantReporting() {}

    /** Labelled evaluation data, read and checked before quantization so that bad files fail early. */
    record EvalSet(Tensor x, long[] labels, Path source) {}

    static EvalSet readEval(ReportOptions o) {
        o.check();
        if (o.evalData == null) return null;
        Tensor x = DataFiles.read(o.evalData);
        Tensor y = DataFiles.read(o.evalLabels);
        if (y.dtype().isFloat() || y.shape().rank() != 1)
            throw new ModelException(o.evalLabels.toString(), null, "labels must be integer [N], got " + y.dtype().text() + y.shape());
        if (x.shape().rank() == 0 || x.shape().dim(0) != y.shape().dim(0))
            throw new ModelException(o.evalData.toString(), null, "data has " + (x.shape().rank() == 0 ? 0 : x.shape().dim(0))
                    + " samples but " + o.evalLabels + " has " + y.shape().dim(0) + " labels");
        return new EvalSet(x, y.toLongs(), o.evalData);
    }

    /**
     * Measures what the options ask for and assembles the report's data. The float reference is {@code original}
     * prepared afresh (shapes, no-ops, BatchNorm and activation folding), as the quantized graph saw it before any
     * pass that adjusts float parameters for quantization (bias correction).
     */
    static QuantReportData measure(Path model, Graph original, QuantOptions q, ReportOptions o, QuantizeFlow.Outcome r,
                                   EvalSet eval, int threads) {
        Graph reference = Quantizer.prepare(original);
        List<Timing> timings = new ArrayList<>();
        timings.add(new Timing("quantization passes", r.steps().stream().mapToLong(PassManager.Step::nanos).sum()));
        Map<String, LayerError> errors = Map.of();
        int errorSamples = 0;
        String errorSource = null;
        if (o.report != null) {
            LayerErrorMeter.Samples samples = null;
            if (q.calib != null) {
                samples = LayerErrorMeter.Samples.of(CalibrationData.open(reference, q.calib, q.preprocess()));
                errorSource = q.calib.getFileName().toString();
            } else if (eval != null) {
                samples = LayerErrorMeter.Samples.of(eval.x());
                errorSource = eval.source().getFileName().toString();
            }
            if (samples != null) {
                long t0 = System.nanoTime();
                errorSamples = Math.min(o.samples, samples.count());
                errors = Quantizer.layerErrors(reference, r.quantized(), samples, errorSamples, threads, Progress.forQuantizer("layer"));
                timings.add(new Timing("per-layer errors", System.nanoTime() - t0));
            }
        }
        Top1 top1 = null;
        if (eval != null) {
            long t0 = System.nanoTime();
            Accuracy f = accuracy(reference, eval, threads, "eval float");
            Accuracy qt = accuracy(r.quantized(), eval, threads, "eval " + r.scheme().text());
            int changed = 0;
            for (int i = 0; i < f.predictions().length; i++) if (f.predictions()[i] != qt.predictions()[i]) changed++;
            top1 = new Top1(f.top1(), qt.top1(), eval.labels().length, eval.source().getFileName().toString(), changed, qt.tiedRows());
            timings.add(new Timing("evaluation", System.nanoTime() - t0));
        }
        QuantReportBuilder.Input in = new QuantReportBuilder.Input(model.getFileName().toString(), r.scheme().text(), reference,
                r.quantized(), r.calibration(), r.steps(), q.weightBits);
        return QuantReportBuilder.build(in, new QuantReportBuilder.Measurements(errors, errorSamples, errorSource, top1, timings));
    }

    /** Renders the report (a progress bar over its charts) and writes it atomically. */
    static void write(Path file, QuantReportData d) {
        String html;
        try (Progress bar = Progress.start("report", HtmlReport.chartCount(d), "chart")) {
            html = HtmlReport.render(d, bar::step);
        }
        Outputs.writeText(file, html);
    }

    private static Accuracy accuracy(Graph g, EvalSet eval, int threads, String task) {
        Tensor x = QuantIO.inputs(g, List.of(eval.x()), false).get(0);
        BatchRunner runner = new BatchRunner(g, threads);
        BatchRunner.Plan plan = runner.plan(List.of(x), new String[] {eval.source().toString()}, 256);
        Tensor logits;
        try (Progress p = Progress.start(task, x.shape().dim(0), "img")) {
            logits = QuantIO.outputs(g, runner.run(List.of(x), plan, p::step), false).get(0);
        }
        return Accuracy.of(logits, eval.labels());
    }

}
