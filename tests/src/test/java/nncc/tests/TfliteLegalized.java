package nncc.tests;

import java.io.PrintWriter;
import java.io.Writer;
import nncc.ir.Graph;
import nncc.passes.PassManager;
import nncc.passes.PassRegistry;
import nncc.passes.Stage;

/** A lowered graph as {@code compile --target tpu} hands it to the TFLite writer: after the tflite-legalize passes. */
final class TfliteLegalized {
    private TfliteLegalized() {}

    /** A copy of {@code g} in TFLite's layout and numbers (NHWC, SAME/VALID pads, MEAN's multiplier). */
    static Graph of(Graph g) {
        Graph c = g.copy();
        new PassManager(PassRegistry.parse("tflite-legalize"), PassManager.Options.defaults(), new PrintWriter(Writer.nullWriter()))
                .run(c, Stage.LOWERED);
        return c;
    }
}
