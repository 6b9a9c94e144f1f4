package nncc.passes;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every case of every text-IR pass test file under {@code src/test/resources/passes}, each its own test. */
class PassFilesTest {
    static List<Path> files() throws IOException, URISyntaxException {
        Path dir = Path.of(PassFilesTest.class.getResource("/passes").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".nnir")).sorted().toList();
        }
    }

    @TestFactory Stream<DynamicContainer> passTestFiles() throws IOException, URISyntaxException {
        List<Path> files = files();
        assertFalse(files.isEmpty(), "no pass test files found");
        return files.stream().map(f -> {
            List<PassTestCase> cases = PassTestCase.parseFile(f.getFileName().toString(), read(f));
            return DynamicContainer.dynamicContainer(f.getFileName().toString(),
                    cases.stream().map(c -> DynamicTest.dynamicTest(c.title(), () -> PassTestRunner.run(c))));
        });
    }

    /** Every pass of the prepare pipeline has a test file named after it. */
    @Test void everyPreparePassHasATestFile() throws IOException, URISyntaxException {
        List<String> names = files().stream().map(p -> p.getFileName().toString().replace(".nnir", "")).toList();
        for (String pass : PassRegistry.PREPARE.split(","))
            assertTrue(names.contains(pass), "no passes/" + pass + ".nnir test file (have " + names + ")");
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
