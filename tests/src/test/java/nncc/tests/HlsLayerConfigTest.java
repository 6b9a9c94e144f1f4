package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import nncc.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compile --target hls --layer-config FILE.json}: per-layer reuse factor and strategy by IR node name reach
 * that layer's configuration struct and kernel call only, {@code --layer-reuse} wins over the file, and an unknown
 * node name or malformed file is a one-line exit-2 error naming the file (and the name), with no output left behind.
 */
class HlsLayerConfigTest {
    @TempDir Path dir;

    private static final String CONV2 = "/features/features.4/Conv", FC1 = "/classifier/classifier.1/Gemm";

    private String[] run(Path out, String... options) {
        List<String> args = new ArrayList<>(List.of("compile", TestPaths.example().resolve("fashion_cnn.onnx").toString(), "--target", "hls",
                "--calib", TestPaths.example().resolve("calib.npy").toString()));
        args.addAll(List.of(options));
        args.addAll(List.of("-o", out.toString()));
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.execute(args.toArray(String[]::new), new PrintWriter(o, true), new PrintWriter(e, true));
        return new String[] {String.valueOf(code), e.toString()};
    }

    private static String config(String params, String id) {
        int from = params.indexOf("struct config_" + id + " {");
        return params.substring(from, params.indexOf("};", from));
    }

    @Test void perLayerReuseAndStrategyReachOnlyThatLayer() throws Exception {
        Path json = dir.resolve("layers.json");
        Files.writeString(json, "{\n  \"layers\": {\n    \"" + CONV2 + "\": {\"reuse_factor\": 3, \"strategy\": \"resource\"},\n"
                + "    \"" + FC1 + "\": {\"ReuseFactor\": 16}\n  }\n}\n");
        Path out = dir.resolve("out");
        String[] r = run(out, "--layer-config", json.toString(), "--reuse-factor", "2", "--layer-reuse", FC1 + "=32");
        assertEquals("0", r[0], r[1]);
        String params = Files.readString(out.resolve("firmware/parameters.h")), top = Files.readString(out.resolve("firmware/torch_jit.cpp"));
        assertTrue(config(params, "l2").contains("reuse_factor = 3;") && config(params, "l2").contains("strategy = nncc::RESOURCE;"), params);
        assertTrue(config(params, "l0").contains("reuse_factor = 2;") && config(params, "l0").contains("strategy = nncc::LATENCY;"), params);
        assertTrue(config(params, "l6").contains("reuse_factor = 32;"), "--layer-reuse wins over the file: " + config(params, "l6"));
        assertTrue(top.contains("nncc::conv2d_resource<config_l2>(") && top.contains("nncc::conv2d<config_l0>("), top);
        assertTrue(top.contains("nncc::dense<config_l6>("), top);
    }

    @Test void unknownNodeNameIsOneLineErrorNamingFileAndName() throws Exception {
        Path json = dir.resolve("bad.json");
        Files.writeString(json, "{\"layers\": {\"" + CONV2 + "\": {\"reuse_factor\": 3}, \"no_such_layer\": {\"strategy\": \"latency\"}}}");
        Path out = dir.resolve("out");
        String[] r = run(out, "--layer-config", json.toString());
        assertEquals("2", r[0], r[1]);
        assertEquals(1, r[1].strip().lines().count(), r[1]);
        assertTrue(r[1].contains(json.toString()) && r[1].contains("'no_such_layer'"), r[1]);
        assertFalse(Files.exists(out), "no output left behind");
    }

    @Test void malformedFileIsOneLineErrorWithItsLine() throws Exception {
        Path json = dir.resolve("broken.json");
        Files.writeString(json, "{\"layers\": {\n  \"" + CONV2 + "\": {\"reuse_factor\": \"three\"}\n}}");
        String[] r = run(dir.resolve("out"), "--layer-config", json.toString());
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains(json + ":2: layer config: expected an integer"), r[1]);
        Files.writeString(json, "{\"layers\": {\"" + CONV2 + "\": {\"strategy\": \"fast\"}}}");
        r = run(dir.resolve("out"), "--layer-config", json.toString());
        assertTrue(r[0].equals("2") && r[1].contains("must be latency or resource, got 'fast'"), r[1]);
    }
}
