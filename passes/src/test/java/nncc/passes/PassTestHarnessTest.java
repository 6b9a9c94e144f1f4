package nncc.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nncc.ir.Graph;
import nncc.ir.text.IrParser;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The pass test harness itself: it must fail on a wrong CHECK, a missing or different error, a numeric change. */
class PassTestHarnessTest {
    private static final String GRAPH = """
            graph @g {
              input %x : f32[?N,2]
              node @id = Identity (%x) -> (%i : f32[?N,2])
              node @relu = Relu (%i) -> (%y : f32[?N,2])
              output %y
            }
            """;

    private static PassTestCase single(String body) {
        List<PassTestCase> cases = PassTestCase.parseFile("t.nnir", "// RUN: --passes remove-noops\n" + body);
        assertEquals(1, cases.size());
        return cases.get(0);
    }

    @Test void splitsCasesWithLineNumbersAndRunOverrides() {
        String text = "// RUN: --passes remove-noops\n" + GRAPH + "// CHECK: Relu\n// -----\n"
                + "// RUN: --passes fold-batchnorm{require-all = true} --stage bn-folded\n// RUN-INTERP: float 1e-3\n" + GRAPH
                + "  // -----  \n// expected-error: boom\n// RUN-INTERP: exact\n" + GRAPH;
        List<PassTestCase> cases = PassTestCase.parseFile("t.nnir", text);
        assertEquals(3, cases.size());
        assertEquals(1, cases.get(0).firstLine());
        assertEquals(10, cases.get(1).firstLine());
        assertEquals("remove-noops", cases.get(0).passes());
        assertNull(cases.get(0).stage());
        assertEquals("fold-batchnorm{require-all = true}", cases.get(1).passes());
        assertEquals("bn-folded", cases.get(1).stage());
        assertEquals(new PassTestCase.Interp(false, 1e-3), cases.get(1).interp());
        assertEquals("boom", cases.get(2).expectedError());
        assertEquals(new PassTestCase.Interp(true, 0), cases.get(2).interp());
        assertEquals(1, cases.get(0).checks().size());
        assertEquals(8, cases.get(0).checks().get(0).line());
    }

    @Test void passingCaseRuns() {
        PassTestRunner.run(single(GRAPH + "// CHECK: node @relu = Relu (%x)\n// CHECK-NOT: Identity\n// RUN-INTERP: exact\n"));
    }

    @Test void wrongCheckFails() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> PassTestRunner.run(single(GRAPH + "// CHECK: node @relu = Relu (%i)\n")));
        assertTrue(e.getMessage().contains("t.nnir: line 8: CHECK 'node @relu = Relu (%i)' not found"), e.getMessage());
    }

    @Test void missingOrDifferentErrorFails() {
        assertThrows(AssertionFailedError.class, () -> PassTestRunner.run(single(GRAPH + "// expected-error: anything\n")));
        PassTestCase unknown = PassTestCase.parseFile("t.nnir", "// RUN: --passes nope\n// expected-error: other words\n" + GRAPH).get(0);
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> PassTestRunner.run(unknown));
        assertTrue(e.getMessage().contains("does not contain 'other words'"), e.getMessage());
        PassTestRunner.run(PassTestCase.parseFile("t.nnir", "// RUN: --passes nope\n// expected-error: unknown pass 'nope'\n" + GRAPH).get(0));
    }

    @Test void caseWithoutChecksFails() {
        assertThrows(AssertionFailedError.class, () -> PassTestRunner.run(single(GRAPH)));
    }

    @Test void interpreterComparisonSeesANumericChange() {
        PassTestCase c = single(GRAPH + "// RUN-INTERP: float 1e-3\n");
        Graph before = IrParser.parse(GRAPH, "before");
        Graph changed = IrParser.parse(GRAPH.replace("Relu (%i)", "Sigmoid (%i)"), "after");
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> PassTestRunner.compareInterpreters(c, before, changed));
        assertTrue(e.getMessage().contains("output %y element"), e.getMessage());
        Graph renamed = IrParser.parse(GRAPH.replace("%y", "%z"), "after");
        assertThrows(AssertionFailedError.class, () -> PassTestRunner.compareInterpreters(c, before, renamed));
        PassTestRunner.compareInterpreters(c, before, IrParser.parse(GRAPH, "same"));
    }

    @Test void badRunLinesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> PassTestCase.parseFile("t.nnir", GRAPH));
        assertThrows(IllegalArgumentException.class, () -> PassTestCase.parseFile("t.nnir", "// RUN: --pases x\n" + GRAPH));
        assertThrows(IllegalArgumentException.class, () -> PassTestCase.parseFile("t.nnir", "// RUN: --passes x\n// RUN-INTERP: close\n" + GRAPH));
    }
}
