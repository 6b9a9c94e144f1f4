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

    /** Which arithmetic an imported TFLite file's int8 ops state (the file itself holds none). */
    enum TfliteArithmetic { reference, runtime }

    @Option(names = "--tflite-arithmetic", paramLabel = "reference|runtime", defaultValue = "reference",
            description = "For a .tflite MODEL: 'reference' (default) computes as TFLite's reference kernels and TFLite Micro;"
                    + " 'runtime' as the TFLite runtime with its XNNPACK delegate (float32 conv/FC requantization, XNNPACK's"
                    + " ADD and MEAN), what tflite-run computes.")
    TfliteArithmetic tfliteArithmetic;

    @Override public Integer call() {
        Outputs.requireNotInput(output, model);
        Graph g = tfliteArithmetic == TfliteArithmetic.runtime ? ModelLoader.loadTflite(model, nncc.ir.Rounding.ONNX_FLOAT32) : ModelLoader.load(model);
        Outputs.writeText(output, IrPrinter.print(g));
        return 0;
    }
}
