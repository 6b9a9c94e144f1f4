package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import nncc.cli.Main;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * {@code nncc quantize/compile --report}: the HTML quantization report and the measured Markdown summary, end to
 * end on the bundled Fashion-MNIST CNN: well-formed page and charts, every layer listed, SQNR within sane bounds
 * for each scheme, top-1 lines, deterministic output, and no file left behind on a failure.
 */
class ReportTest {
    @TempDir static Path shared;
    @TempDir Path tmp;

    record Result(int code, String out, String err) {}

    /** The int8 (minmax) run with evaluation data that most tests read. */
    static Result int8;
    static Path int8Report, int8Model;

    static Result nncc(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static String example(String f) { return TestPaths.example().resolve(f).toString(); }

    static Result quantize(Path out, Path report, String... extra) {
        String[] base = {"quantize", example("fashion_cnn.onnx"), "-o", out.toString(), "--report", report.toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return nncc(all);
    }

    @BeforeAll
    static void quantizeInt8WithReport() {
        int8Model = shared.resolve("int8.nnir");
        int8Report = shared.resolve("int8.html");
        int8 = quantize(int8Model, int8Report, "--calib", example("calib.npy"), "--eval-data", example("sample.npy"),
                "--eval-labels", example("sample_labels.npy"), "--threads", "2");
        assertEquals(0, int8.code(), int8.err());
    }

    @Test
    void reportIsOneWellFormedSelfContainedPage() throws Exception {
        String html = Files.readString(int8Report);
        DocumentBuilder xml = DocumentBuilderFactory.newInstance().newDocumentBuilder();
        Document page = xml.parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        assertEquals("html", page.getDocumentElement().getNodeName());
        Matcher svg = Pattern.compile("(?s)<svg .*?</svg>").matcher(html);
        int charts = 0;
        while (svg.find()) {
            Document d = xml.parse(new ByteArrayInputStream(svg.group().getBytes(StandardCharsets.UTF_8)));
            assertEquals("svg", d.getDocumentElement().getNodeName());
            charts++;
        }
        // SQNR bars, 9 activation histograms (input + 8 node outputs), 4 weight histograms
        assertEquals(14, charts, "inline SVG charts");
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(html.contains("src=\"http") || html.contains("href=\"http"), "nothing loaded from the net");
        assertTrue(html.contains("<style>"), "inline CSS");
        Graph q = IrParser.parse(int8Model);
        for (Node n : q.nodes()) assertTrue(html.contains(n.name()), "report lists layer " + n.name());
        for (String section : new String[] {"Error per layer", "Layers ranked by error", "Activation ranges", "Weights", "Top-1 accuracy"})
            assertTrue(html.contains(section), "section " + section);
    }

    @Test
    void int8LayersHaveSaneSqnrAndTheSummaryShowsTheWorstAndTop1() throws Exception {
        Map<String, Double> sqnr = layerSqnr(Files.readString(int8Report));
        assertEquals(9, sqnr.size(), "input and 8 node outputs: " + sqnr);
        sqnr.forEach((layer, db) -> assertTrue(db > 15 && db < 200, layer + ": " + db + " dB"));
        String out = int8.out();
        assertTrue(out.contains("Lowest SQNR"), out);
        Matcher rows = Pattern.compile("\\| \\d \\| (\\S+) \\| \\w+ \\| ([0-9.]+) dB \\|").matcher(out);
        double previous = 0;
        int n = 0;
        while (rows.find()) {
            double db = Double.parseDouble(rows.group(2));
            assertTrue(db >= previous, "ranked lowest first: " + out);
            assertEquals(sqnr.get(rows.group(1)), db, 0.051, rows.group(1));
            previous = db;
            n++;
        }
        assertEquals(5, n, out);
        Matcher top1 = Pattern.compile("\\| top-1 \\(500 samples\\) \\| ([0-9.]+)% \\| ([0-9.]+)% \\(([-+][0-9.]+) points\\) \\|").matcher(out);
        assertTrue(top1.find(), out);
        double f = Double.parseDouble(top1.group(1)), qt = Double.parseDouble(top1.group(2));
        assertTrue(f > 88 && qt > 88 && Math.abs(f - qt) < 2, "float " + f + "%, int8 " + qt + "%");
        assertEquals(qt - f, Double.parseDouble(top1.group(3)), 0.011);
        // every point of top-1 the models differ by is a changed prediction, and there are a few, not hundreds
        Matcher changed = Pattern.compile("\\| predictions that differ from float \\| \\| (\\d+) of 500 \\((\\d+) with a tied top score\\) \\|").matcher(out);
        assertTrue(changed.find(), out);
        int n500 = Integer.parseInt(changed.group(1));
        assertTrue(n500 >= Math.round(Math.abs(qt - f) * 5) && n500 < 25, "changed predictions: " + n500 + "; " + out);
        assertTrue(Integer.parseInt(changed.group(2)) <= 500, out);
        assertTrue(Files.readString(int8Report).contains(String.format(java.util.Locale.ROOT, "%.2f%% \u2192 %.2f%%", f, qt)), "top-1 in the page");
    }

    @Test
    void int16x8BeatsInt8OnEveryLayer() throws Exception {
        Path report = tmp.resolve("int16.html");
        Result r = quantize(tmp.resolve("int16.nnir"), report, "--calib", example("calib.npy"), "--scheme", "int16x8");
        assertEquals(0, r.code(), r.err());
        Map<String, Double> wide = layerSqnr(Files.readString(report)), narrow = layerSqnr(Files.readString(int8Report));
        assertEquals(narrow.keySet(), wide.keySet());
        narrow.remove("input"); // pixels k/255 sit exactly on the int8 input grid; int16's grid does not hit them
        narrow.forEach((layer, db) -> assertTrue(wide.get(layer) > db + 3, layer + ": int16x8 " + wide.get(layer) + " dB, int8 " + db + " dB"));
        assertFalse(r.out().contains("top-1"), "no top-1 without evaluation data");
    }

    @Test
    void reportIsDeterministicExceptTimings() throws Exception {
        Path report = tmp.resolve("again.html");
        Result r = quantize(tmp.resolve("again.nnir"), report, "--calib", example("calib.npy"), "--eval-data", example("sample.npy"),
                "--eval-labels", example("sample_labels.npy"), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertEquals(withoutTimings(Files.readString(int8Report)), withoutTimings(Files.readString(report)));
    }

    @Test
    void fp16AndDynamicReportsCompareFloatValues() throws Exception {
        Path fp16 = tmp.resolve("fp16.html");
        Result r = quantize(tmp.resolve("fp16.nnir"), fp16, "--scheme", "fp16", "--calib", example("calib.npy"));
        assertEquals(0, r.code(), r.err());
        Map<String, Double> half = layerSqnr(Files.readString(fp16));
        assertEquals(8, half.size(), "7 f16 values and the f32 logits (the input stays f32 and is left out): " + half);
        half.forEach((layer, db) -> assertTrue(db > 50 && db < 120, layer + ": " + db + " dB"));
        Path dynamic = tmp.resolve("dynamic.html");
        r = quantize(tmp.resolve("dynamic.nnir"), dynamic, "--scheme", "dynamic", "--calib", example("calib.npy"));
        assertEquals(0, r.code(), r.err());
        String html = Files.readString(dynamic);
        Map<String, Double> hybrid = layerSqnr(html);
        assertTrue(hybrid.containsKey("/classifier/classifier.4/Gemm"), "the graph output is compared: " + hybrid);
        hybrid.forEach((layer, db) -> assertTrue(db > 20 && db < 80, layer + ": " + db + " dB"));
        assertTrue(html.contains("DynamicQuantGemm"), "op of the output");
        assertFalse(html.contains("Activation ranges"), "no calibration histograms for dynamic");
        // without sample data the report still lists layers and weights
        Path plain = tmp.resolve("plain.html");
        r = quantize(tmp.resolve("plain.nnir"), plain, "--scheme", "fp16");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(plain).contains("per-layer errors not measured"));
    }

    @Test
    void compileTakesTheSameReportOptions() throws Exception {
        Path out = tmp.resolve("cpu"), report = tmp.resolve("compile.html");
        Result r = nncc("compile", example("fashion_cnn.onnx"), "--target", "cpu", "--calib", example("calib.npy"), "-o", out.toString(),
                "--report", report.toString(), "--report-samples", "32");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(out.resolve("model.nnir")));
        assertTrue(Files.readString(report).contains("errors measured on 32 samples of calib.npy"));
        assertTrue(r.out().contains("Lowest SQNR (against float, 32 samples"), r.out());
    }

    @Test
    void badEvaluationInputLeavesNoReportBehind() throws Exception {
        Path labels = tmp.resolve("labels.npy");
        Npy.write(labels, Tensor.ofLongs(DType.I64, Shape.of(7), 0, 1, 2, 3, 4, 5, 6));
        Path out = tmp.resolve("q.nnir"), report = tmp.resolve("r.html");
        Result r = quantize(out, report, "--calib", example("calib.npy"), "--eval-data", example("sample.npy"), "--eval-labels", labels.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("nncc: ") && r.err().contains("labels") && !r.err().contains("Exception"), r.err());
        r = quantize(out, report, "--calib", example("calib.npy"), "--eval-data", example("sample.npy"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--eval-labels"), r.err());
        // float images that do not fit the model fail after quantization, while measuring: still nothing written
        Path wrong = tmp.resolve("wrong.npy"), fit = tmp.resolve("fit.npy");
        Npy.write(wrong, Tensor.ofFloats(Shape.of(2, 1, 14, 14), new float[2 * 14 * 14]));
        Npy.write(fit, Tensor.ofLongs(DType.I64, Shape.of(2), 0, 1));
        r = quantize(out, report, "--calib", example("calib.npy"), "--eval-data", wrong.toString(), "--eval-labels", fit.toString());
        assertEquals(2, r.code(), r.err());
        try (var files = Files.list(tmp)) {
            assertTrue(files.allMatch(p -> p.equals(labels) || p.equals(wrong) || p.equals(fit)), "files left behind");
        }
    }

    /** Layer (node name, or value for inputs) to SQNR in dB, from the page's layer table. */
    static Map<String, Double> layerSqnr(String html) {
        int start = html.indexOf("<h2>Layers</h2>");
        assertTrue(start >= 0, "layer table");
        String table = html.substring(start, html.indexOf("</table>", start));
        Map<String, Double> r = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<tr><td class=\"name\">([^<]+)(.*?)</tr>").matcher(table);
        while (m.find()) {
            Matcher db = Pattern.compile("<td class=\"sqnr\"[^>]*><span[^>]*></span>(-?[0-9.]+) dB</td>$").matcher(m.group(2));
            assertTrue(db.find(), "SQNR of " + m.group(1) + " in " + m.group(2));
            r.put(m.group(1), Double.parseDouble(db.group(1)));
        }
        assertNotNull(r);
        return r;
    }

    static String withoutTimings(String html) { return html.replaceAll("Timings: [^<]*", ""); }
}
