package nncc.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import nncc.ir.Graph;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import picocli.CommandLine.Option;

/**
 * The {@code --input X.npy ... [--limit N]} options of the commands that run a model sample by sample against a
 * target (golden, verify): one .npy per graph input, float samples quantized with the model's input parameters,
 * integer ones taken as they are.
 */
final class SampleInputs {
    @Option(names = "--input", required = true, paramLabel = "X.npy", description = "Samples per graph input (float: quantized with the model's input parameters; integer: as they are).")
    List<Path> inputs;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Only the first N samples (0: all).")
    int limit;

    /** Per sample (up to the limit), one batch-1 tensor per graph input of {@code g}. */
    List<List<Tensor>> samples(Graph g) throws IOException {
        if (inputs.size() != g.inputs().size()) throw new CliException("the model has " + g.inputs().size() + " inputs, got " + inputs.size() + " --input");
        List<Tensor> xs = new ArrayList<>();
        for (Path p : inputs) xs.add(Npy.read(p));
        xs = QuantIO.inputs(g, xs, false);
        int n = Math.toIntExact(xs.get(0).shape().dim(0));
        if (limit > 0) n = Math.min(n, limit);
        List<List<Tensor>> samples = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            List<Tensor> one = new ArrayList<>();
            for (Tensor x : xs) one.add(x.sliceBatch(s, s + 1));
            samples.add(one);
        }
        return samples;
    }
}
