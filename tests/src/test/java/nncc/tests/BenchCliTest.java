package nncc.tests;

import static nncc.tests.CliTest.assertBadInput;
import static nncc.tests.CliTest.example;
import static nncc.tests.CliTest.nncc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nncc.ir.Graph;
import nncc.ir.GraphStats;
import nncc.ir.Node;
import nncc.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nncc bench} end to end on short runs: the images/s line and one per-layer row per node, with the right
 * op, output shape and MACs; bad options exit 2 with one line. No timing is asserted.
 */
class BenchCliTest {
    @TempDir Path tmp;

    static final Pattern IMAGES_PER_SECOND = Pattern.compile("(?m)^images/s: (\\d+\\.\\d) \\(median of 5 rounds");

    /** A table row: step, op, node, output shape, MACs per image, microseconds per run, time share. */
    static final Pattern ROW = Pattern.compile("(?m)^\\s*(\\d+)\\s+(\\S+)\\s+(\\S+)\\s+(\\[[\\d,]+\\])\\s+([\\d,]+)\\s+([\\d.]+)\\s+([\\d.]+)$");

    record Row(int step, String op, String node, String shape, long macs, double share) {}

    static List<Row> rows(String out) {
        List<Row> rows = new ArrayList<>();
        Matcher m = ROW.matcher(out);
        while (m.find())
            rows.add(new Row(Integer.parseInt(m.group(1)), m.group(2), m.group(3), m.group(4),
                    Long.parseLong(m.group(5).replace(",", "")), Double.parseDouble(m.group(7))));
        return rows;
    }

    @Test
    void floatModelPrintsImagesPerSecondAndOneRowPerNode() {
        CliTest.Result r = nncc("bench", example("fashion_cnn.onnx").toString(), "--batch", "3", "--warmup", "0.1", "--seconds", "0.2", "--as-is");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("nodes, as loaded)"), r.out());
        Matcher m = IMAGES_PER_SECOND.matcher(r.out());
        assertTrue(m.find(), "no images/s line in:\n" + r.out());
        assertTrue(Double.parseDouble(m.group(1)) > 0, r.out());
        Matcher latency = java.util.regex.Pattern.compile("latency: +p50 ([0-9.]+) ms, p90 ([0-9.]+) ms, p99 ([0-9.]+) ms, max ([0-9.]+) ms")
                .matcher(r.out());
        assertTrue(latency.find(), "no latency line in:\n" + r.out());
        for (int i = 1; i < 4; i++)
            assertTrue(Double.parseDouble(latency.group(i)) <= Double.parseDouble(latency.group(i + 1)), "percentiles in order:\n" + r.out());
        Matcher compute = java.util.regex.Pattern.compile("compute: +([0-9.]+) GMAC/s achieved \\(1,568,640 MACs per image\\); the (vector|scalar) "
                + "float GEMM micro-kernel peaks at ([0-9.]+) GMAC/s").matcher(r.out());
        assertTrue(compute.find(), "no compute line (with fashion_cnn's MACs) in:\n" + r.out());
        assertTrue(Double.parseDouble(compute.group(3)) > 0, r.out());
        Matcher memory = java.util.regex.Pattern.compile("memory: +peak resident ([0-9.]+) MiB \\(whole process, VmHWM\\); heap allocated ([0-9.]+) KiB per image")
                .matcher(r.out());
        assertTrue(memory.find(), "no memory line in:\n" + r.out());
        assertTrue(Double.parseDouble(memory.group(1)) > 1, r.out());
        Graph g = OnnxImporter.load(example("fashion_cnn.onnx"));
        List<Row> rows = rows(r.out());
        assertEquals(g.nodes().size(), rows.size(), "one row per node:\n" + r.out());
        for (int i = 0; i < rows.size(); i++) {
            Node n = g.nodes().get(i);
            Row row = rows.get(i);
            assertEquals(i, row.step());
            assertEquals(n.op().opName(), row.op());
            assertEquals(n.name(), row.node());
            assertEquals(GraphStats.macs(n), row.macs(), n.name());
        }
        assertEquals("[3,16,28,28]", rows.get(0).shape(), "the first conv's output at batch 3");
        assertEquals("[3,10]", rows.get(rows.size() - 1).shape());
        double shares = rows.stream().mapToDouble(Row::share).sum();
        assertTrue(Math.abs(shares - 100) <= 0.05 * rows.size() + 0.1, "time shares add up to 100 %, got " + shares);
        assertTrue(r.out().contains("total"), r.out());
    }

    @Test
    void aFloatModelIsTimedAsPreparedUnlessAsIs() {
        CliTest.Result r = nncc("bench", example("fashion_cnn.onnx").toString(), "--warmup", "0", "--seconds", "0.1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("prepared (BatchNorm folded, activations fused"), r.out());
        Graph g = OnnxImporter.load(example("fashion_cnn.onnx"));
        new nncc.passes.PassManager(nncc.passes.PassRegistry.parse("prepare"), nncc.passes.PassManager.Options.defaults(),
                new java.io.PrintWriter(java.io.Writer.nullWriter())).run(g, nncc.passes.Stage.of(g));
        List<Row> rows = rows(r.out());
        assertEquals(g.nodes().size(), rows.size(), "one row per node of the prepared graph:\n" + r.out());
        for (int i = 0; i < rows.size(); i++) assertEquals(g.nodes().get(i).op().opName(), rows.get(i).op());
        assertTrue(rows.stream().noneMatch(x -> x.op().equals("Relu")), "the ReLUs are fused into the layers before them:\n" + r.out());
    }

    @Test
    void int8ModelOnGivenDataCountsTheSameMacsAsFloat() {
        Path q = tmp.resolve("q.nnir");
        CliTest.Result quantized = nncc("quantize", example("fashion_cnn.onnx").toString(), "--calib", example("calib.npy").toString(),
                "-o", q.toString());
        assertEquals(0, quantized.code(), quantized.err());
        CliTest.Result r = nncc("bench", q.toString(), "--input", example("sample.npy").toString(), "--batch", "2",
                "--threads", "2", "--warmup", "0", "--seconds", "0.2");
        assertEquals(0, r.code(), r.err());
        assertTrue(IMAGES_PER_SECOND.matcher(r.out()).find(), r.out());
        assertTrue(r.out().contains("input i8[2,1,28,28]"), "float data quantized for the integer input:\n" + r.out());
        List<Row> rows = rows(r.out());
        assertTrue(rows.stream().anyMatch(x -> x.op().equals("QConv")), r.out());
        long macs = rows.stream().mapToLong(Row::macs).sum();
        assertEquals(GraphStats.of(OnnxImporter.load(example("fashion_cnn.onnx"))).macs(), macs, "lowered ops count their MACs");
    }

    @Test
    void badOptionsExit2WithOneLine() {
        String model = example("fashion_cnn.onnx").toString();
        assertBadInput(nncc("bench", model, "--batch", "0"), "--batch");
        assertBadInput(nncc("bench", model, "--seconds", "0"), "--seconds");
        assertBadInput(nncc("bench", model, "--warmup", "-1"), "--warmup");
        assertBadInput(nncc("bench", model, "--threads", "0"), "--threads");
        assertBadInput(nncc("bench", model, "--threads", "two"), "--threads");
        assertBadInput(nncc("bench", model, "--frobnicate"), "--frobnicate");
        assertBadInput(nncc("bench", model, "--input", example("sample.npy").toString(), "--batch", "501", "--seconds", "0.1"), "501");
        assertBadInput(nncc("bench", tmp.resolve("missing.onnx").toString()), "no such file");
    }
}
