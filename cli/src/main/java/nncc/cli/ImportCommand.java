package nncc.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import nncc.ir.Graph;
import nncc.ir.text.IrPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nncc import MODEL -o OUT.nnir}: converts a model to the text IR. */
@Command(name = "import", mixinStandardHelpOptions = true, description = "Import an ONNX model (or .nnir) and write it as text IR.")
final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (.onnx, .tflite or .nnir).")
    Path model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.nnir", description = "Where to write the text IR.")
    Path output;

    @Override public Integer call() {
        Outputs.requireNotInput(output, model);
        Graph g = ModelLoader.load(model);
        Outputs.writeText(output, IrPrinter.print(g));
        return 0;
    }
}
