package nncc.cli.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;
import nncc.cli.report.QuantReportData.Layer;
import nncc.cli.report.QuantReportData.Sizes;
import nncc.cli.report.QuantReportData.Top1;
import nncc.cli.report.QuantReportData.WeightStats;

/**
 * Renders a {@link QuantReportData} as one self-contained HTML page: inline CSS, inline SVG charts, no scripts;
 * written so that it is also well-formed XML (tests parse it).
 * The page is the same for the same data, except the timings at its foot.
 */
public final class HtmlReport {
    /** Weight histograms drawn: those of the layers with the lowest SQNR. */
    static final int WORST_WEIGHT_CHARTS = 4;
    /** The SQNR that fills the ranking's bars. */
    private static final double RANKING_FULL_SCALE_DB = 60;

    private final QuantReportData d;
    private final StringBuilder out = new StringBuilder(1 << 16);
    private int charts;

    private HtmlReport(QuantReportData d) { this.d = d; }

    /** The page; {@code progress} gets one unit per chart drawn (see {@link #chartCount}). */
    public static String render(QuantReportData d, LongConsumer progress) { return new HtmlReport(d).page(progress); }

    /** How many charts {@link #render} draws for {@code d}. */
    public static int chartCount(QuantReportData d) {
        int n = d.rankedByError().isEmpty() ? 0 : 1;
        n += (int) d.layers().stream().filter(HtmlReport::hasHistogram).count();
        return n + worstWeights(d).size();
    }

