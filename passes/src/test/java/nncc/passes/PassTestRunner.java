package nncc.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;

/**
 * Runs one {@link PassTestCase}: parses its graph, runs the pipeline with the verifier after every pass, and
 * checks the printed result against the CHECK lines, the expected error, and the interpreter before and after.
 * Failures are JUnit assertion errors naming the file and line.
 */
final class PassTestRunner {
    /** Symbolic input dims are bound to this size for the interpreter comparison. */
    static final int BATCH = 3;

    private PassTestRunner() {}

    static void run(PassTestCase c) {
        Graph input = IrParser.parse(c.text(), c.title());
        Graph g = input.copy(); // nodes, values and tensors are immutable: the copy keeps the input intact
        Stage stage = c.stage() != null ? Stage.parse(c.stage()) : Stage.of(g);
        PassManager.Options options = new PassManager.Options(true, false, Set.of(), false, false, null);
        StringWriter log = new StringWriter();
        if (c.expectedError() != null) {
            ModelException e = assertThrows(ModelException.class,
                    () -> new PassManager(PassRegistry.parse(c.passes()), options, new PrintWriter(log)).run(g, stage),
                    c.title() + ": expected an error containing '" + c.expectedError() + "'; output:\n" + IrPrinter.print(g));
            assertTrue(e.getMessage().contains(c.expectedError()),
                    c.title() + ": error '" + e.getMessage() + "' does not contain '" + c.expectedError() + "'");
            return;
        }
        assertTrue(!c.checks().isEmpty() || c.interp() != null, c.title() + ": a case needs CHECK lines or RUN-INTERP");
        new PassManager(PassRegistry.parse(c.passes()), options, new PrintWriter(log)).run(g, stage);
        String out = IrPrinter.print(g);
        IrParser.parse(out, c.title() + " (result)"); // the result is valid text IR
        String failure = FileCheck.check(out, c.checks());
        if (failure != null) fail(c.file() + ": " + failure + "\n--- result of " + c.title() + " ---\n" + out);
        if (c.interp() != null) compareInterpreters(c, input, g);
    }

    /** Runs both graphs on the same seeded random inputs and compares every output. */
    static void compareInterpreters(PassTestCase c, Graph before, Graph after) {
        List<Tensor> inputs = randomInputs(before, new Random(20240 + c.index()));
        assertEquals(before.outputs().stream().map(Value::name).toList(), after.outputs().stream().map(Value::name).toList(),
                c.title() + ": graph output names changed");
        List<Tensor> afterInputs = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) afterInputs.add(toNhwcIfMoved(inputs.get(i), before.inputs().get(i), after.inputs().get(i)));
        List<Tensor> want = new Interpreter(before).run(inputs), got = new Interpreter(after).run(afterInputs);
        for (int i = 0; i < want.size(); i++) {
            String what = c.title() + ": output %" + before.outputs().get(i).name();
            Tensor w = toNhwcIfMoved(want.get(i), before.outputs().get(i), after.outputs().get(i)), o = got.get(i);
            assertEquals(w.type(), o.type(), what);
            if (c.interp().exact()) {
                assertEquals(w, o, what + " differs bitwise");
                continue;
            }
            double[] a = w.toDoubles(), b = o.toDoubles();
            for (int k = 0; k < a.length; k++)
                if (!(Math.abs(a[k] - b[k]) <= c.interp().tolerance() * Math.max(1, Math.abs(a[k]))))
                    fail(what + " element " + k + ": before " + a[k] + ", after " + b[k] + " (tolerance "
                            + c.interp().tolerance() + " relative, absolute below 1)");
        }
    }

    /** {@code t} permuted to NHWC when the passes moved value {@code was} to NHWC ({@code now}), else {@code t}. */
    private static Tensor toNhwcIfMoved(Tensor t, Value was, Value now) {
        if (was.type().rank() != 4 || was.type().shape().equals(now.type().shape())
                || !nncc.ir.op.Layout.permute(was.type().shape(), nncc.ir.op.Layout.TO_NHWC).equals(now.type().shape())) return t;
        return nncc.ir.op.Layout.permute(t, nncc.ir.op.Layout.TO_NHWC);
    }

    /** Inputs for every graph input: floats uniform in [-3, 3), integers in [-100, 100] clipped to the type. */
    static List<Tensor> randomInputs(Graph g, Random rnd) {
        List<Tensor> r = new ArrayList<>();
        for (Value v : g.inputs()) {
            Shape s = v.type().shape().bindSymbols(BATCH);
            int n = Math.toIntExact(s.numElements());
            DType t = v.type().dtype();
            if (t.isFloat()) {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) f[i] = rnd.nextFloat() * 6 - 3;
                r.add(Tensor.ofFloats(t, s, f));
            } else {
                long lo = Math.max(t.minValue(), -100), hi = Math.min(t.maxValue(), 100);
                long[] l = new long[n];
                for (int i = 0; i < n; i++) l[i] = lo + rnd.nextLong(hi - lo + 1);
                r.add(Tensor.ofLongs(t, s, l));
            }
        }
        return r;
    }
}
