package nncc.cli.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import nncc.cli.report.QuantReportData.Bins;
import nncc.cli.report.QuantReportData.Layer;
import nncc.cli.report.QuantReportData.WeightStats;
import nncc.passes.calib.CalibrationResult.HistogramSummary;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultIntervalXYDataset;
import org.jfree.svg.MeetOrSlice;
import org.jfree.svg.PreserveAspectRatio;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/**
 * The report's charts, drawn with JFreeChart onto an SVG canvas (JFreeSVG) and returned as inline {@code <svg>}
 * elements: per-layer SQNR bars, activation histograms against the quantization grid, weight histograms against
 * the quantization step. Each chart gets its own id prefix, so several can sit in one HTML page.
 */
final class ReportCharts {
    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private static final Font TITLE = new Font("SansSerif", Font.BOLD, 13);
    private static final Font SUBTITLE = new Font("SansSerif", Font.PLAIN, 10);
    private static final Font LABEL = new Font("SansSerif", Font.PLAIN, 11);
    private static final Font TICK = new Font("SansSerif", Font.PLAIN, 10);
    private static final Color INK = new Color(0x37474F), GRID = new Color(0xE3E7EA), BARS = new Color(0x5C7CBA);
    private static final Color CLIPPED = new Color(0xD32F2F), OUTSIDE = new Color(0xFDECEA), STEP = new Color(0xF39C12);

    private ReportCharts() {}

