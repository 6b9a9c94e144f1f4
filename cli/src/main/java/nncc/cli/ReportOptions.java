package nncc.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The report options shared by {@code nncc quantize} and {@code nncc compile}. */
final class ReportOptions {
    @Option(names = "--report", paramLabel = "FILE.html",
            description = "Write an HTML quantization report: sizes, per-layer ranges, scales and SQNR against float, charts.")
    Path report;

    @Option(names = "--eval-data", paramLabel = "X", description = "Labelled inputs (.npy or IDX) for top-1 float vs quantized.")
    Path evalData;

    @Option(names = "--eval-labels", paramLabel = "Y", description = "Integer class labels for --eval-data (.npy [N] or IDX).")
    Path evalLabels;

    @Option(names = "--report-samples", defaultValue = "128", paramLabel = "N",
            description = "Samples the per-layer SQNR is measured on (default: ${DEFAULT-VALUE}).")
    int samples;

    /** Whether anything is to be measured after quantization. */
    boolean measures() { return report != null || evalData != null; }

    /** Throws a {@link CliException} for options that cannot work together, before any work is done. */
    void check() {
        if ((evalData == null) != (evalLabels == null))
            throw new CliException("--eval-data and --eval-labels go together: give both");
        if (samples < 1) throw new CliException("--report-samples must be >= 1, got " + samples);
        if (report != null && !report.getFileName().toString().toLowerCase().matches(".*\\.html?"))
            throw new CliException("--report writes HTML: give a file name ending in .html, got " + report);
        if (report != null && !Files.isDirectory(report.toAbsolutePath().getParent()))
            throw new CliException(report + ": output directory does not exist");
    }
}
