package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HLS backend's acceptance cases beyond the bundled CNN (HlsCSimTest): the MLP, the MobileNetV2-style model
 * (depthwise convs, Relu6, residual adds, global average pool) and 4-bit-weight variants, across --io parallel and
 * stream, both int8 roundings, int16x8, and both strategies: OUT/csim.sh equals the integer reference on
 * OUT/model.nnir on every element of every sample. Image counts are kept small for CI time (MobileNetV2's C
 * simulation is the slow part); scripts/hls_acceptance runs the full matrix on 500 images.
 */
class HlsAcceptanceTest {
    @TempDir Path dir;

    private static Path mlp() { return TestPaths.root().resolve("tests/src/test/resources/models/mlp_fashion.onnx"); }

    private static Path mobilenet() { return TestPaths.root().resolve("examples/mobilenet_v2/mobilenet_v2.onnx"); }

    @Test void mlpInt8DoubleRoundingParallel() throws Exception {
        HlsCSim.compileAndCompare(dir.resolve("out"), mlp(), 100);
    }

    @Test void mlpInt16x8StreamResource() throws Exception {
        HlsCSim.compileAndCompare(dir.resolve("out"), mlp(), 100, "--scheme", "int16x8", "--io", "stream", "--strategy", "resource",
                "--reuse-factor", "8");
    }

    @Test void mlpFourBitWeightsSingleRoundingStream() throws Exception {
        HlsCSim.compileAndCompare(dir.resolve("out"), mlp(), 100, "--weight-bits", "4", "--rounding", "single", "--io", "stream");
    }

    @Test void mobilenetInt8DoubleRoundingParallel() throws Exception {
        HlsCSim.compileAndCompare(dir.resolve("out"), mobilenet(), 20);
        // the report states the range-analysed widths per layer, narrower than 32 for every conv
        String report = Files.readString(dir.resolve("out/report.md"));
        assertTrue(report.contains(" / 32 |") && !report.contains("| 32 / 32 |"), report);
    }

    @Test void mobilenetInt8SingleRoundingStreamResource() throws Exception {
        HlsCSim.compileAndCompare(dir.resolve("out"), mobilenet(), 20, "--rounding", "single", "--io", "stream", "--strategy", "resource",
                "--reuse-factor", "4");
    }

    @Test void mobilenetInt16x8Stream() throws Exception {
        HlsCSim.compileAndCompare(dir.resolve("out"), mobilenet(), 20, "--scheme", "int16x8", "--io", "stream");
    }

    @Test void mobilenetFourBitWeightsParallel() throws Exception {
        HlsCSim.compileAndCompare(dir.resolve("out"), mobilenet(), 20, "--weight-bits", "4");
        String report = Files.readString(dir.resolve("out/report.md"));
        assertTrue(report.contains("weights of 2 to 4 bits is built in LUTs"), report);
    }

    @Test void fashionCnnFourBitWeightsStream() throws Exception {
        HlsCSim.compileAndCompare(dir.resolve("out"), TestPaths.example().resolve("fashion_cnn.onnx"), 100, "--weight-bits", "4",
                "--io", "stream");
    }
}
