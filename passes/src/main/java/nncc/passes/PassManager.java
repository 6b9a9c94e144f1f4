package nncc.passes;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Verifier;
import nncc.ir.text.IrPrinter;

/**
 * Runs a pipeline of passes over a graph: checks each pass's stage, verifies the graph after each pass that changed it, and
 * offers MLIR's debugging aids (print the IR after all passes, after a named pass, or after a pass that
 * changed something; pass statistics; a {@code .nnir} reproducer of the failing pass's input). The reproducer starts
 * with a {@code // RUN:} line naming the pass and stage, so it can be replayed with {@code nncc opt} or dropped into a
 * text-IR pass test. A pass that throws something other than a {@link ModelException} (a bug) stays an internal
 * error, its message naming the reproducer.
 */
public final class PassManager {
    /** Debugging and checking options. {@code reproducerDir} null means no reproducer is written. */
    public record Options(boolean verifyEach, boolean printAfterAll, Set<String> printAfter, boolean printAfterChange,
                          boolean statistics, Path reproducerDir) {
        public Options {
            printAfter = Set.copyOf(printAfter);
        }

        public static Options defaults() { return new Options(true, false, Set.of(), false, false, null); }
    }

    /** One pass's outcome in a run. */
    public record Step(String pass, PassResult result, long nanos) {}

    private final List<Pass> pipeline;
    private final Options options;
    private final PrintWriter log;

    public PassManager(List<Pass> pipeline, Options options, PrintWriter log) {
        this.pipeline = List.copyOf(pipeline);
        this.options = options;
        this.log = log;
    }

    /** Runs every pass in order on {@code g} (in place), starting at {@code stage}; returns the steps. */
    public List<Step> run(Graph g, Stage stage) {
        List<Step> steps = new ArrayList<>();
        Stage current = stage;
        for (Pass p : pipeline) {
            if (p.requires().compareTo(current) > 0)
                throw new ModelException(null, null, "pass '" + p.name() + "' needs the graph at stage " + p.requires().text()
                        + " but it is at " + current.text() + "; run the passes that produce it first");
            Graph before = options.reproducerDir() != null ? g.copy() : null;
            long t0 = System.nanoTime();
            PassResult r;
            try {
                r = p.run(g);
            } catch (ModelException e) {
                throw withReproducer(e, p, current, before);
            } catch (RuntimeException e) {
                throw crashed(e, p, current, before);
            }
            if (options.verifyEach() && r.changed()) { // a pass that changed nothing left the graph as valid as it was
                try {
                    Verifier.verify(g);
                } catch (ModelException e) {
                    ModelException invalid = new ModelException(e.file(), e.node(),
                            "the graph is invalid after pass '" + p.name() + "': " + e.getRawMessage(), e);
                    throw withReproducer(invalid, p, current, before);
                }
            }
            steps.add(new Step(p.name(), r, System.nanoTime() - t0));
            if (p.produces().compareTo(current) > 0) current = p.produces();
            boolean print = options.printAfterAll() || options.printAfter().contains(p.name())
                    || (options.printAfterChange() && r.changed());
            if (print) {
                log.println("// ----- IR after " + p.name() + (r.changed() ? "" : " (unchanged)") + " -----");
                log.print(IrPrinter.print(g));
                log.flush();
            }
        }
        if (options.statistics()) printStatistics(steps);
        return steps;
    }

    private ModelException withReproducer(ModelException e, Pass p, Stage stage, Graph input) {
        Path file = writeReproducer(p, stage, input, e.getMessage());
        if (file == null) return e;
        return new ModelException(e.file(), e.node(), e.getRawMessage() + " (reproducer: " + file + ")", e);
    }

    /** A pass that threw something other than a ModelException has a bug: keep it an internal error, with a reproducer. */
    private RuntimeException crashed(RuntimeException e, Pass p, Stage stage, Graph input) {
        Path file = writeReproducer(p, stage, input, e.toString());
        if (file == null) return e;
        return new IllegalStateException("pass '" + p.name() + "' crashed: " + e + " (reproducer: " + file + ")", e);
    }

    /**
     * Writes the failing pass's input as {@code nncc-reproducer-<pass>.nnir} with a {@code // RUN:} line that replays
     * it (the pass test format); returns the file, or null when there is no reproducer directory or writing failed.
     */
    private Path writeReproducer(Pass p, Stage stage, Graph input, String error) {
        if (input == null) return null;
        try {
            Path dir = options.reproducerDir();
            Files.createDirectories(dir);
            Path file = dir.resolve("nncc-reproducer-" + p.name() + ".nnir");
            Files.writeString(file, "// RUN: --passes " + p.name() + " --stage " + stage.text() + "\n"
                    + "// input of pass '" + p.name() + "', which failed with: " + error.replace('\n', ' ') + "\n"
                    + IrPrinter.print(input));
            return file;
        } catch (IOException | RuntimeException io) {
            return null;
        }
    }

    private void printStatistics(List<Step> steps) {
        log.println("===-------------------------------------------------------------===");
        log.println("                       ... Pass statistics report ...");
        log.println("===-------------------------------------------------------------===");
        for (Step s : steps) {
            log.printf("%s (%.1f ms)%s%n", s.pass(), s.nanos() / 1e6, s.result().changed() ? "" : " - unchanged");
            s.result().statistics().forEach((k, v) -> log.printf("  (S) %8d %s%n", v, k));
        }
        log.flush();
    }
}
