package nncc.cli.report;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import nncc.cli.report.QuantReportData.Layer;
import nncc.cli.report.QuantReportData.Top1;

/** The measured part of {@code nncc quantize}'s Markdown summary on the terminal: accuracy and per-layer SQNR. */
public final class MarkdownSummary {
    /** Layers listed in the summary's error table. */
    static final int WORST_LAYERS = 5;

    private MarkdownSummary() {}

    /** Rows for the summary's float-vs-quantized table: top-1 and mean SQNR, when measured. */
    public static void tableRows(PrintWriter out, QuantReportData d) {
        Top1 t = d.top1();
        if (t != null) {
            out.printf(Locale.ROOT, "| top-1 (%d samples) | %.2f%% | %.2f%% (%+.2f points) |%n", t.count(), 100 * t.floatTop1(),
                    100 * t.quantTop1(), t.deltaPoints());
            out.printf(Locale.ROOT, "| predictions that differ from float | | %d of %d (%d with a tied top score) |%n", t.changed(),
                    t.count(), t.tiedRows());
        }
        long measured = d.measuredLayers();
        if (measured > 0)
            out.printf(Locale.ROOT, "| SQNR against float | | mean %s over %d layers |%n", Fmt.db(d.meanSqnr()), measured);
    }

    /** The layers with the lowest SQNR, as a Markdown table (nothing when errors were not measured). */
    public static void worstLayers(PrintWriter out, QuantReportData d) {
        List<Layer> ranked = d.rankedByError();
        if (ranked.isEmpty()) return;
        out.printf(Locale.ROOT, "Lowest SQNR (against float, %d samples of %s):%n%n", d.errorSamples(), d.errorSource());
        out.println("| # | layer | op | SQNR |");
        out.println("|---:|---|---|---:|");
        for (int i = 0; i < Math.min(WORST_LAYERS, ranked.size()); i++) {
            Layer l = ranked.get(i);
            out.printf(Locale.ROOT, "| %d | %s | %s | %s |%n", i + 1, l.displayName(), l.quantOp(), Fmt.db(l.sqnr()));
        }
        out.println();
    }
}
