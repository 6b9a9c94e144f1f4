package nncc.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import nncc.ir.Graph;
import nncc.ir.text.IrPrinter;
import nncc.passes.Pass;
import nncc.passes.PassContext;
import nncc.passes.PassManager;
import nncc.passes.PassRegistry;
import nncc.passes.Stage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nncc opt MODEL --passes a,b,c -o OUT.nnir}: runs graph passes (MLIR's {@code mlir-opt}) with the verifier
 * after each, the IR printing and statistics options, and a {@code .nnir} reproducer when a pass fails.
 */
@Command(name = "opt", mixinStandardHelpOptions = true, description = "Run graph passes on a model and write the result as text IR.")
final class OptCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (.onnx or .nnir).")
    Path model;

    @Option(names = "--passes", required = true, paramLabel = "a,b,c",
            description = "Passes and pipelines to run, in order; a pass may take options in braces, e.g. "
                    + "'infer-shapes{batch=1},prepare'. Pipelines: prepare = " + PassRegistry.PREPARE + ".")
    String passes;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.nnir", description = "Where to write the resulting text IR.")
    Path output;

    @Option(names = "--print-ir-after-all", description = "Print the IR after every pass (to stdout).")
    boolean printAfterAll;

    @Option(names = "--print-ir-after", split = ",", paramLabel = "PASS", description = "Print the IR after the named pass(es).")
    List<String> printAfter = new ArrayList<>();

    @Option(names = "--print-ir-after-change", description = "Print the IR after every pass that changed it.")
    boolean printAfterChange;

    @Option(names = "--pass-statistics", description = "Print each pass's counters and time.")
    boolean statistics;

    @Option(names = "--reproducer-dir", paramLabel = "DIR",
            description = "Where a failing pass's input is written as nncc-reproducer-<pass>.nnir (default: the output's directory).")
    Path reproducerDir;

    @Option(names = "--stage", paramLabel = "STAGE",
            description = "The stage the model is at, e.g. bn-folded (default: judged from its content).")
    String stage;

    @Option(names = "--plugin", paramLabel = "JAR",
            description = "A jar of third-party passes (java.util.ServiceLoader over nncc.passes.PassProvider); repeatable.")
    List<Path> plugins = new ArrayList<>();

    @Option(names = "--calib", paramLabel = "C.npy|IMAGE_DIR",
            description = "Calibration data for the passes that read it (calibrate, correct-bias).")
    Path calib;

    @Spec CommandSpec spec;

    @Override public Integer call() {
        Outputs.requireNotInput(output, model);
        PassRegistry registry = PassRegistry.builtin().withPlugins(plugins);
        if (calib != null && !Files.exists(calib)) throw new CliException(calib + ": calibration data not found");
        PassContext context = calib == null ? PassContext.none() : PassContext.withCalibration(calib, null);
        List<Pass> pipeline = registry.pipeline(passes, context);
        Set<String> names = new LinkedHashSet<>();
        pipeline.forEach(p -> names.add(p.name()));
        for (String p : printAfter)
            if (!names.contains(p))
                throw new CliException("--print-ir-after=" + p + ": no such pass in the pipeline (" + String.join(", ", names) + ")");
        Stage start = stage == null ? null : Stage.parse(stage);
        Path outDir = output.toAbsolutePath().getParent();
        if (outDir == null || !Files.isDirectory(outDir)) throw new CliException(output + ": output directory does not exist");
        Graph g = ModelLoader.load(model);
        PassManager.Options options = new PassManager.Options(true, printAfterAll, Set.copyOf(printAfter), printAfterChange,
                statistics, reproducerDir != null ? reproducerDir : outDir);
        new PassManager(pipeline, options, spec.commandLine().getOut()).run(g, start != null ? start : Stage.of(g));
        Outputs.writeText(output, IrPrinter.print(g));
        return 0;
    }
}
