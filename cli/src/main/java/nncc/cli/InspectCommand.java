package nncc.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import nncc.ir.Graph;
import nncc.ir.GraphStats;
import nncc.ir.Value;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nncc inspect MODEL}: inputs, outputs, op counts, parameters, MACs and size. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a model's inputs, outputs, ops, parameters, MACs and size.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (.onnx, .tflite or .nnir).")
    Path model;

    @Spec CommandSpec spec;

    @Override public Integer call() {
        Graph g = ModelLoader.load(model);
        GraphStats s = GraphStats.of(g);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("model:      %s (graph %s)%n", model, g.name());
        for (Value v : g.inputs()) out.printf("input:      %-24s %s%n", v.name(), v.type());
        for (Value v : g.outputs()) out.printf("output:     %-24s %s%n", v.name(), v.type());
        out.printf("nodes:      %d%n", g.nodes().size());
        out.printf("parameters: %,d (%s in %d constants)%n", s.parameters(), human(s.parameterBytes()), g.constants().size());
        out.printf("MACs:       %,d per sample%n", s.macs());
        out.println("ops:");
        for (Map.Entry<String, Integer> e : s.opCounts().entrySet()) out.printf("  %-22s %d%n", e.getKey(), e.getValue());
        out.flush();
        return 0;
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format("%.1f KiB", bytes / 1024.0);
        return String.format("%.2f MiB", bytes / (1024.0 * 1024.0));
    }
}
