package nncc.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import nncc.ir.Graph;
import nncc.ir.GraphStats;
import nncc.ir.text.IrPrinter;
import nncc.cli.report.MarkdownSummary;
import nncc.cli.report.QuantReportData;
import nncc.passes.PassManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nncc quantize MODEL --calib C --scheme S -o OUT.nnir}: post-training quantization to text IR. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Quantize a float model (int8, int16x8, fp16 or dynamic) and write the result as text IR.")
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Float model (.onnx or .nnir).")
    Path model;

    @Mixin QuantOptions quant;

    @Mixin ReportOptions report;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.nnir", description = "Where to write the quantized text IR.")
    Path output;

    @Option(names = "--threads", defaultValue = "2", description = "Calibration threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--target", paramLabel = "T",
            description = "Quantize in a compile target's arithmetic: its default rounding and schemes (cpu, onnx: ONNX Runtime's float "
                    + "requantization, tpu, hls); --rounding still overrides.")
    String target;

    @Spec CommandSpec spec;

    @Override public Integer call() {
        if (target != null) { // the profile's rounding becomes the default, as compile --target does
            nncc.passes.TargetProfile profile = nncc.passes.TargetProfile.of(target);
            profile.requireScheme(quant.scheme());
            quant.defaultRounding = switch (profile.rounding()) {
                case SINGLE_ROUND -> "single";
                case ONNX_FLOAT32 -> "onnx";
                default -> "double";
            };
        }
        for (Path out : new Path[] {output, report.report}) Outputs.requireNotInput(out, model, quant.calib, report.evalData, report.evalLabels);
        Outputs.requireNotInput(report.report, output);
        QuantReporting.EvalSet eval = QuantReporting.readEval(report);
        Graph g = ModelLoader.load(model);
        if (nncc.passes.quant.LowerQdqPass.applies(g))
            throw new CliException(model + ": the model is already quantized (ONNX QuantizeLinear/DequantizeLinear or QLinear "
                    + "ops); run it as it is, or lower it with compile --target cpu");
        NonFinite.requireFiniteWeights(g, model);
        NonFinite.checkCalibration(quant.calib, quant.allowNanCalib, spec.commandLine().getErr());
        QuantizeFlow.Outcome r = QuantizeFlow.run(g, quant, threads, report.report != null, spec.commandLine().getErr());
        QuantReportData measured = report.measures() ? QuantReporting.measure(model, g, quant, report, r, eval, threads) : null;
        Outputs.writeText(output, IrPrinter.print(r.quantized()));
        if (report.report != null) QuantReporting.write(report.report, measured);
        printSummary(spec.commandLine().getOut(), model, r, measured, report.report);
        return 0;
    }

    /** A Markdown summary of what quantization did, with what was measured ({@code measured} may be null). */
    static void printSummary(PrintWriter out, Path model, QuantizeFlow.Outcome r, QuantReportData measured, Path reportFile) {
        GraphStats before = GraphStats.of(r.prepared()), after = GraphStats.of(r.quantized());
        out.printf("## nncc quantize: %s -> %s%n%n", model.getFileName(), r.scheme().text());
        out.println("| | float | " + r.scheme().text() + " |");
        out.println("|---|---:|---:|");
        out.printf("| parameter bytes | %s | %s (%.2fx smaller) |%n", InspectCommand.human(before.parameterBytes()),
                InspectCommand.human(after.parameterBytes()), (double) before.parameterBytes() / Math.max(1, after.parameterBytes()));
        out.printf("| nodes | %d | %d |%n", r.prepared().nodes().size(), r.quantized().nodes().size());
        if (r.calibration() != null)
            out.printf("| calibration | %d samples, %s observer | |%n", r.calibration().samples(), r.calibration().observer().text());
        if (measured != null) MarkdownSummary.tableRows(out, measured);
        out.println();
        if (measured != null) MarkdownSummary.worstLayers(out, measured);
        for (PassManager.Step s : r.steps())
            s.result().statistics().forEach((k, v) -> {
                if (k.startsWith("kept in float")) out.printf("- %s: %d%n", k, v);
            });
        if (reportFile != null) out.printf("- report: %s%n", reportFile);
        out.flush();
    }
}
