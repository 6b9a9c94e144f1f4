package nncc.tests;

import static nncc.tests.CliTest.assertBadInput;
import static nncc.tests.CliTest.example;
import static nncc.tests.CliTest.nncc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import nncc.onnx.OnnxImporter;
import nncc.passes.PassRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nncc opt}: pass pipelines on the bundled model, IR printing, statistics, errors and reproducers. */
class OptCliTest {
    @TempDir Path tmp;

    private static int count(String s, String what) { return s.split(java.util.regex.Pattern.quote(what), -1).length - 1; }

    private static final String BAD_GATHER = """
            graph @bad {
              input %x : f32[2]
              const %data : f32[3] = [1.0, 2.0, 3.0]
              const %idx : i64[2] = [0, 7]
              node @id = Identity (%x) -> (%i : f32[2])
              node @gather = Gather {axis = 0} (%data, %idx) -> (%g : f32[2])
              node @add = Add (%i, %g) -> (%y : f32[2])
              output %y
            }
            """;

    @Test void preparePipelineFoldsBatchNormAndFusesReluKeepingTheNumbers() throws Exception {
        Path out = tmp.resolve("prepared.nnir");
        CliTest.Result r = nncc("opt", example("fashion_cnn_bn.onnx").toString(), "--passes", "prepare", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        String ir = Files.readString(out);
        assertFalse(ir.contains("BatchNormalization"), ir);
        assertFalse(ir.contains("= Relu"), "every Relu follows a conv or gemm with one reader: all fused");
        assertEquals(4, count(ir, "activation = relu}"), "3 convs and the first gemm carry the relu");
        assertTrue(ir.contains("output %logits"), "the graph output keeps its name");

        // interpreter outputs before and after on the first 16 sample images; the folded weights are rounded to
        // float32 once, so the logits may move by a few float32 ulps of their magnitude (|logit| < 30)
        Tensor images = Npy.read(example("sample.npy")).sliceBatch(0, 16);
        Graph original = OnnxImporter.load(example("fashion_cnn_bn.onnx"));
        Graph prepared = IrParser.parse(out);
        float[] before = new Interpreter(original).run(List.of(images)).get(0).toFloats();
        float[] after = new Interpreter(prepared).run(List.of(images)).get(0).toFloats();
        assertEquals(16 * 10, after.length);
        double diff = Compare.maxAbsDiff(before, after);
        assertTrue(diff <= 1e-4, "max |logit difference| " + diff);
    }

    @Test void passStatisticsNameTheCounters() throws Exception {
        Path out = tmp.resolve("o.nnir");
        CliTest.Result r = nncc("opt", example("fashion_cnn_bn.onnx").toString(), "--passes",
                "infer-shapes,fold-batchnorm,fuse-activations", "--pass-statistics", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Pass statistics report"), r.out());
        assertTrue(r.out().contains("infer-shapes (") && r.out().contains(" - unchanged"), r.out());
        assertTrue(r.out().contains("(S)        3 batchnorms folded"), r.out());
        assertTrue(r.out().contains("(S)        4 activations fused"), r.out());
        assertTrue(Files.exists(out));
    }

    @Test void printIrAfterANamedPass() throws Exception {
        Path out = tmp.resolve("o.nnir");
        CliTest.Result r = nncc("opt", example("fashion_cnn_bn.onnx").toString(), "--passes", "prepare",
                "--print-ir-after=fold-batchnorm", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, count(r.out(), "// ----- IR after"), r.out());
        assertTrue(r.out().startsWith("// ----- IR after fold-batchnorm -----\ngraph @"), r.out());
        Graph dumped = IrParser.parse(r.out(), "stdout");
        assertTrue(dumped.nodes().stream().noneMatch(n -> n.op().opName().equals("BatchNormalization")));
        assertEquals(4, dumped.nodes().stream().filter(n -> n.op().opName().equals("Relu")).count(), "not fused yet after fold-batchnorm");

        CliTest.Result all = nncc("opt", example("fashion_cnn_bn.onnx").toString(), "--passes", "prepare",
                "--print-ir-after-all", "-o", out.toString());
        assertEquals(0, all.code(), all.err());
        assertEquals(PassRegistry.PREPARE.split(",").length, count(all.out(), "// ----- IR after"), all.out());
        assertBadInput(nncc("opt", example("fashion_cnn_bn.onnx").toString(), "--passes", "infer-shapes",
                "--print-ir-after=fold-batchnorm", "-o", out.toString()), "--print-ir-after=fold-batchnorm", "infer-shapes");
    }

    @Test void unknownPassIsAOneLineErrorWithExit2() {
        Path out = tmp.resolve("o.nnir");
        CliTest.Result r = nncc("opt", example("fashion_cnn_bn.onnx").toString(), "--passes", "infer-shapes,fold-bn", "-o", out.toString());
        assertBadInput(r, "unknown pass 'fold-bn'", "fold-batchnorm", "fuse-activations");
        assertFalse(Files.exists(out));
        assertBadInput(nncc("opt", example("fashion_cnn_bn.onnx").toString(), "--passes", "remove-noops{aggressive}", "-o", out.toString()),
                "has no option 'aggressive'");
        assertBadInput(nncc("opt", example("fashion_cnn_bn.onnx").toString(), "--passes", "fold-batchnorm", "--stage", "imported",
                "-o", out.toString()), "needs the graph at stage shapes-inferred");
    }

    @Test void failingPassLeavesAReproducerNamedInTheError() throws Exception {
        Path model = tmp.resolve("bad.nnir");
        Files.writeString(model, BAD_GATHER);
        Path outDir = Files.createDirectory(tmp.resolve("out"));
        Path out = outDir.resolve("o.nnir");
        CliTest.Result r = nncc("opt", model.toString(), "--passes", "remove-noops,fold-constants", "-o", out.toString());
        Path repro = outDir.toAbsolutePath().resolve("nncc-reproducer-fold-constants.nnir");
        assertBadInput(r, "node 'gather'", "index 7 out of range", "reproducer: " + repro);
        assertFalse(Files.exists(out));
        String text = Files.readString(repro);
        assertTrue(text.startsWith("// RUN: --passes fold-constants --stage bn-folded\n"), text);
        assertFalse(IrParser.parse(text, "repro").nodes().stream().anyMatch(n -> n.op().opName().equals("Identity")),
                "the reproducer is the failing pass's input (after remove-noops)");

        Path elsewhere = tmp.resolve("repro");
        CliTest.Result r2 = nncc("opt", model.toString(), "--passes", "fold-constants", "--reproducer-dir", elsewhere.toString(), "-o", out.toString());
        assertBadInput(r2, "reproducer: " + elsewhere.resolve("nncc-reproducer-fold-constants.nnir"));
        assertTrue(Files.exists(elsewhere.resolve("nncc-reproducer-fold-constants.nnir")));
    }

    @Test void helpListsOpt() {
        assertTrue(nncc("--help").out().contains("opt"));
        CliTest.Result h = nncc("opt", "--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("--print-ir-after-change") && h.out().contains("--reproducer-dir"), h.out());
    }
}
