package nncc.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.op.Conv;
import nncc.ir.op.MaxPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .nnir files on disk: the hand-written test resource, and every .nnir file of the repository. */
class NnirFilesTest {
    /** Cases in a multi-case test file are separated by a line holding only this comment. */
    private static final String CASE_SEPARATOR = "(?m)^\\s*// -----\\s*$";

    @Test void parsesHandWrittenResource() throws IOException, URISyntaxException {
        String text;
        try (InputStream in = NnirFilesTest.class.getResourceAsStream("fashion_cnn.nnir")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Graph g = IrParser.parse(text, "fashion_cnn.nnir");
        assertEquals("fashion_cnn", g.name());
        assertEquals("?N", "?" + g.inputs().get(0).type().shape().symbol(0));
        assertEquals(List.of("Conv_0", "Relu_1", "MaxPool_2", "Reshape_3", "Gemm_4", "QuantizeLinear_5"),
                g.nodes().stream().map(n -> n.name()).toList());
        assertEquals(Conv.of2d(1, 1), g.nodes().get(0).op());
        assertTrue(g.nodes().get(2).op() instanceof MaxPool m && m.kernel().equals(List.of(2, 2)));
        assertEquals(4 * 9, g.constant("conv1.weight").data().numElements());
        assertEquals(-0.25f, g.constant("conv1.weight").data().toFloats()[1], 0f);
        assertEquals(DType.I8, g.outputs().get(1).type().dtype());
        assertEquals(0.125f, g.outputs().get(1).type().quant().scale(0), 0f);
        String printed = IrPrinter.print(g);
        assertEquals(printed, IrPrinter.print(IrParser.parse(printed, "printed.nnir")));
        // the resource can also be read from disk through parse(Path)
        Path file = Path.of(NnirFilesTest.class.getResource("fashion_cnn.nnir").toURI());
        assertEquals(printed, IrPrinter.print(IrParser.parse(file)));
    }

    /** Every .nnir file under the repository (outside target/ and hidden directories) round-trips unchanged. */
    @Test void everyRepositoryNnirFileRoundTrips() throws IOException {
        Path root = Path.of(System.getProperty("nncc.root", "..")).toAbsolutePath().normalize();
        List<Path> files = nnirFiles(root);
        int cases = checkRoundTrips(files);
        System.out.println("NnirFilesTest: checked " + cases + " graphs in " + files.size() + " .nnir files under " + root);
        // this module's own resource is always among them when the root is the repository
        if (Files.isDirectory(root.resolve("ir/src/test/resources")))
            assertTrue(files.stream().anyMatch(p -> p.endsWith("fashion_cnn.nnir")), "walk found " + files);
    }

    @Test void walkSplitsCasesAndSkipsTargetAndExpectedErrors(@TempDir Path root) throws IOException {
        String good = "graph @a {\n  input %x : f32[2]\n  output %x\n}\n";
        Files.createDirectories(root.resolve("passes/target"));
        Files.createDirectories(root.resolve(".git"));
        Files.writeString(root.resolve("passes/fold.nnir"), "// RUN: fold\n" + good + "// -----\n"
                + good.replace("@a", "@b") + "  // -----  \n// expected-error: broken\ngraph @c { nonsense }\n");
        Files.writeString(root.resolve("passes/target/copy.nnir"), "not a graph");
        Files.writeString(root.resolve(".git/x.nnir"), "not a graph");
        Files.writeString(root.resolve("single.nnir"), good);
        List<Path> files = nnirFiles(root);
        assertEquals(List.of(root.resolve("passes/fold.nnir"), root.resolve("single.nnir")), files);
        assertEquals(3, checkRoundTrips(files));
        Files.writeString(root.resolve("single.nnir"), good.replace("output %x", "output %y"));
        assertThrows(ModelException.class, () -> checkRoundTrips(nnirFiles(root)));
    }

    /**
     * Checks parse → print → parse → print of every graph in the files and returns how many were checked.
     * Multi-case files (cases separated by "// -----") are checked case by case; cases that expect an error
     * ("expected-error") or hold no graph are skipped.
     */
    private static int checkRoundTrips(List<Path> files) throws IOException {
        int cases = 0;
        for (Path f : files) {
            String[] parts = Files.readString(f, StandardCharsets.UTF_8).split(CASE_SEPARATOR);
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].contains("expected-error") || !hasGraph(parts[i])) continue;
                String name = f + (parts.length > 1 ? " case " + (i + 1) : "");
                String once = IrPrinter.print(IrParser.parse(parts[i], name));
                String twice = IrPrinter.print(IrParser.parse(once, name + " (printed)"));
                assertEquals(once, twice, name);
                cases++;
            }
        }
        return cases;
    }

    private static boolean hasGraph(String text) {
        return text.replaceAll("//[^\\n]*", "").contains("graph");
    }

    private static List<Path> nnirFiles(Path root) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(root)) return found;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String n = dir.getFileName() == null ? "" : dir.getFileName().toString();
                boolean skip = !dir.equals(root) && (n.equals("target") || n.startsWith("."));
                return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (file.toString().endsWith(".nnir")) found.add(file);
                return FileVisitResult.CONTINUE;
            }
        });
        found.sort(null);
        return found;
    }
}
