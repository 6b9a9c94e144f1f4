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
 * Outputs never destroy inputs and never stay half-written (issue 12): an output naming an input file (or a
 * link to it) is refused before any work, a failed command leaves no file behind (not even a temp file), and
 * {@code compile} writes into a non-empty folder only with {@code --force}.
 */
class OutputSafetyTest {
    @TempDir Path tmp;

    private Path copy(String resource) throws Exception {
        Path src = Path.of(MalformedInputTest.res(resource));
        Path dst = tmp.resolve(resource);
        Files.copy(src, dst);
        return dst;
    }

    private List<String> listing() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anOutputNamingAnInputIsRefusedAndTheInputIsUntouched() throws Exception {
        Path model = copy("conv_batch1.onnx"), calib = copy("calib4.npy");
        byte[] modelBytes = Files.readAllBytes(model), calibBytes = Files.readAllBytes(calib);
        Files.createSymbolicLink(tmp.resolve("link.npy"), calib);
        String[][] commands = {
                {"import", model.toString(), "-o", model.toString()},
                {"quantize", model.toString(), "--calib", calib.toString(), "-o", calib.toString()},
                {"quantize", model.toString(), "--calib", calib.toString(), "-o", tmp.resolve("link.npy").toString()},
                {"run", model.toString(), "--input", calib.toString(), "--output", calib.toString()},
                {"run", model.toString(), "--input", calib.toString(), "--output", tmp.resolve("./sub/../calib4.npy").toString()},
        };
        Files.createDirectories(tmp.resolve("sub"));
        for (String[] c : commands) MalformedInputTest.assertRefused(MalformedInputTest.nncc(c), "would overwrite the input");
        assertArrayEquals(modelBytes, Files.readAllBytes(model));
        assertArrayEquals(calibBytes, Files.readAllBytes(calib));
    }

    @Test
    void compileRefusesANonEmptyFolderUnlessForced() throws Exception {
        Path model = copy("conv_batch1.onnx");
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        MalformedInputTest.assertRefused(MalformedInputTest.nncc("compile", model.toString(), "--target", "cpu", "-o", out.toString()),
                "not empty", "--force");
        MalformedInputTest.Result r = MalformedInputTest.nncc("compile", model.toString(), "--target", "cpu", "-o", out.toString(), "--force");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(out.resolve("model.nnir")) && Files.exists(out.resolve("io.json")));
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        // a model inside the folder it would be compiled into is never replaced
        Path inner = out.resolve("model.nnir");
        byte[] before = Files.readAllBytes(inner);
        MalformedInputTest.assertRefused(MalformedInputTest.nncc("compile", inner.toString(), "--target", "cpu", "-o", out.toString(), "--force"),
                "would overwrite the input");
        assertArrayEquals(before, Files.readAllBytes(inner));
    }

    @Test
    void aFailedCommandLeavesNothingBehind() throws Exception {
        Path model = copy("inf_weight.onnx"), calib = copy("calib4.npy");
        List<String> before = listing();
        MalformedInputTest.assertRefused(MalformedInputTest.nncc("quantize", model.toString(), "--calib", calib.toString(),
                "-o", tmp.resolve("q.nnir").toString(), "--report", tmp.resolve("r.html").toString()), "weight tensor 'w'");
        MalformedInputTest.assertRefused(MalformedInputTest.nncc("compile", model.toString(), "--target", "cpu", "--calib", calib.toString(),
                "-o", tmp.resolve("out").toString()), "weight tensor 'w'");
        assertEquals(before, listing());
    }
}