    /** Horizontal bars, one per measured layer (graph inputs left out) in graph order, coloured by SQNR, with the mean marked. */
    static String sqnrBars(List<Layer> layers, double mean, String id) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<Layer> shown = layers.stream().filter(l -> l.error() != null && !l.isInput()).toList();
        double top = 0;
        for (Layer l : shown) {
            double v = l.sqnr();
            data.addValue(Double.isFinite(v) ? Double.valueOf(v) : null, "SQNR", l.displayName());
            if (Double.isFinite(v)) top = Math.max(top, v);
        }
        BarRenderer r = new BarRenderer() {
            @Override public Paint getItemPaint(int row, int column) { return SqnrScale.color(shown.get(column).sqnr()); }
        };
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0);
        r.setMaximumBarWidth(0.7);
        r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2} dB", format("0.0")));
        r.setDefaultItemLabelsVisible(true);
        r.setDefaultItemLabelFont(TICK);
        r.setDefaultItemLabelPaint(INK);
        r.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
        CategoryAxis cats = new CategoryAxis();
        cats.setTickLabelFont(LABEL);
        cats.setTickLabelPaint(INK);
        cats.setMaximumCategoryLabelWidthRatio(0.42f);
        cats.setCategoryMargin(0.25);
        cats.setLowerMargin(0.01);
        cats.setUpperMargin(0.01);
        NumberAxis db = axis(new NumberAxis(Double.isFinite(mean) ? String.format(Locale.ROOT,
                "SQNR against float (dB, higher is better); dashed line: mean %.1f dB", mean) : "SQNR against float (dB, higher is better)"));
        db.setRange(0, Math.max(10, top * 1.12));
        CategoryPlot plot = new CategoryPlot(data, cats, db, r);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        style(plot);
        if (Double.isFinite(mean)) plot.addRangeMarker(new ValueMarker(mean, INK, dashed(1f)), org.jfree.chart.ui.Layer.BACKGROUND);
        JFreeChart chart = chart(plot, null, null);
        return svg(chart, 960, 70 + 24 * Math.max(1, shown.size()), id);
    }

    /**
     * The calibration histogram of one value over the reals its grid represents (log counts), with the grid's
     * limits marked and the values calibration saw beyond them drawn as red bars outside.
     */
    static String activationHistogram(Layer l, String id) {
        HistogramSummary h = l.histogram();
        long[] counts = h.counts();
        double w = h.binWidth(), margin = 0.07 * (h.hi() - h.lo());
        double[][] bins = new double[6][counts.length];
        for (int i = 0; i < counts.length; i++) setBin(bins, i, h.lo() + i * w, h.lo() + (i + 1) * w, counts[i]);
        DefaultIntervalXYDataset data = new DefaultIntervalXYDataset();
        data.addSeries("inside the grid", bins);
        double clipWidth = Math.max(w, margin / 3);
        double[][] clipped = new double[6][2];
        setBin(clipped, 0, h.lo() - margin / 2 - clipWidth / 2, h.lo() - margin / 2 + clipWidth / 2, h.below());
        setBin(clipped, 1, h.hi() + margin / 2 - clipWidth / 2, h.hi() + margin / 2 + clipWidth / 2, h.above());
        data.addSeries("clipped", clipped);
        long max = Math.max(1, java.util.Arrays.stream(counts).max().orElse(1));
        max = Math.max(max, Math.max(h.below(), h.above()));
        LogAxis y = axis(new LogAxis("count (log)"));
        y.setRange(0.7, max * 2.0);
        y.setNumberFormatOverride(format("#,##0"));
        y.setTickUnit(new NumberTickUnit(1));
        y.setMinorTickMarksVisible(false);
        XYPlot plot = barPlot(data, axis(new NumberAxis(l.value())), y, BARS, CLIPPED);
        plot.getDomainAxis().setRange(h.lo() - margin, h.hi() + margin);
        plot.addDomainMarker(new IntervalMarker(h.lo() - margin, h.lo(), OUTSIDE), org.jfree.chart.ui.Layer.BACKGROUND);
        plot.addDomainMarker(new IntervalMarker(h.hi(), h.hi() + margin, OUTSIDE), org.jfree.chart.ui.Layer.BACKGROUND);
        plot.addDomainMarker(label(new ValueMarker(h.lo(), CLIPPED, new BasicStroke(1.2f)), "grid min", RectangleAnchor.TOP_RIGHT, TextAnchor.TOP_LEFT));
        plot.addDomainMarker(label(new ValueMarker(h.hi(), CLIPPED, new BasicStroke(1.2f)), "grid max", RectangleAnchor.TOP_LEFT, TextAnchor.TOP_RIGHT));
        if (l.observed() != null) {
            markObserved(plot, l.observed().min(), h, "seen min", RectangleAnchor.BOTTOM_RIGHT, TextAnchor.BOTTOM_LEFT);
            markObserved(plot, l.observed().max(), h, "seen max", RectangleAnchor.BOTTOM_LEFT, TextAnchor.BOTTOM_RIGHT);
        }
        String sub = String.format(Locale.ROOT, "%s  ·  scale %s  ·  zp %d%s", l.quantOp(), num(l.quant().scale(0)), l.quant().zeroPoint(0),
                h.below() + h.above() > 0 ? String.format(Locale.ROOT, "  ·  clipped %s of the values seen in %s",
                        percent((double) (h.below() + h.above()) / h.total()), Fmt.range(l.observed())) : "");
        return svg(chart(plot, l.displayName(), sub), 560, 250, id);
    }

    /**
     * The float weights of one tensor. Quantized weights are drawn in quantization steps of their own channel
     * ({@code w / s}), one bin per code, with the grid's edges {@code ±qmax} and the step that rounds to 0 marked;
     * float16 weights in real units.
     */
    static String weightHistogram(WeightStats ws, String id) {
        Bins b = ws.histogram();
        long[] counts = b.counts();
        double width = (b.hi() - b.lo()) / counts.length;
        double[][] bins = new double[6][counts.length];
        for (int i = 0; i < counts.length; i++) setBin(bins, i, b.lo() + i * width, b.lo() + (i + 1) * width, counts[i]);
        DefaultIntervalXYDataset data = new DefaultIntervalXYDataset();
        data.addSeries("weights", bins);
        boolean steps = ws.qmax() > 0;
        NumberAxis x = axis(new NumberAxis(steps ? "w / s: quantization steps" + (ws.channels() > 1 ? " of each output channel" : "") : "w"));
        XYPlot plot = barPlot(data, x, axis(new NumberAxis("count")), BARS);
        plot.getDomainAxis().setRange(b.lo(), b.hi());
        String sub = ws.name() + "  \u00b7  " + ws.dtype();
        if (steps) {
            long q = ws.qmax();
            plot.addDomainMarker(label(new ValueMarker(-q, CLIPPED, dashed(1.2f)), "\u2212" + q, RectangleAnchor.TOP_RIGHT, TextAnchor.TOP_LEFT));
            plot.addDomainMarker(label(new ValueMarker(q, CLIPPED, dashed(1.2f)), "+" + q, RectangleAnchor.TOP_LEFT, TextAnchor.TOP_RIGHT));
            IntervalMarker zero = new IntervalMarker(-0.5, 0.5, STEP);
            zero.setAlpha(0.8f);
            plot.addDomainMarker(zero, org.jfree.chart.ui.Layer.FOREGROUND);
            sub += String.format(Locale.ROOT, "  \u00b7  s = %s  \u00b7  %s on the edges", ws.channels() > 1
                    ? num(ws.minScale()) + "\u2026" + num(ws.maxScale()) + " (" + ws.channels() + " ch)" : num(ws.minScale()),
                    percent(ws.edgeFraction()));
        }
        return svg(chart(plot, ws.layer(), sub), 560, 250, id);
    }

    /** A dashed line where calibration saw the extreme value, when it is visibly away from the grid's edge. */
    private static void markObserved(XYPlot plot, double v, HistogramSummary h, String text, RectangleAnchor a, TextAnchor t) {
        double margin = 0.07 * (h.hi() - h.lo());
        if (Math.abs(v - h.lo()) < 2 * h.binWidth() || Math.abs(v - h.hi()) < 2 * h.binWidth()) return;
        if (v < h.lo() - margin || v > h.hi() + margin) return;
        plot.addDomainMarker(label(new ValueMarker(v, INK, dashed(1f)), text, a, t));
    }

    private static void setBin(double[][] d, int i, double x0, double x1, double count) {
        d[0][i] = (x0 + x1) / 2;
        d[1][i] = x0;
        d[2][i] = x1;
        d[3][i] = count;
        d[4][i] = count > 0 ? 0.7 : Double.NaN; // bars start below 1 so that log axes show single counts
        d[5][i] = count > 0 ? count : Double.NaN;
    }

    private static XYPlot barPlot(DefaultIntervalXYDataset data, NumberAxis x, ValueAxis y, Color... series) {
        XYBarRenderer r = new XYBarRenderer();
        r.setBarPainter(new StandardXYBarPainter());
        r.setShadowVisible(false);
        r.setUseYInterval(true);
        r.setDrawBarOutline(false);
        for (int i = 0; i < series.length; i++) r.setSeriesPaint(i, series[i]);
        x.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(data, x, y, r);
        style(plot);
        return plot;
    }

    private static void style(org.jfree.chart.plot.Plot p) {
        if (p == null) return;
        p.setBackgroundPaint(Color.WHITE);
        p.setOutlineVisible(false);
        p.setInsets(new RectangleInsets(4, 4, 4, 12));
        if (p instanceof XYPlot xy) {
            xy.setDomainGridlinesVisible(false);
            xy.setRangeGridlinePaint(GRID);
            xy.setRangeGridlineStroke(new BasicStroke(0.8f));
        } else if (p instanceof CategoryPlot c) {
            c.setRangeGridlinePaint(GRID);
            c.setRangeGridlineStroke(new BasicStroke(0.8f));
        }
    }

    private static <A extends ValueAxis> A axis(A a) {
        a.setLabelFont(LABEL);
        a.setLabelPaint(INK);
        a.setTickLabelFont(TICK);
        a.setTickLabelPaint(INK);
        a.setAxisLinePaint(GRID);
        a.setTickMarkPaint(GRID);
        return a;
    }

    private static <M extends Marker> M label(M m, String text, RectangleAnchor anchor, TextAnchor textAnchor) {
        m.setLabel(text);
        m.setLabelFont(TICK);
        m.setLabelPaint(INK);
        m.setLabelAnchor(anchor);
        m.setLabelTextAnchor(textAnchor);
        m.setLabelOffset(new RectangleInsets(2, 3, 2, 3));
        m.setLabelBackgroundColor(new Color(255, 255, 255, 0));
        return m;
    }

    private static BasicStroke dashed(float width) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f);
    }

    private static JFreeChart chart(org.jfree.chart.plot.Plot plot, String title, String subtitle) {
        JFreeChart c = new JFreeChart(title, TITLE, plot, false);
        c.setBackgroundPaint(Color.WHITE);
        c.setPadding(new RectangleInsets(6, 6, 6, 6));
        if (c.getTitle() != null) {
            c.getTitle().setPaint(INK);
            c.getTitle().setTextAlignment(org.jfree.chart.ui.HorizontalAlignment.LEFT);
            c.getTitle().setHorizontalAlignment(org.jfree.chart.ui.HorizontalAlignment.LEFT);
        }
        if (subtitle != null) {
            TextTitle s = new TextTitle(subtitle, SUBTITLE);
            s.setPaint(new Color(0x607D8B));
            s.setHorizontalAlignment(org.jfree.chart.ui.HorizontalAlignment.LEFT);
            c.addSubtitle(s);
        }
        return c;
    }

    private static String svg(JFreeChart chart, int width, int height, String id) {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        g.setDefsKeyPrefix(id + "-");
        g.setGeomDoubleConverter(ReportCharts::shortNumber);
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        return g.getSVGElement(id, false, new ViewBox(0, 0, width, height), PreserveAspectRatio.XMID_YMID, MeetOrSlice.MEET);
    }

    private static String shortNumber(double d) {
        String s = String.format(Locale.ROOT, "%.2f", d);
        if (s.indexOf('.') >= 0) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s.equals("-0") ? "0" : s;
    }

    private static DecimalFormat format(String pattern) { return new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT)); }

    static String num(double v) { return String.format(Locale.ROOT, "%.4g", v); }

    static String percent(double f) { return String.format(Locale.ROOT, f < 0.001 && f > 0 ? "%.3f%%" : "%.2f%%", 100 * f); }
}
