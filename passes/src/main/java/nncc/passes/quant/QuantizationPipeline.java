package nncc.passes.quant;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Rounding;
import nncc.passes.Pass;
import nncc.passes.PassManager;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * The quantization schemes as pass pipelines, for {@code nncc quantize}: {@code int8} and {@code int16x8}
 * (fold-scales, insert-requantize, then lower-integer, on a calibrated graph), {@code fp16} (convert-fp16) and {@code dynamic}
 * (quantize-dynamic), each run through a {@link PassManager} on a copy of the given graph.
 */
public final class QuantizationPipeline {
    private QuantizationPipeline() {}

    /** A quantization scheme by its command-line name. */
    public enum Scheme {
        INT8("int8"), INT16X8("int16x8"), FP16("fp16"), DYNAMIC("dynamic");

        private final String text;

        Scheme(String text) { this.text = text; }

        public String text() { return text; }

        /** Whether the scheme needs a calibrated graph (quantization plans on its float values). */
        public boolean needsCalibration() { return this == INT8 || this == INT16X8; }

        public static Scheme parse(String s) {
            for (Scheme k : values()) if (k.text.equals(s.toLowerCase(Locale.ROOT))) return k;
            throw new ModelException("unknown quantization scheme '" + s + "' (known: int8, int16x8, fp16, dynamic)");
        }
    }

    /**
     * Options of the schemes: weight bits (2..8) and per-tensor weights (int8, int16x8, dynamic), nodes kept in
     * float (int8, int16x8, dynamic), the requantization rounding and a float interface (int8, int16x8).
     */
    public record Options(int weightBits, boolean perTensor, Set<String> exclude, Rounding rounding, boolean floatInterface,
                          boolean perTensorFullyConnected) {
        public Options {
            if (weightBits < 2 || weightBits > 8) throw new ModelException("weight bits must be in 2..8, got " + weightBits);
            exclude = Set.copyOf(exclude);
            java.util.Objects.requireNonNull(rounding, "rounding");
        }

        /** Fully connected weights follow {@code perTensor} like every other layer's. */
        public Options(int weightBits, boolean perTensor, Set<String> exclude, Rounding rounding, boolean floatInterface) {
            this(weightBits, perTensor, exclude, rounding, floatInterface, false);
        }

        /** These options with fully connected weights per tensor ({@code true}) or as {@code perTensor} says. */
        public Options withPerTensorFullyConnected(boolean on) {
            return new Options(weightBits, perTensor, exclude, rounding, floatInterface, on);
        }

        public static Options defaults() { return new Options(8, false, Set.of(), Rounding.DOUBLE_ROUND, false); }
    }

    /** The quantized graph and what each pass did, in order. */
    public record Result(Graph graph, List<PassManager.Step> steps) {
        /** Each pass's result by pass name. */
        public Map<String, PassResult> results() {
            Map<String, PassResult> m = new LinkedHashMap<>();
            for (PassManager.Step s : steps) m.put(s.pass(), s.result());
            return m;
        }
    }

    /** The passes of a scheme. */
    public static List<Pass> passes(Scheme scheme, Options o) {
        return switch (scheme) {
            case INT8, INT16X8 -> {
                DType act = scheme == Scheme.INT8 ? DType.I8 : DType.I16;
                // onnx_float32: lowered in single rounding, then legalized into ONNX Runtime's float arithmetic
                boolean onnx = o.rounding() == Rounding.ONNX_FLOAT32;
                Pass lower = new LowerToIntegerPass(new LowerToIntegerPass.Options(act, o.weightBits(), o.perTensor(),
                        onnx ? Rounding.SINGLE_ROUND : o.rounding(), o.exclude(), o.floatInterface()));
                yield onnx ? List.of(new FoldScalesPass(new FoldScalesPass.Options(act)), new InsertRequantizePass(), lower,
                        new OnnxRoundingPass(OnnxRoundingPass.Options.uint8Storage()))
                        : List.of(new FoldScalesPass(new FoldScalesPass.Options(act)), new InsertRequantizePass(), lower);
            }
            case FP16 -> {
                if (!o.exclude().isEmpty()) throw new ModelException("the fp16 scheme converts every node; it takes no excluded nodes");
                yield List.of(new ConvertFp16Pass());
            }
            case DYNAMIC -> List.of(new DynamicRangePass(new DynamicRangePass.Options(o.weightBits(), o.perTensor(), o.exclude())));
        };
    }

    /** {@link #run(Graph, Scheme, Options, Graph, PassManager.Options, PrintWriter)} with default checks and no log. */
    public static Result run(Graph floatGraph, Scheme scheme, Options options, Graph calibrated) {
        return run(floatGraph, scheme, options, calibrated, PassManager.Options.defaults(), new PrintWriter(Writer.nullWriter()));
    }

    /**
     * Quantizes with {@code scheme}: int8 and int16x8 start from {@code calibrated} (the float graph with plans on
     * its values, required), fp16 and dynamic from {@code floatGraph}. Neither argument is modified.
     */
    public static Result run(Graph floatGraph, Scheme scheme, Options options, Graph calibrated,
                             PassManager.Options managerOptions, PrintWriter log) {
        Graph g;
        Stage stage;
        if (scheme.needsCalibration()) {
            if (calibrated == null)
                throw new ModelException("the " + scheme.text() + " scheme needs calibration data (a calibrated graph)");
            if (Stage.of(calibrated).compareTo(Stage.RANGES_ANNOTATED) < 0)
                throw new ModelException("the graph given as calibrated for " + scheme.text()
                        + " carries no quantization plans; run calibration first");
            if (Stage.of(calibrated).compareTo(Stage.RANGES_ANNOTATED) > 0)
                throw new ModelException("the graph given as calibrated for " + scheme.text() + " is already quantized");
            g = calibrated.copy();
            stage = Stage.RANGES_ANNOTATED;
        } else {
            if (floatGraph == null) throw new ModelException("the " + scheme.text() + " scheme needs the float graph");
            g = floatGraph.copy();
            stage = Stage.of(g);
        }
        List<PassManager.Step> steps = new PassManager(passes(scheme, options), managerOptions, log).run(g, stage);
        return new Result(g, steps);
    }
}
