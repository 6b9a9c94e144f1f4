package nncc.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.TensorType;
import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pass manager's stage checks, verification and debugging aids (printing, statistics, reproducers). */
class PassManagerTest {
    @TempDir Path tmp;

    private static final String MODEL = """
            graph @m {
              input %x : f32[?N,2]
              const %a : f32[2] = [1.0, -2.0]
              const %idx : i64[1] = [%s]
              node @neg = Relu (%a) -> (%r : f32[2])
              node @id = Identity (%x) -> (%i : f32[?N,2])
              node @g = Gather {axis = 0} (%r, %idx) -> (%k : f32[1])
              node @add = Add (%i, %k) -> (%y : f32[?N,2])
              output %y
            }
            """;

    private static Graph model(int index) { return IrParser.parse(MODEL.replace("%s", Integer.toString(index)), "m.nnir"); }

    private static PassManager.Options options(boolean all, Set<String> after, boolean change, boolean stats, Path repro) {
        return new PassManager.Options(true, all, after, change, stats, repro);
    }

    @Test void printsAfterNamedPassAfterChangeAndAll() {
        List<Pass> pipeline = PassRegistry.parse("infer-shapes,remove-noops,fold-constants");
        StringWriter out = new StringWriter();
        new PassManager(pipeline, options(false, Set.of("fold-constants"), false, false, null), new PrintWriter(out)).run(model(0), Stage.of(model(0)));
        assertEquals(1, count(out.toString(), "// ----- IR after"));
        assertTrue(out.toString().contains("// ----- IR after fold-constants -----\ngraph @m {"), out.toString());
        IrParser.parse(out.toString(), "printed"); // the dump is valid text IR (the header is a comment)

        StringWriter changed = new StringWriter();
        new PassManager(pipeline, options(false, Set.of(), true, false, null), new PrintWriter(changed)).run(model(0), Stage.BN_FOLDED);
        assertFalse(changed.toString().contains("after infer-shapes"), changed.toString());
        assertTrue(changed.toString().contains("after remove-noops") && changed.toString().contains("after fold-constants"));

        StringWriter all = new StringWriter();
        new PassManager(pipeline, options(true, Set.of(), false, false, null), new PrintWriter(all)).run(model(0), Stage.BN_FOLDED);
        assertEquals(3, count(all.toString(), "// ----- IR after"));
        assertTrue(all.toString().contains("// ----- IR after infer-shapes (unchanged) -----"), all.toString());
    }

    @Test void statisticsNameEveryCounter() {
        StringWriter out = new StringWriter();
        List<PassManager.Step> steps = new PassManager(PassRegistry.parse("remove-noops,fold-constants"),
                options(false, Set.of(), false, true, null), new PrintWriter(out)).run(model(0), Stage.BN_FOLDED);
        assertEquals(2, steps.size());
        assertEquals(2L, steps.get(1).result().statistics().get("nodes folded"));
        String s = out.toString();
        assertTrue(s.contains("Pass statistics report"), s);
        assertTrue(s.contains("  (S)        1 nodes removed"), s);
        assertTrue(s.contains("  (S)        2 nodes folded"), s);
        assertTrue(s.contains("  (S)        3 constants removed"), s);
    }

    @Test void failingPassWritesAReplayableReproducer() throws Exception {
        Graph g = model(5); // Gather index 5 is out of range: fold-constants fails evaluating it
        PassManager pm = new PassManager(PassRegistry.parse("remove-noops,fold-constants"),
                options(false, Set.of(), false, false, tmp), new PrintWriter(new StringWriter()));
        ModelException e = assertThrows(ModelException.class, () -> pm.run(g, Stage.BN_FOLDED));
        Path repro = tmp.resolve("nncc-reproducer-fold-constants.nnir");
        assertEquals("node 'g': Gather: index 5 out of range for dim 0 of size 2 (reproducer: " + repro + ")", e.getMessage());
        String text = Files.readString(repro);
        assertTrue(text.startsWith("// RUN: --passes fold-constants --stage bn-folded\n"), text);
        Graph input = IrParser.parse(text, repro.toString());
        assertFalse(IrPrinter.print(input).contains("Identity"), "the reproducer holds the input of the failing pass");
        // replayed as a pass test case, it fails the same way
        PassTestCase replay = PassTestCase.parseFile("repro.nnir", text + "// expected-error: index 5 out of range\n").get(0);
        PassTestRunner.run(replay);
    }

    @Test void invalidGraphAfterAPassAndCrashesNameThePass() {
        Pass breaksTypes = new Pass() {
            @Override public String name() { return "break-types"; }
            @Override public PassResult run(Graph g) {
                Node n = g.nodes().get(0);
                g.replaceNode(n, List.of(n.withOutputs(List.of(n.output().withType(TensorType.of(nncc.ir.DType.F32, 3))))));
                return PassResult.of(java.util.Map.of("broken", 1L));
            }
        };
        PassManager pm = new PassManager(List.of(breaksTypes), options(false, Set.of(), false, false, tmp), new PrintWriter(new StringWriter()));
        ModelException e = assertThrows(ModelException.class, () -> pm.run(model(0), Stage.BN_FOLDED));
        assertTrue(e.getMessage().startsWith("node 'neg': the graph is invalid after pass 'break-types': Relu: output %r declared f32[3]"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(reproducer: " + tmp.resolve("nncc-reproducer-break-types.nnir") + ")"), e.getMessage());

        Pass crashes = new Pass() {
            @Override public String name() { return "crash"; }
            @Override public PassResult run(Graph g) { throw new ArithmeticException("/ by zero"); }
        };
        PassManager pm2 = new PassManager(List.of(crashes), options(false, Set.of(), false, false, tmp), new PrintWriter(new StringWriter()));
        IllegalStateException ise = assertThrows(IllegalStateException.class, () -> pm2.run(model(0), Stage.BN_FOLDED));
        assertTrue(ise.getMessage().startsWith("pass 'crash' crashed: java.lang.ArithmeticException: / by zero (reproducer: "), ise.getMessage());
        assertTrue(Files.exists(tmp.resolve("nncc-reproducer-crash.nnir")));
    }

    @Test void stagesAdvanceAndAreChecked() {
        PassManager pm = new PassManager(PassRegistry.parse("fold-batchnorm"), PassManager.Options.defaults(), new PrintWriter(new StringWriter()));
        ModelException e = assertThrows(ModelException.class, () -> pm.run(model(0), Stage.IMPORTED));
        assertEquals("pass 'fold-batchnorm' needs the graph at stage shapes-inferred but it is at imported; run the passes that produce it first", e.getMessage());
        // infer-shapes brings it there
        new PassManager(PassRegistry.parse("infer-shapes,fold-batchnorm"), PassManager.Options.defaults(), new PrintWriter(new StringWriter()))
                .run(model(0), Stage.IMPORTED);
    }

    private static int count(String s, String what) { return s.split(java.util.regex.Pattern.quote(what), -1).length - 1; }
}
