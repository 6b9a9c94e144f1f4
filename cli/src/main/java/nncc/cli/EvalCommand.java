package nncc.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nncc eval MODEL --data X --labels Y}: classification accuracy (top-1, top-5) of output 0. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Classification accuracy of a model on labelled data.")
final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (.onnx or .nnir).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "X", description = "Inputs: .npy with a leading batch dim, or an IDX image file (.gz ok).")
    Path data;

    @Option(names = "--labels", required = true, paramLabel = "Y", description = "Integer class labels: .npy [N] or an IDX label file.")
    Path labels;

    @Option(names = "--batch", defaultValue = "256", description = "Samples per run (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--predictions", paramLabel = "P.npy", description = "Also write each sample's predicted class (int64 [N]; first class among tied scores).")
    Path predictions;

    @Option(names = "--threads", defaultValue = "2", description = "Worker threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Spec CommandSpec spec;

    @Override public Integer call() {
        if (batch < 1) throw new CliException("--batch must be >= 1, got " + batch);
        if (predictions != null) {
            Path dir = predictions.toAbsolutePath().getParent();
            if (dir == null || !java.nio.file.Files.isDirectory(dir)) throw new CliException(predictions + ": output directory does not exist");
        }
        Outputs.requireNotInput(predictions, model, data, labels);
        Graph g = ModelLoader.loadLowered(model);
        if (g.inputs().size() != 1) throw new CliException("eval needs a model with one input, " + model + " has " + g.inputs().size());
        Tensor x = DataFiles.read(data);
        Tensor y = DataFiles.read(labels);
        if (y.dtype().isFloat() || y.shape().rank() != 1)
            throw new ModelException(labels.toString(), null, "labels must be integer [N], got " + y.dtype().text() + y.shape());
        if (x.shape().rank() == 0 || x.shape().dim(0) != y.shape().dim(0))
            throw new ModelException(data.toString(), null, "data has " + (x.shape().rank() == 0 ? 0 : x.shape().dim(0))
                    + " samples but " + labels + " has " + y.shape().dim(0) + " labels");
        x = QuantIO.inputs(g, List.of(x), false).get(0);
        BatchRunner runner = new BatchRunner(g, threads);
        BatchRunner.Plan plan = runner.plan(List.of(x), new String[] {data.toString()}, batch);
        Tensor logits;
        try (Progress p = Progress.start("eval", x.shape().dim(0), "img")) {
            logits = QuantIO.outputs(g, runner.run(List.of(x), plan, p::step), false).get(0);
        }
        NonFinite.Count bad = NonFinite.count(logits);
        if (bad.nan() > 0)
            throw new ModelException(data.toString(), null, "the model's scores hold " + NonFinite.describe(bad, logits.numElements())
                    + "; no accuracy can be computed from them" + (NonFinite.count(x).total() > 0 ? " (the data holds NaN or infinite values)" : ""));
        Accuracy acc = Accuracy.of(logits, y.toLongs());
        if (predictions != null) Outputs.writeNpy(predictions, acc.predictionTensor());
        spec.commandLine().getOut().printf("top1=%.4f top5=%.4f (n=%d)%n", acc.top1(), acc.top5(), acc.count());
        if (acc.tiedRows() > 0)
            spec.commandLine().getOut().printf("tied top score in %d rows (counted as their first class); top1 with ties split evenly: %.4f%n",
                    acc.tiedRows(), acc.top1TiesSplit());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
