package nncc.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import nncc.passes.train.Trainer;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.MeetOrSlice;
import org.jfree.svg.PreserveAspectRatio;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/**
 * The quantization-aware training report: {@code DIR/report.html} with the accuracy and loss per epoch as inline
 * SVG charts (JFreeChart on JFreeSVG, as the quantization report draws them), the float model's accuracy as a
 * reference line, and the numbers as a table. Epoch 0 is the fake-quant model before training (post-training grids).
 */
final class QatReport {
    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private static final Color QAT = new Color(0x5C7CBA), TRAIN = new Color(0xF39C12), FLOAT = new Color(0x37474F);

    private QatReport() {}

    static void write(Path dir, Path model, int weightBits, Double floatAccuracy, Trainer.Evaluation start,
                      List<Trainer.EpochResult> epochs, List<Trainer.Evaluation> evals) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new CliException(dir + ": cannot create the report directory: " + e.getMessage());
        }
        XYSeries evalAcc = new XYSeries("QAT, held-out accuracy"), trainAcc = new XYSeries("QAT, training accuracy");
        XYSeries evalLoss = new XYSeries("QAT, held-out loss"), trainLoss = new XYSeries("QAT, training loss");
        if (start != null) {
            evalAcc.add(0, start.accuracy());
            evalLoss.add(0, start.loss());
        }
        for (int i = 0; i < epochs.size(); i++) {
            Trainer.EpochResult r = epochs.get(i);
            trainAcc.add(r.epoch(), r.accuracy());
            trainLoss.add(r.epoch(), r.loss());
            if (i < evals.size()) {
                evalAcc.add(r.epoch(), evals.get(i).accuracy());
                evalLoss.add(r.epoch(), evals.get(i).loss());
            }
        }
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>nncc qat report</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em;color:#37474F}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head><body>\n")
                .append("<h1>Quantization-aware training</h1>\n<p>Model <code>").append(escape(model.toString()))
                .append("</code>, ").append(weightBits).append("-bit weights per output channel, int8 activations.");
        if (floatAccuracy != null)
            h.append(String.format(Locale.ROOT, " Float model on the held-out data: accuracy %.4f.", floatAccuracy));
        h.append("</p>\n");
        h.append(chart("Accuracy per epoch", "accuracy", floatAccuracy, "qat-acc", evalAcc, trainAcc));
        h.append(chart("Loss per epoch (cross-entropy)", "loss", null, "qat-loss", evalLoss, trainLoss));
        h.append("<table><tr><th>epoch</th><th>training loss</th><th>training accuracy</th><th>held-out loss</th>")
                .append("<th>held-out accuracy</th><th>images/s</th></tr>\n");
        if (start != null)
            h.append(String.format(Locale.ROOT, "<tr><td>0 (post-training grids)</td><td></td><td></td><td>%.4f</td><td>%.4f</td><td></td></tr>%n",
                    start.loss(), start.accuracy()));
        for (int i = 0; i < epochs.size(); i++) {
            Trainer.EpochResult r = epochs.get(i);
            String ev = i < evals.size() ? String.format(Locale.ROOT, "<td>%.4f</td><td>%.4f</td>", evals.get(i).loss(), evals.get(i).accuracy())
                    : "<td></td><td></td>";
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.4f</td>%s<td>%.1f</td></tr>%n", r.epoch(), r.loss(),
                    r.accuracy(), ev, r.imagesPerSecond()));
        }
        h.append("</table>\n</body></html>\n");
        Outputs.writeText(dir.resolve("report.html"), h.toString());
    }

    private static String chart(String title, String yLabel, Double floatLine, String id, XYSeries... series) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (XYSeries s : series) if (s.getItemCount() > 0) data.addSeries(s);
        NumberAxis x = new NumberAxis("epoch");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        Color[] colors = {QAT, TRAIN};
        for (int i = 0; i < data.getSeriesCount(); i++) r.setSeriesPaint(i, colors[i % colors.length]);
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        if (floatLine != null) {
            ValueMarker m = new ValueMarker(floatLine, FLOAT, new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                    10f, new float[] {5f, 4f}, 0f));
            m.setLabel(String.format(Locale.ROOT, "float %.4f", floatLine));
            m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            plot.addRangeMarker(m);
            double lo = floatLine, hi = floatLine;
            for (int i = 0; i < data.getSeriesCount(); i++)
                for (int j = 0; j < data.getItemCount(i); j++) {
                    lo = Math.min(lo, data.getYValue(i, j));
                    hi = Math.max(hi, data.getYValue(i, j));
                }
            double pad = Math.max(0.005, (hi - lo) * 0.1);
            y.setRange(lo - pad, hi + pad);
        }
        JFreeChart chart = new JFreeChart(title, new Font("SansSerif", Font.BOLD, 13), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        SVGGraphics2D g = new SVGGraphics2D(640, 320);
        g.setDefsKeyPrefix(id + "-");
        chart.draw(g, new Rectangle2D.Double(0, 0, 640, 320));
        return "<div>" + g.getSVGElement(id, false, new ViewBox(0, 0, 640, 320), PreserveAspectRatio.XMID_YMID, MeetOrSlice.MEET) + "</div>\n";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
