package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same inputs and options give byte-identical outputs (issue 12): text IR from import and quantize, every
 * file {@code compile} writes for the onnx (QDQ model, name table, io.json, model.nnir), tpu (.tflite, Edge TPU
 * report) and hls (sources, headers, scripts, testbench, report) targets, and the HTML report apart from its
 * timings, across repeated runs and calibration thread counts 1, 2 and 3 (threads take calibration batches in any
 * order).
 */
class DeterminismTest {
    @TempDir Path tmp;

    static final Path MODEL = TestPaths.models().resolve("cnn_mixed_ops.onnx");
    static final Path CALIB = TestPaths.models().resolve("cnn_mixed_ops.input.npy");

    private byte[] quantize(String name, int threads, String... extra) throws Exception {
        Path out = tmp.resolve(name);
        String[] base = {"quantize", MODEL.toString(), "--calib", CALIB.toString(), "--calib-batch", "3", "--threads",
                Integer.toString(threads), "-o", out.toString()};
        MalformedInputTest.Result r = MalformedInputTest.nncc(MalformedInputTest.concat(base, extra));
        assertEquals(0, r.code(), r.err());
        return Files.readAllBytes(out);
    }

    @Test
    void quantizedTextIrIsIdenticalAcrossRunsAndThreadCounts() throws Exception {
        byte[] first = quantize("a.nnir", 1);
        for (int threads : new int[] {1, 2, 3}) assertArrayEquals(first, quantize("t" + threads + ".nnir", threads), "threads " + threads);
        byte[] entropy = quantize("e1.nnir", 1, "--observer", "entropy");
        assertArrayEquals(entropy, quantize("e3.nnir", 3, "--observer", "entropy"), "entropy observer, 3 threads");
    }

    @Test
    void importIsIdenticalAcrossRuns() throws Exception {
        Path a = tmp.resolve("a.nnir"), b = tmp.resolve("b.nnir");
        assertEquals(0, MalformedInputTest.nncc("import", MODEL.toString(), "-o", a.toString()).code());
        assertEquals(0, MalformedInputTest.nncc("import", MODEL.toString(), "-o", b.toString()).code());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void compiledOnnxFolderIsIdenticalAcrossRunsAndThreadCounts() throws Exception {
        List<String> files = assertCompiledFoldersIdentical("onnx", MODEL, CALIB);
        assertEquals(List.of("io.json", "model.names.tsv", "model.nnir", "model.onnx"), files);
    }

    /** The .tflite file, its io.json and the Edge TPU report. */
    @Test
    void compiledTfliteFolderIsIdenticalAcrossRunsAndThreadCounts() throws Exception {
        List<String> files = assertCompiledFoldersIdentical("tpu", FASHION, FASHION_CALIB);
        assertTrue(files.contains("model.tflite"), files.toString());
    }

    /** Every HLS source, header, script, testbench and the resource report. */
    @Test
    void compiledHlsProjectIsIdenticalAcrossRunsAndThreadCounts() throws Exception {
        List<String> files = assertCompiledFoldersIdentical("hls", FASHION, FASHION_CALIB);
        assertTrue(files.stream().anyMatch(f -> f.endsWith(".cpp")) && files.contains("report.md"), files.toString());
    }

    /** The HTML report is the same page, apart from the timings at its foot (which the page says are timings). */
    @Test
    void quantizationReportIsIdenticalApartFromItsTimings() throws Exception {
        String[] pages = new String[3];
        int[] threads = {1, 1, 3};
        for (int i = 0; i < 3; i++) {
            Path report = tmp.resolve("r" + i + ".html");
            quantize("r" + i + ".nnir", threads[i], "--report", report.toString());
            pages[i] = Files.readString(report).replaceAll("Timings: [^<]*", "Timings: (masked)");
        }
        assertTrue(pages[0].contains("Timings: (masked)"), "the report states its timings");
        assertEquals(pages[0], pages[1], "two runs");
        assertEquals(pages[0], pages[2], "1 and 3 threads");
    }

    static final Path FASHION = TestPaths.example().resolve("fashion_cnn.onnx");
    static final Path FASHION_CALIB = TestPaths.example().resolve("calib.npy");

    /** Compiles {@code model} for {@code target} three times (1, 1 and 3 threads); every file must be byte-identical. */
    private List<String> assertCompiledFoldersIdentical(String target, Path model, Path calib) throws Exception {
        Path one = compile(target, model, calib, "one", 1), again = compile(target, model, calib, "again", 1),
                three = compile(target, model, calib, "three", 3);
        List<String> files = list(one);
        for (Path other : new Path[] {again, three}) {
            assertEquals(files, list(other));
            for (String f : files) assertArrayEquals(Files.readAllBytes(one.resolve(f)), Files.readAllBytes(other.resolve(f)), other + "/" + f);
        }
        return files;
    }

    private Path compile(String target, Path model, Path calib, String name, int threads) {
        Path out = tmp.resolve(target + "-" + name);
        MalformedInputTest.Result r = MalformedInputTest.nncc("compile", model.toString(), "--target", target, "--calib", calib.toString(),
                "--calib-batch", "3", "--threads", Integer.toString(threads), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        return out;
    }

    /** Every regular file under {@code dir}, as sorted relative paths. */
    private static List<String> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }
}
