package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same inputs and options give byte-identical outputs (issue 12): text IR from import and quantize, and
 * every file {@code compile --target onnx} writes (QDQ model, name table, io.json, model.nnir), across repeated
 * runs and calibration thread counts 1, 2 and 3 (threads take calibration batches in any order).
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
        Path one = compile("one", 1), again = compile("again", 1), three = compile("three", 3);
        List<String> files = list(one);
        assertEquals(List.of("io.json", "model.names.tsv", "model.nnir", "model.onnx"), files);
        for (Path other : new Path[] {again, three}) {
            assertEquals(files, list(other));
            for (String f : files) assertArrayEquals(Files.readAllBytes(one.resolve(f)), Files.readAllBytes(other.resolve(f)), other + "/" + f);
        }
    }

    private Path compile(String name, int threads) {
        Path out = tmp.resolve(name);
        MalformedInputTest.Result r = MalformedInputTest.nncc("compile", MODEL.toString(), "--target", "onnx", "--calib", CALIB.toString(),
                "--calib-batch", "3", "--threads", Integer.toString(threads), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        return out;
    }

    private static List<String> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
