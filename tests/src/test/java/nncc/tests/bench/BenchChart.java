package nncc.tests.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.svg.SVGGraphics2D;

/**
 * The benchmark's nncc / ONNX Runtime ratios as an SVG bar chart: one bar per model, precision, batch and thread count,
 * float and int8 side by side, with the bars (0.5 float, 0.35 int8) and parity marked, so a run's standing reads
 * at a glance next to the table in {@code bench.md}.
 */
final class BenchChart {
    private BenchChart() {}

    private static final Color INK = new Color(0x37474F), FLOAT = new Color(0x5C7CBA), INT8 = new Color(0x43A047);

    /** The chart of {@code rows} (the QDQ uint8 rows left out: the issue compares with ORT's int8 QDQ model). */
    static String svg(List<EngineBenchmark.Row> rows, String subtitle) {
        JFreeChart chart = chart(rows, subtitle);
        int width = 760, height = height(chart);
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        return g.getSVGDocument();
    }

    /** Pixels for the chart's bars, title and legend. */
    static int height(JFreeChart chart) { return 150 + 34 * ((CategoryPlot) chart.getPlot()).getDataset().getColumnCount(); }

    static JFreeChart chart(List<EngineBenchmark.Row> rows, String subtitle) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (EngineBenchmark.Row r : rows) {
            if (r.precision().contains("uint8")) continue;
            String series = r.precision().startsWith("float") ? "float32 vs ORT float" : "int8 vs ORT QDQ int8";
            data.addValue(r.ratio(), series, String.format(Locale.ROOT, "%s b%d t%d", r.model(), r.batch(), r.threads()));
        }
        NumberAxis ratio = new NumberAxis("nncc images/s / ORT images/s (same run)");
        ratio.setLowerBound(0);
        ratio.setUpperBound(Math.max(1.1, 1.1 * rows.stream().mapToDouble(EngineBenchmark.Row::ratio).max().orElse(1)));
        CategoryAxis configs = new CategoryAxis();
        configs.setTickLabelFont(new Font("SansSerif", Font.PLAIN, 10));
        BarRenderer bars = new BarRenderer();
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setSeriesPaint(0, FLOAT);
        bars.setSeriesPaint(1, INT8);
        bars.setItemMargin(0.05);
        bars.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new java.text.DecimalFormat("0.00")));
        bars.setDefaultItemLabelsVisible(true);
        bars.setDefaultItemLabelFont(new Font("SansSerif", Font.PLAIN, 9));
        bars.setDefaultPositiveItemLabelPosition(new org.jfree.chart.labels.ItemLabelPosition(org.jfree.chart.labels.ItemLabelAnchor.OUTSIDE3,
                TextAnchor.CENTER_LEFT));
        bars.setItemLabelAnchorOffset(3);
        CategoryPlot plot = new CategoryPlot(data, configs, ratio, bars);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setRangeAxisLocation(org.jfree.chart.axis.AxisLocation.BOTTOM_OR_RIGHT);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xE3E7EA));
        plot.addRangeMarker(marker(1.0, "parity", INK));
        plot.addRangeMarker(marker(0.5, "float bar 0.5", FLOAT));
        plot.addRangeMarker(marker(0.35, "int8 bar 0.35", INT8));
        JFreeChart chart = new JFreeChart("nncc CPU reference vs ONNX Runtime", new Font("SansSerif", Font.BOLD, 13), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        TextTitle sub = new TextTitle(subtitle, new Font("SansSerif", Font.PLAIN, 10));
        sub.setPaint(new Color(0x607D8B));
        chart.addSubtitle(sub);
        return chart;
    }

    private static ValueMarker marker(double at, String label, Color color) {
        ValueMarker m = new ValueMarker(at, color, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
        m.setLabel(label);
        m.setLabelPaint(color);
        m.setLabelFont(new Font("SansSerif", Font.PLAIN, 9));
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        m.setLabelBackgroundColor(Color.WHITE);
        return m;
    }
}
