package nncc.tests;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find the repository, the shared fixtures and Debian's data packages. */
final class TestPaths {
    private TestPaths() {}

    static Path root() {
        String p = System.getProperty("nncc.root");
        Path r = p != null ? Path.of(p) : Path.of("..");
        return r.toAbsolutePath().normalize();
    }

    static Path models() { return root().resolve("tests/src/test/resources/models"); }

    static Path example() { return root().resolve("examples/fashion_mnist"); }

    /** ONNX's backend test data from Debian's libonnx-testdata; the tests fail (never skip) when it is missing. */
    static Path onnxTestData() {
        Path d = Path.of("/usr/share/libonnx-testdata/data");
        if (!Files.isDirectory(d))
            throw new AssertionError("ONNX backend test data missing at " + d + ": apt-get install libonnx-testdata (scripts/test does this)");
        return d;
    }

    static Path fashionMnist() {
        Path d = Path.of("/usr/share/datasets/fashion-mnist");
        if (!Files.isDirectory(d))
            throw new AssertionError("Fashion-MNIST missing at " + d + ": apt-get install dataset-fashion-mnist (scripts/test does this)");
        return d;
    }
}
