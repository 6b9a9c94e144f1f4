package nncc.hls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.text.IrParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden-file tests of the generated glue: every generated file except the copied kernel headers, as one canonical
 * text ({@code ==== path ====} before each file), against {@code src/test/resources/nncc/hls/golden/*.txt}. After an
 * intended change, regenerate them with
 * {@code mvn -pl backend-hls -am test -Dtest=HlsGeneratorGoldenTest -Dnncc.updateGolden=true} and review the diff.
 * Also: two runs give byte-identical files, the project compiles with g++ -Wall -Wextra -Werror in both IO modes,
 * and an op without a kernel is a one-line error naming the node.
 */
class HlsGeneratorGoldenTest {
    @TempDir Path dir;

    private static Graph tiny() throws IOException {
        try (var in = HlsGeneratorGoldenTest.class.getResourceAsStream("golden/tiny.nnir")) {
            return IrParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "tiny.nnir");
        }
    }

    private static final HlsGenerator.Options STREAM = new HlsGenerator.Options(HlsGenerator.Io.STREAM, 2, HlsGenerator.Strategy.RESOURCE);

    @Test void parallelGlueMatchesGolden() throws IOException {
        checkGolden("tiny.parallel.txt", HlsGenerator.generate(tiny(), HlsGenerator.Options.defaults()));
    }

    @Test void streamGlueMatchesGolden() throws IOException {
        checkGolden("tiny.stream.txt", HlsGenerator.generate(tiny(), STREAM));
    }

    @Test void generationIsDeterministic() throws IOException {
        Map<String, byte[]> a = HlsGenerator.generate(tiny(), STREAM), b = HlsGenerator.generate(tiny(), STREAM);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k);
        for (String h : CSimToolchain.KERNEL_HEADERS)
            assertEquals(CSimToolchain.kernelHeader(h), new String(a.get("firmware/nncc/" + h), StandardCharsets.UTF_8), h);
    }

    @Test void generatedProjectCompilesCleanlyAndRunsEverySample() throws Exception {
        Path ap = HlsTestEnv.apTypes();
        for (HlsGenerator.Options o : List.of(HlsGenerator.Options.defaults(), STREAM)) {
            Path p = dir.resolve(o.io().name());
            for (Map.Entry<String, byte[]> e : HlsGenerator.generate(tiny(), o).entrySet()) {
                Files.createDirectories(p.resolve(e.getKey()).getParent());
                Files.write(p.resolve(e.getKey()), e.getValue());
            }
            Path exe = p.resolve("csim");
            CSimToolchain.compile(List.of(p.resolve("firmware/tiny.cpp"), p.resolve("tb/tiny_tb.cpp")), List.of(p.resolve("firmware")), ap, exe);
            byte[] input = new byte[3 * 50];
            for (int i = 0; i < input.length; i++) input[i] = (byte) (i * 37);
            Files.write(p.resolve("in.bin"), input);
            Process run = new ProcessBuilder(exe.toString(), p.resolve("in.bin").toString(), p.resolve("out.bin").toString()).redirectErrorStream(true).start();
            String log = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, run.waitFor(), log);
            assertTrue(log.contains("3 samples"), log);
            assertEquals(3 * 3, Files.size(p.resolve("out.bin")));
        }
    }

    /** QSoftmax's layer carries the IR's three numbers; a softmax along the batch dimension is a one-line error. */
    @Test void softmaxLayerCopiesTheIrsNumbersAndRefusesTheBatchAxis() {
        String text = """
                graph @sm {
                  input %x : i8[1,2]{scale = 0.1, zp = 3}
                  node @soft = QSoftmax {axis = AXIS, inputMultiplier = 1717986944, inputLeftShift = 23, diffMin = -248, outputScale = 0.00390625, outputZp = -128, outType = i8} (%x) -> (%y : i8[1,2]{scale = 0.00390625, zp = -128})
                  output %y
                }
                """;
        String params = new String(HlsGenerator.generate(IrParser.parse(text.replace("AXIS", "1"), "sm.nnir"), HlsGenerator.Options.defaults())
                .get("firmware/parameters.h"), StandardCharsets.UTF_8);
        assertTrue(params.contains("input_multiplier = 1717986944;") && params.contains("input_left_shift = 23;")
                && params.contains("diff_min = -248;") && params.contains("static const int n = 2;"), params);
        ModelException e = org.junit.jupiter.api.Assertions.assertThrows(ModelException.class,
                () -> HlsGenerator.generate(IrParser.parse(text.replace("AXIS", "0"), "sm.nnir"), HlsGenerator.Options.defaults()));
        assertEquals("soft", e.node());
        assertTrue(e.getMessage().contains("batch"), e.getMessage());
    }

    @Test void layerReuseOverridesTheDefaultForThatLayerOnly() throws IOException {
        var o = new HlsGenerator.Options(HlsGenerator.Io.PARALLEL, 2, HlsGenerator.Strategy.LATENCY, HlsGenerator.DEFAULT_PART, 200, Map.of("fc", 16));
        String params = new String(HlsGenerator.generate(tiny(), o).get("firmware/parameters.h"), StandardCharsets.UTF_8);
        String fc = params.substring(params.indexOf("struct config_l3")), dw = params.substring(params.indexOf("struct config_l0"), params.indexOf("struct config_l1"));
        assertTrue(fc.contains("static const int reuse_factor = 16;"), fc);
        assertTrue(dw.contains("static const int reuse_factor = 2;"), dw);
        var bad = new HlsGenerator.Options(HlsGenerator.Io.PARALLEL, 2, HlsGenerator.Strategy.LATENCY, HlsGenerator.DEFAULT_PART, 200, Map.of("nope", 4));
        ModelException e = org.junit.jupiter.api.Assertions.assertThrows(ModelException.class, () -> HlsGenerator.generate(tiny(), bad));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    /** The accumulator type is the IR's accumulatorBits (18 on @dw in tiny.nnir), or the i32's 32 where it is 0. */
    @Test void accumulatorTypeIsTheIrsAttribute() throws IOException {
        Graph g = tiny();
        String params = new String(HlsGenerator.generate(g, HlsGenerator.Options.defaults()).get("firmware/parameters.h"), StandardCharsets.UTF_8);
        String dw = params.substring(params.indexOf("struct config_l0"), params.indexOf("struct config_l1")), fc = params.substring(params.indexOf("struct config_l3"));
        assertTrue(dw.contains("typedef ap_int<18> accum_t;") && dw.contains("accum_bits = 18;"), dw);
        assertTrue(fc.contains("typedef ap_int<32> accum_t;") && fc.contains("reference_accum_bits = 32;"), fc);
        nncc.ir.Node n = g.nodesByName().get("fc");
        g.replaceNode(n, List.of(n.withOp(((nncc.ir.op.QGemm) n.op()).withAccumulatorBits(21))));
        params = new String(HlsGenerator.generate(g, HlsGenerator.Options.defaults()).get("firmware/parameters.h"), StandardCharsets.UTF_8);
        assertTrue(params.substring(params.indexOf("struct config_l3")).contains("typedef ap_int<21> accum_t;"), params);
    }

    /**
     * --weight-bits narrows the multipliers: @fc at 4-bit weights (8 taps, reuse 1: 8 multipliers) needs no DSP for its
     * products, only the requantization's 4, and 8 x (8 activation bits x 4 weight bits) = 256 LUTs more than the
     * 40 x (8 + 4) + 300 = 780 of its 8-bit form, whose 8 products take 8 DSPs (12 with the requantization's).
     */
    @Test void narrowWeightsUseLutMultipliersInTheEstimate() throws IOException {
        String text;
        try (var in = HlsGeneratorGoldenTest.class.getResourceAsStream("golden/tiny.nnir")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String fourBit = text.replace("[1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, -5, -6, -7, -8, 127, -127, 0, 0, 64, -64, 1, -1]",
                        "[1, 2, 3, 4, 5, 6, 7, -8, -1, -2, -3, -4, -5, -6, -7, 7, 7, -7, 0, 0, 4, -4, 1, -1]")
                .replace("rounding = single_round, accumulator = i32, weightBits = 8}", "rounding = single_round, accumulator = i32, weightBits = 4}");
        Graph g = IrParser.parse(fourBit, "tiny4.nnir");
        nncc.ir.Verifier.verify(g);
        String eight = new String(HlsGenerator.generate(tiny(), HlsGenerator.Options.defaults()).get("report.json"), StandardCharsets.UTF_8);
        Map<String, byte[]> files = HlsGenerator.generate(g, HlsGenerator.Options.defaults());
        String four = new String(files.get("report.json"), StandardCharsets.UTF_8);
        assertTrue(eight.contains("\"node\": \"fc\", \"accumulator_bits\": \"32 / 32\", \"macs\": 24, \"multipliers\": 8, \"dsp\": 12, \"bram18k\": 0, \"lut\": 780,"), eight);
        assertTrue(four.contains("\"node\": \"fc\", \"accumulator_bits\": \"32 / 32\", \"macs\": 24, \"multipliers\": 8, \"dsp\": 4, \"bram18k\": 0, \"lut\": 1036,"), four);
        String params = new String(files.get("firmware/parameters.h"), StandardCharsets.UTF_8);
        assertTrue(params.substring(params.indexOf("struct config_l3")).contains("typedef ap_int<4> weight_t;"), params);
        assertTrue(new String(files.get("report.md"), StandardCharsets.UTF_8).contains("weights of 2 to 4 bits is built in LUTs"));
    }

    /**
     * --strategy resource calls the folded kernel forms, whose weights the estimate puts in BRAM: @dw's 9 taps at reuse 2
     * on 5 multipliers, one BRAM18K per weight partition (5), @fc's 8 inputs on 4 (4); the latency forms keep these
     * small weight arrays in LUTRAM (0). A per-layer strategy overrides the default for that node only.
     */
    @Test void resourceStrategyFoldsProductsAndKeepsWeightsInBram() throws IOException {
        var latency = new HlsGenerator.Options(HlsGenerator.Io.PARALLEL, 2, HlsGenerator.Strategy.LATENCY);
        var resource = new HlsGenerator.Options(HlsGenerator.Io.PARALLEL, 2, HlsGenerator.Strategy.RESOURCE);
        Map<String, byte[]> l = HlsGenerator.generate(tiny(), latency), r = HlsGenerator.generate(tiny(), resource);
        String lTop = new String(l.get("firmware/tiny.cpp"), StandardCharsets.UTF_8), rTop = new String(r.get("firmware/tiny.cpp"), StandardCharsets.UTF_8);
        assertTrue(lTop.contains("nncc::conv2d<config_l0>(") && lTop.contains("nncc::dense<config_l3>("), lTop);
        assertTrue(rTop.contains("nncc::conv2d_resource<config_l0>(") && rTop.contains("nncc::dense_resource<config_l3>("), rTop);
        String lJson = new String(l.get("report.json"), StandardCharsets.UTF_8), rJson = new String(r.get("report.json"), StandardCharsets.UTF_8);
        assertTrue(lJson.contains("\"node\": \"dw\", \"accumulator_bits\": \"18 / 32\", \"macs\": 162, \"multipliers\": 5, \"dsp\": 9, \"bram18k\": 0,"), lJson);
        assertTrue(rJson.contains("\"node\": \"dw\", \"accumulator_bits\": \"18 / 32\", \"macs\": 162, \"multipliers\": 5, \"dsp\": 9, \"bram18k\": 5,"), rJson);
        assertTrue(rJson.contains("\"node\": \"fc\", \"accumulator_bits\": \"32 / 32\", \"macs\": 24, \"multipliers\": 4, \"dsp\": 8, \"bram18k\": 4,"), rJson);
        var mixed = new HlsGenerator.Options(HlsGenerator.Io.PARALLEL, 2, HlsGenerator.Strategy.LATENCY, HlsGenerator.DEFAULT_PART, 200, Map.of(),
                Map.of("fc", HlsGenerator.Strategy.RESOURCE));
        String mTop = new String(HlsGenerator.generate(tiny(), mixed).get("firmware/tiny.cpp"), StandardCharsets.UTF_8);
        assertTrue(mTop.contains("nncc::conv2d<config_l0>(") && mTop.contains("nncc::dense_resource<config_l3>("), mTop);
    }

    @Test void opWithoutKernelIsAnErrorNamingTheNode() {
        Graph g = IrParser.parse("""
                graph @f {
                  input %x : f32[?N,4]
                  node @act = Relu (%x) -> (%y : f32[?N,4])
                  output %y
                }
                """, "f.nnir");
        ModelException e = org.junit.jupiter.api.Assertions.assertThrows(ModelException.class,
                () -> HlsGenerator.generate(g, HlsGenerator.Options.defaults()));
        assertTrue(e.getMessage().contains("integer tensors, got f32"), e.getMessage());
    }

    /** Compares the canonical text of {@code files} with the golden file, or rewrites it under -Dnncc.updateGolden=true. */
    private static void checkGolden(String name, Map<String, byte[]> files) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            if (e.getKey().startsWith("firmware/nncc/")) continue;
            b.append("==== ").append(e.getKey()).append(" ====\n").append(new String(e.getValue(), StandardCharsets.UTF_8));
        }
        String actual = b.toString();
        Path golden = Path.of(System.getProperty("nncc.root", ".."), "backend-hls/src/test/resources/nncc/hls/golden", name);
        if (Boolean.getBoolean("nncc.updateGolden")) {
            Files.writeString(golden, actual);
            return;
        }
        assertTrue(Files.exists(golden), golden + " is missing: run with -Dnncc.updateGolden=true");
        assertEquals(Files.readString(golden), actual, "generated glue differs from " + golden + " (regenerate with -Dnncc.updateGolden=true if intended)");
    }
}
