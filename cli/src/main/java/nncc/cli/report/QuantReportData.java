package nncc.cli.report;

import java.util.Comparator;
import java.util.List;
import nncc.ir.QuantParams;
import nncc.passes.calib.CalibrationResult.HistogramSummary;
import nncc.passes.analysis.LayerError;
import nncc.passes.calib.Range;

/**
 * Everything a quantization report shows, measured once and rendered as HTML and as a Markdown summary:
 * sizes, per-layer ranges, parameters and errors, weight statistics, fallbacks, accuracy and timings. Layers and
 * weights are in graph order; nothing here depends on the clock except {@link #timings()}.
 *
 * @param model the model file name
 * @param scheme int8, int16x8, fp16 or dynamic
 * @param observer the calibration observer, or null when the scheme does not calibrate
 * @param calibrationSamples samples calibration saw (0 without calibration)
 * @param errorSamples samples the per-layer errors were measured on (0 when not measured)
 * @param errorSource where those samples came from, for the text
 * @param top1 float and quantized accuracy, or null when no evaluation data was given
 */
public record QuantReportData(String model, String scheme, String observer, int calibrationSamples, Sizes sizes,
                              List<Layer> layers, List<WeightStats> weights, List<String> fallbacks,
                              int errorSamples, String errorSource, Top1 top1, List<Timing> timings) {
    public QuantReportData {
        layers = List.copyOf(layers);
        weights = List.copyOf(weights);
        fallbacks = List.copyOf(fallbacks);
        timings = List.copyOf(timings);
    }

    /** Parameter bytes, .nnir text bytes and node counts of the float (prepared) and the quantized graph. */
    public record Sizes(long floatParameterBytes, long quantParameterBytes, long floatTextBytes, long quantTextBytes,
                        int floatNodes, int quantNodes) {
        public double parameterRatio() { return (double) floatParameterBytes / Math.max(1, quantParameterBytes); }

        public double textRatio() { return (double) floatTextBytes / Math.max(1, quantTextBytes); }
    }

    /**
     * One quantized value with a float counterpart of the same name.
     *
     * @param value the value's name (shared by both graphs)
     * @param node the node producing it in the quantized graph ({@code "(input)"} for a graph input)
     * @param floatOp the producing op in the float graph, with its fused activation, e.g. {@code Conv+relu}
     * @param quantOp the producing op in the quantized graph, e.g. {@code QConv}
     * @param dtype the quantized value's element type, e.g. {@code i8}
     * @param quant its quantization parameters, or null for a float value (fp16, dynamic)
     * @param grid the reals its integer grid represents, {@code scale * (qmin - zp)} to {@code scale * (qmax - zp)},
     *             or null without parameters
     * @param observed the range calibration saw, or null
     * @param chosen the range the observer chose, or null
     * @param histogram calibration's histogram of the float value, or null
     * @param error the measured error, or null when not measured
     */
    public record Layer(String value, String node, String floatOp, String quantOp, String dtype, QuantParams quant,
                        Range grid, Range observed, Range chosen, HistogramSummary histogram, LayerError error) {
        /** The SQNR in dB, or NaN when not measured. */
        public double sqnr() { return error == null ? Double.NaN : error.sqnrDb(); }

        public boolean isInput() { return node.equals(INPUT_NODE); }

        /** The name a person knows the layer by: its node, or the value for graph inputs. */
        public String displayName() { return node.equals(INPUT_NODE) ? value : node; }
    }

    /** The pseudo node name of graph inputs. */
    public static final String INPUT_NODE = "(input)";

    /**
     * Error of a quantized value against its float counterpart over all measured elements:
     * {@code SQNR = 10 log10(sum x^2 / sum (x - x')^2)}; +infinity when the two agree exactly.
     */

    /**
     * One quantized weight tensor.
     *
     * @param name the constant's name
     * @param layer the node that reads it
     * @param dtype its stored element type
     * @param count number of weights
     * @param maxAbs the largest float magnitude
     * @param minScale smallest scale (NaN for float16 weights)
     * @param medianScale median scale over channels
     * @param maxScale largest scale
     * @param channels scales count (1 for per-tensor)
     * @param qmax the largest code of the symmetric grid, e.g. 127 (0 for float16)
     * @param edgeFraction the fraction of weights stored at {@code -qmax} or {@code qmax}
     * @param sqnrDb stored weights against the float weights
     * @param histogram the float weights' histogram: in quantization steps of each weight's own channel (one bin per
     *                  code) when {@code qmax > 0}, else in real units
     */
    public record WeightStats(String name, String layer, String dtype, long count, double maxAbs, double minScale,
                              double medianScale, double maxScale, int channels, long qmax, double edgeFraction,
                              double sqnrDb, Bins histogram) {}

    /** Equal-width histogram bins over {@code [lo, hi]}. */
    public record Bins(double lo, double hi, long[] counts) {
        public Bins {
            counts = counts.clone();
        }

        @Override public long[] counts() { return counts.clone(); }

        public double width() { return (hi - lo) / counts.length; }
    }

    /** Top-1 of the float and the quantized model on {@code count} labelled samples from {@code source}. */
    /**
     * Top-1 of the float and the quantized model on the evaluation samples; {@code changed} = samples whose
     * predicted class differs between the two, {@code tiedRows} = samples whose quantized scores have a tied top.
     */
    public record Top1(double floatTop1, double quantTop1, int count, String source, int changed, int tiedRows) {
        public double deltaPoints() { return 100 * (quantTop1 - floatTop1); }
    }

    /** A wall-clock time, the one part of a report that differs between runs. */
    public record Timing(String what, long nanos) {}

    /** Measured layers, lowest SQNR first (ties in graph order). */
    public List<Layer> rankedByError() {
        return layers.stream().filter(l -> l.error() != null)
                .sorted(Comparator.comparingDouble(Layer::sqnr)).toList();
    }

    /** The measured layer with the lowest SQNR, or null. */
    public Layer worstLayer() {
        List<Layer> r = rankedByError();
        return r.isEmpty() ? null : r.get(0);
    }

    /** Mean SQNR in dB over the measured node outputs (not graph inputs) with a finite SQNR; NaN when none. */
    public double meanSqnr() {
        return layers.stream().filter(l -> !l.isInput()).mapToDouble(Layer::sqnr).filter(Double::isFinite).average().orElse(Double.NaN);
    }

    /** How many node outputs (not graph inputs) have a measured error. */
    public long measuredLayers() { return layers.stream().filter(l -> l.error() != null && !l.isInput()).count(); }
}
