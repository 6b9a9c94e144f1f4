package nncc.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.Value;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nncc run MODEL --input X.npy ... --output Y.npy}: runs the CPU reference on the inputs. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a model on .npy inputs with the CPU reference.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (.onnx, .tflite or .nnir).")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "X.npy", description = "Input tensors, in graph-input order.")
    List<Path> inputs;

    @Option(names = "--output", paramLabel = "Y.npy", description = "Where to write output 0.")
    Path output;

    @Option(names = "--output-dir", paramLabel = "DIR", description = "Write every output as DIR/<name>.npy.")
    Path outputDir;

    @Option(names = "--trace", paramLabel = "DIR",
            description = "Write every intermediate tensor as DIR/<step>_<value>.npy (quantized ones also as <step>_<value>.dequant.npy); DIR is created if missing.")
    Path traceDir;

    @Option(names = "--threads", defaultValue = "2", description = "Worker threads for batches (default: ${DEFAULT-VALUE}).")
    int threads;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--raw", description = "Integer models: take and give the model's own integer tensors (no quantize/dequantize).")
    boolean raw;

    @Override public Integer call() throws IOException {
        if (output == null && outputDir == null) throw new CliException("give --output Y.npy and/or --output-dir DIR");
        if (outputDir != null && !Files.isDirectory(outputDir)) throw new CliException(outputDir + ": --output-dir is not a directory");
        if (traceDir != null && Files.exists(traceDir) && !Files.isDirectory(traceDir)) throw new CliException(traceDir + ": --trace is not a directory");
        Path[] sourcesAndModel = new Path[inputs.size() + 1];
        for (int i = 0; i < inputs.size(); i++) sourcesAndModel[i] = inputs.get(i);
        sourcesAndModel[inputs.size()] = model;
        Outputs.requireNotInput(output, sourcesAndModel);
        Graph g = ModelLoader.loadLowered(model);
        List<Tensor> xs = new ArrayList<>();
        String[] sources = new String[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            xs.add(DataFiles.read(inputs.get(i)));
            sources[i] = inputs.get(i).toString();
        }
        xs = QuantIO.inputs(g, xs, raw);
        BatchRunner runner = new BatchRunner(g, threads);
        BatchRunner.Plan plan = runner.plan(xs, sources, 256);
        List<Tensor> ys;
        if (traceDir != null) {
            if (plan.batched()) throw new CliException("--trace needs inputs the model takes in one run (no batch splitting)");
            List<Object[]> traced = new ArrayList<>();
            AtomicInteger step = new AtomicInteger();
            ys = runner.interpreter().run(xs, (Node n, List<Tensor> outs) -> {
                int k = step.getAndIncrement();
                for (int o = 0; o < outs.size(); o++) {
                    Value v = n.outputs().get(o);
                    String base = String.format("%04d_%s", k, safe(v.name()));
                    traced.add(new Object[] {base + ".npy", outs.get(o)});
                    if (v.type().dtype().isInteger() && v.type().quant() != null && !v.type().quant().isPerAxis())
                        traced.add(new Object[] {base + ".dequant.npy", QuantIO.outputs(single(v), List.of(outs.get(o)), false).get(0)});
                }
            });
            for (Object[] t : traced) Outputs.requireNotInput(traceDir.resolve((String) t[0]), sourcesAndModel);
            Files.createDirectories(traceDir); // made once the run succeeded, so a failed run leaves nothing behind
            for (Object[] t : traced) Outputs.writeNpy(traceDir.resolve((String) t[0]), (Tensor) t[1]);
        } else {
            ys = runner.run(xs, plan, n -> { });
        }
        ys = QuantIO.outputs(g, ys, raw);
        for (int i = 0; i < ys.size(); i++) {
            NonFinite.Count bad = NonFinite.count(ys.get(i));
            if (bad.total() > 0)
                spec.commandLine().getErr().println("nncc: warning: output '" + g.outputs().get(i).name() + "' holds "
                        + NonFinite.describe(bad, ys.get(i).numElements()));
        }
        spec.commandLine().getErr().flush();
        if (outputDir != null)
            for (Value v : g.outputs()) Outputs.requireNotInput(outputDir.resolve(safe(v.name()) + ".npy"), sourcesAndModel);
        if (output != null) Outputs.writeNpy(output, ys.get(0));
        if (outputDir != null)
            for (int i = 0; i < ys.size(); i++) {
                Value v = g.outputs().get(i);
                Outputs.writeNpy(outputDir.resolve(safe(v.name()) + ".npy"), ys.get(i));
            }
        return 0;
    }

    /** A graph whose only output is {@code v}, to dequantize a traced tensor with {@link QuantIO}. */
    private static Graph single(Value v) {
        Graph g = new Graph("trace");
        g.addOutput(v);
        return g;
    }

    /** A file-name-safe form of a value name. */
    static String safe(String name) { return name.replaceAll("[^A-Za-z0-9_.-]", "_"); }
}