    private String page(LongConsumer progress) {
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width\"/>\n")
                .append("<title>nncc quantization report: ").append(esc(d.model())).append(" (").append(esc(d.scheme())).append(")</title>\n<style>\n")
                .append(css()).append("</style>\n</head>\n<body>\n<main>\n");
        header();
        errorChart(progress);
        layerTable();
        ranking();
        activations(progress);
        weights(progress);
        sizes();
        footer();
        out.append("</main>\n</body>\n</html>\n");
        return out.toString();
    }

    private void header() {
        Sizes s = d.sizes();
        out.append("<header>\n<h1>").append(esc(d.model())).append("<span class=\"arrow\">\u2192</span>").append(esc(d.scheme())).append("</h1>\n");
        StringBuilder sub = new StringBuilder();
        if (d.observer() != null) sub.append(esc(d.observer())).append(" observer \u00b7 ").append(d.calibrationSamples()).append(" calibration samples \u00b7 ");
        sub.append(d.errorSamples() > 0 ? "errors measured on " + d.errorSamples() + " samples of " + esc(d.errorSource())
                : "per-layer errors not measured: give sample inputs with --calib or --eval-data");
        out.append("<p class=\"sub\">").append(sub).append("</p>\n<div class=\"cards\">\n");
        card("Model size", Fmt.ratio(s.parameterRatio()) + " smaller", Fmt.bytes(s.floatParameterBytes()) + " \u2192 "
                + Fmt.bytes(s.quantParameterBytes()) + " of parameters", null);
        Top1 t = d.top1();
        if (t != null)
            card("Top-1 accuracy", pct(t.floatTop1()) + " \u2192 " + pct(t.quantTop1()), String.format(Locale.ROOT,
                    "%+.2f points on %d samples of %s; %d predictions differ from float (%d with a tied top score)",
                    t.deltaPoints(), t.count(), esc(t.source()), t.changed(), t.tiedRows()), null);
        else card("Top-1 accuracy", "\u2014", "not measured: give --eval-data and --eval-labels", null);
        Layer worst = d.worstLayer();
        card("Worst layer", worst == null ? "\u2014" : Fmt.db(worst.sqnr()), worst == null ? "not measured" : esc(worst.displayName())
                + " (" + esc(worst.quantOp()) + ")", worst == null ? null : SqnrScale.color(worst.sqnr()));
        long measured = d.measuredLayers();
        card("Mean SQNR", Double.isNaN(d.meanSqnr()) ? "\u2014" : Fmt.db(d.meanSqnr()), measured == 0 ? "not measured" : "over " + measured + " layers, against float",
                Double.isNaN(d.meanSqnr()) ? null : SqnrScale.color(d.meanSqnr()));
        out.append("</div>\n</header>\n");
    }

    private void card(String key, String value, String detail, java.awt.Color accent) {
        out.append("<div class=\"card\"").append(accent == null ? "" : " style=\"border-top-color:" + SqnrScale.css(accent) + "\"")
                .append("><div class=\"k\">").append(key).append("</div><div class=\"v\">").append(value)
                .append("</div><div class=\"d\">").append(detail).append("</div></div>\n");
    }

    private void errorChart(LongConsumer progress) {
        if (d.rankedByError().isEmpty()) return;
        out.append("<section>\n<h2>Error per layer</h2>\n<p class=\"note\">Signal-to-quantization-noise ratio of each quantized value "
                + "against the float model on the same inputs: 10\u00b7log<sub>10</sub>(\u03a3x\u00b2 / \u03a3(x \u2212 x\u0302)\u00b2). "
                + "Every 6 dB is about one bit; errors add up along the graph.</p>\n");
        legend();
        out.append(ReportCharts.sqnrBars(d.layers(), d.meanSqnr(), chartId())).append("\n</section>\n");
        progress.accept(1);
    }

    private void legend() {
        out.append("<div class=\"legend\"><span>").append(Fmt.db(SqnrScale.BAD_DB)).append("</span><span class=\"scale\" style=\"background:linear-gradient(90deg");
        for (int i = 0; i <= 4; i++)
            out.append(',').append(SqnrScale.css(SqnrScale.color(SqnrScale.BAD_DB + i * (SqnrScale.GOOD_DB - SqnrScale.BAD_DB) / 4)));
        out.append(")\"></span><span>").append(Fmt.db(SqnrScale.GOOD_DB)).append(" and above</span></div>\n");
    }

    private void layerTable() {
        boolean observed = d.layers().stream().anyMatch(l -> l.observed() != null);
        boolean quant = d.layers().stream().anyMatch(l -> l.quant() != null && !l.quant().isPerAxis());
        boolean errors = d.layers().stream().anyMatch(l -> l.error() != null);
        out.append("<section>\n<h2>Layers</h2>\n<p class=\"note\">Every quantized value that has a float counterpart, in graph order.");
        if (quant) out.append(" <em>Grid</em> is the range the integer type represents with the value's scale and zero point.");
        if (observed) out.append(" <em>Observed</em> is what calibration saw.");
        out.append("</p>\n<table>\n<tr><th>layer / value</th><th>op</th><th>type</th>");
        if (observed) out.append("<th class=\"n\">observed</th>");
        if (quant) out.append("<th class=\"n\">grid</th><th class=\"n\">scale</th><th class=\"n\">zp</th>");
        if (errors) out.append("<th class=\"n\">max |err|</th><th class=\"n\">SQNR</th>");
        out.append("</tr>\n");
        for (Layer l : d.layers()) {
            out.append("<tr><td class=\"name\">").append(esc(l.displayName()));
            if (!l.value().equals(l.displayName())) out.append("<span class=\"val\">%").append(esc(l.value())).append("</span>");
            out.append("</td><td>").append(esc(l.quantOp()));
            if (!l.floatOp().equals(l.quantOp())) out.append(" <span class=\"tag\">").append(esc(l.floatOp())).append("</span>");
            out.append("</td>");
            cell(esc(l.dtype()), false);
            if (observed) cell(Fmt.range(l.observed()), true);
            if (quant) {
                boolean perTensor = l.quant() != null && !l.quant().isPerAxis();
                cell(Fmt.range(l.grid()), true);
                cell(perTensor ? Fmt.num(l.quant().scale(0)) : "-", true);
                cell(perTensor ? String.valueOf(l.quant().zeroPoint(0)) : "-", true);
            }
            if (errors) {
                cell(l.error() == null ? "-" : Fmt.num(l.error().maxAbsError()), true);
                sqnrCell(l.sqnr());
            }
            out.append("</tr>\n");
        }
        out.append("</table>\n</section>\n");
    }

    private void cell(String html, boolean numeric) {
        out.append(numeric ? "<td class=\"n\">" : "<td>").append(html).append("</td>");
    }

    private void sqnrCell(double db) {
        out.append("<td class=\"sqnr\" style=\"background:").append(SqnrScale.css(SqnrScale.tint(db))).append("\"><span class=\"chip\" style=\"background:")
                .append(SqnrScale.css(SqnrScale.color(db))).append("\"></span>").append(Fmt.db(db)).append("</td>");
    }

    private void ranking() {
        List<Layer> ranked = d.rankedByError();
        if (ranked.isEmpty()) return;
        out.append("<section>\n<h2>Layers ranked by error</h2>\n<p class=\"note\">Lowest SQNR first: where to look when accuracy drops "
                + "(try another observer, <code>--exclude</code> the layer, or int16x8).</p>\n<table class=\"rank\">\n"
                + "<tr><th class=\"n\">#</th><th>layer</th><th>op</th><th class=\"n\">rms err</th><th class=\"n\">SQNR</th><th></th></tr>\n");
        int i = 0;
        for (Layer l : ranked) {
            double frac = Double.isFinite(l.sqnr()) ? Math.max(0.02, l.sqnr() / RANKING_FULL_SCALE_DB) : l.sqnr() > 0 ? 1 : 0.02;
            out.append("<tr><td class=\"n\">").append(++i).append("</td><td class=\"name\">").append(esc(l.displayName())).append("</td><td>")
                    .append(esc(l.quantOp())).append("</td><td class=\"n\">").append(Fmt.num(l.error().rmsError())).append("</td>");
            sqnrCell(l.sqnr());
            out.append("<td class=\"bar\"><div class=\"meter\"><div style=\"width:").append(String.format(Locale.ROOT, "%.1f", 100 * Math.min(1, frac)))
                    .append("%;background:").append(SqnrScale.css(SqnrScale.color(l.sqnr()))).append("\"></div></div></td></tr>\n");
        }
        out.append("</table>\n</section>\n");
    }

    private static boolean hasHistogram(Layer l) {
        return l.histogram() != null && l.quant() != null && !l.quant().isPerAxis();
    }

    private void activations(LongConsumer progress) {
        List<Layer> shown = d.layers().stream().filter(HtmlReport::hasHistogram).toList();
        if (shown.isEmpty()) return;
        out.append("<section>\n<h2>Activation ranges</h2>\n<p class=\"note\">What calibration saw of each value (log scale), over the range "
                + "its quantization grid represents. Values beyond the grid are clipped (red bars at the sides); a grid much wider than "
                + "the values wastes resolution.</p>\n<div class=\"charts\">\n");
        for (Layer l : shown) {
            out.append("<figure>").append(ReportCharts.activationHistogram(l, chartId())).append("</figure>\n");
            progress.accept(1);
        }
        out.append("</div>\n</section>\n");
    }

    /** The weights read by the layers with the lowest SQNR, at most {@link #WORST_WEIGHT_CHARTS}. */
    private static List<WeightStats> worstWeights(QuantReportData d) {
        List<String> worstLayers = d.rankedByError().stream().map(Layer::node).toList();
        return d.weights().stream().filter(w -> worstLayers.contains(w.layer()))
                .sorted(Comparator.comparingInt(w -> worstLayers.indexOf(w.layer()))).limit(WORST_WEIGHT_CHARTS).toList();
    }

    private void weights(LongConsumer progress) {
        if (d.weights().isEmpty()) return;
        boolean grid = d.weights().stream().anyMatch(w -> w.qmax() > 0);
        out.append("<section>\n<h2>Weights</h2>\n<p class=\"note\">Quantized weight tensors: the largest magnitude, ")
                .append(grid ? "the scale(s), the share of weights stored at the grid's edge codes " : "")
                .append("and the stored weights' SQNR against the float weights.</p>\n<table>\n<tr><th>weight</th><th>layer</th><th>type</th>"
                        + "<th class=\"n\">count</th><th class=\"n\">max |w|</th>")
                .append(grid ? "<th class=\"n\">scale</th><th class=\"n\">on grid edges</th>" : "").append("<th class=\"n\">SQNR</th></tr>\n");
        for (WeightStats w : d.weights()) {
            String scale = Double.isNaN(w.minScale()) ? "-" : w.channels() == 1 ? Fmt.num(w.minScale())
                    : Fmt.num(w.minScale()) + " \u2026 " + Fmt.num(w.maxScale()) + " (" + w.channels() + " ch)";
            out.append("<tr><td class=\"name\">").append(esc(w.name())).append("</td><td class=\"name\">").append(esc(w.layer())).append("</td>");
            cell(esc(w.dtype()), false);
            cell(String.format(Locale.ROOT, "%,d", w.count()), true);
            cell(Fmt.num(w.maxAbs()), true);
            if (grid) {
                cell(scale, true);
                cell(Fmt.percent(w.edgeFraction()), true);
            }
            sqnrCell(w.sqnrDb());
            out.append("</tr>\n");
        }
        out.append("</table>\n");
        List<WeightStats> worst = worstWeights(d);
        if (!worst.isEmpty()) {
            out.append("<h2 style=\"margin-top:18px\">Weights of the layers with the most error</h2>\n<p class=\"note\">")
                    .append(grid ? "Float weights divided by their scale, so one bar is one stored code; the dashed lines are the grid's "
                            + "edges \u00b1qmax and the orange bar the weights stored as 0. A narrow peak means few codes carry most weights."
                            : "Float weights.").append("</p>\n<div class=\"charts\">\n");
            for (WeightStats w : worst) {
                out.append("<figure>").append(ReportCharts.weightHistogram(w, chartId())).append("</figure>\n");
                progress.accept(1);
            }
            out.append("</div>\n");
        }
        out.append("</section>\n");
    }

    private void sizes() {
        Sizes s = d.sizes();
        out.append("<section>\n<h2>Model</h2>\n<table style=\"width:auto\">\n<tr><th></th><th class=\"n\">float</th><th class=\"n\">")
                .append(esc(d.scheme())).append("</th><th class=\"n\">ratio</th></tr>\n");
        sizeRow("parameter bytes", Fmt.bytes(s.floatParameterBytes()), Fmt.bytes(s.quantParameterBytes()), Fmt.ratio(s.parameterRatio()));
        sizeRow(".nnir text", Fmt.bytes(s.floatTextBytes()), Fmt.bytes(s.quantTextBytes()), Fmt.ratio(s.textRatio()));
        sizeRow("nodes", String.valueOf(s.floatNodes()), String.valueOf(s.quantNodes()), "");
        out.append("</table>\n");
        if (d.fallbacks().isEmpty()) out.append("<p class=\"note\" style=\"margin-top:10px\">No node was kept in float.</p>\n");
        else {
            out.append("<h2 style=\"margin-top:14px\">Kept in float</h2>\n<ul class=\"plain\">\n");
            for (String f : d.fallbacks()) out.append("<li><code>").append(esc(f)).append("</code></li>\n");
            out.append("</ul>\n");
        }
        out.append("</section>\n");
    }

    private void sizeRow(String what, String a, String b, String ratio) {
        out.append("<tr><td>").append(what).append("</td><td class=\"n\">").append(a).append("</td><td class=\"n\">").append(b)
                .append("</td><td class=\"n\">").append(ratio).append("</td></tr>\n");
    }

    private void footer() {
        out.append("<footer>Made by nncc quantize.");
        if (!d.timings().isEmpty()) {
            out.append(" Timings: ");
            for (int i = 0; i < d.timings().size(); i++)
                out.append(i == 0 ? "" : ", ").append(esc(d.timings().get(i).what())).append(' ').append(Fmt.millis(d.timings().get(i).nanos()));
            out.append('.');
        }
        out.append("</footer>\n");
    }

    private String chartId() { return "chart" + (++charts); }

    private static String pct(double f) { return String.format(Locale.ROOT, "%.2f%%", 100 * f); }

    private static String css() {
        try (InputStream in = HtmlReport.class.getResourceAsStream("report.css")) {
            if (in == null) throw new IllegalStateException("report.css missing from the nncc jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Escapes text for HTML element content and attribute values. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray())
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        return b.toString();
    }
}
