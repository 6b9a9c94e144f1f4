package nncc.tests;

import static nncc.tests.CliTest.assertBadInput;
import static nncc.tests.CliTest.example;
import static nncc.tests.CliTest.nncc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passes as plugins and every pass by name: the example plugin (module plugin-example, its own jar) is loaded by
 * {@code nncc opt --plugin}, runs in the pipeline and shows in the IR printing and statistics; calibration and
 * bias correction run from {@code --passes} with their data from {@code --calib}.
 */
class PluginCliTest {
    @TempDir Path tmp;

    static Path pluginJar() {
        Path jar = Path.of(System.getProperty("nncc.root", "..")).resolve("plugin-example/target/nncc-plugin-example.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is built by the reactor before the tests");
        return jar;
    }

    @Test void pluginPassRunsInThePipelineAndShowsInPrintingAndStatistics() throws Exception {
        Path out = tmp.resolve("renamed.nnir");
        CliTest.Result r = nncc("opt", example("fashion_cnn.onnx").toString(), "--plugin", pluginJar().toString(),
                "--passes", "infer-shapes,prefix-node-names{prefix=enc_},fuse-activations", "--print-ir-after-all",
                "--pass-statistics", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("prefix-node-names"), r.out());
        assertTrue(r.out().contains("nodes renamed"), r.out());
        String ir = Files.readString(out);
        assertTrue(ir.contains("node @enc_"), ir);
        assertFalse(ir.lines().filter(l -> l.strip().startsWith("node @")).anyMatch(l -> !l.strip().startsWith("node @enc_")),
                "every node renamed");
    }

    @Test void pluginPassesNeedTheirJarAndCheckTheirOptions() {
        Path out = tmp.resolve("x.nnir");
        assertBadInput(nncc("opt", example("fashion_cnn.onnx").toString(), "--passes", "prefix-node-names", "-o", out.toString()),
                "unknown pass 'prefix-node-names'");
        assertBadInput(nncc("opt", example("fashion_cnn.onnx").toString(), "--plugin", pluginJar().toString(), "--passes",
                "prefix-node-names{prefix=1bad}", "-o", out.toString()), "prefix '1bad' is not a plain name");
        assertBadInput(nncc("opt", example("fashion_cnn.onnx").toString(), "--plugin", pluginJar().toString(), "--passes",
                "prefix-node-names{colour=red}", "-o", out.toString()), "colour");
        assertBadInput(nncc("opt", example("fashion_cnn.onnx").toString(), "--plugin", tmp.resolve("none.jar").toString(),
                "--passes", "prepare", "-o", out.toString()), "plugin jar not found");
        assertFalse(Files.exists(out));
    }

    @Test void calibrationAndBiasCorrectionAreNamedPassesWithTheirDataFromTheContext() throws Exception {
        Path out = tmp.resolve("int8.nnir");
        CliTest.Result r = nncc("opt", example("fashion_cnn.onnx").toString(), "--calib", example("calib.npy").toString(),
                "--passes", "prepare,calibrate{observer=minmax},correct-bias,fold-scales,insert-requantize,lower-integer", "--pass-statistics",
                "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        String ir = Files.readString(out);
        assertTrue(ir.contains("= QConv {"), ir);
        assertTrue(ir.contains("accumulator = i32"), ir);
        assertBadInput(nncc("opt", example("fashion_cnn.onnx").toString(), "--passes", "prepare,calibrate", "-o",
                tmp.resolve("y.nnir").toString()), "pass 'calibrate' needs calibration data");
    }

    @Test void quantizeAndCompileRunPluginPassesOnTheFloatGraph() throws Exception {
        Path out = tmp.resolve("q.nnir");
        CliTest.Result r = nncc("quantize", example("fashion_cnn.onnx").toString(), "--calib", example("calib.npy").toString(),
                "--plugin", pluginJar().toString(), "--float-passes", "prefix-node-names{prefix=enc_}", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        String ir = Files.readString(out);
        assertTrue(ir.contains("node @enc_") && ir.contains("= QConv {"), ir);
        Path dir = tmp.resolve("cpu");
        r = nncc("compile", example("fashion_cnn.onnx").toString(), "--target", "cpu", "--calib", example("calib.npy").toString(),
                "--plugin", pluginJar().toString(), "--float-passes", "prefix-node-names", "-o", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(dir.resolve("model.nnir")).contains("node @x_"));
        assertBadInput(nncc("quantize", example("fashion_cnn.onnx").toString(), "--calib", example("calib.npy").toString(),
                "--float-passes", "prefix-node-names", "-o", tmp.resolve("z.nnir").toString()), "unknown pass 'prefix-node-names'");
    }
}
