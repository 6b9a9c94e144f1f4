package nncc.cli.report;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nncc.cli.report.QuantReportData.Layer;
import nncc.passes.analysis.LayerError;
import nncc.ir.Graph;
import nncc.passes.analysis.LayerErrorMeter;
import nncc.ir.GraphStats;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.Add;
import nncc.ir.op.Conv;
import nncc.ir.op.ConvTranspose;
import nncc.ir.op.Gemm;
import nncc.ir.op.Mul;
import nncc.ir.op.Op;
import nncc.ir.op.Sub;
import nncc.ir.text.IrPrinter;
import nncc.passes.PassManager;
import nncc.passes.calib.CalibrationResult;
import nncc.passes.calib.Range;

/** Assembles a {@link QuantReportData} from the graphs of a quantization run and the measured errors. */
public final class QuantReportBuilder {
    private static final String KEPT_IN_FLOAT = "kept in float: node ";

    private QuantReportBuilder() {}

    /**
     * What quantization produced.
     *
     * @param model the model file name
     * @param scheme the scheme's name
     * @param floatGraph the prepared float graph the quantized graph was made from
     * @param quantGraph the quantized graph
     * @param calibration calibration's result, or null for schemes without calibration
     * @param steps every pass run, for the fallback list
     * @param weightBits the weight grid's width
     */
    public record Input(String model, String scheme, Graph floatGraph, Graph quantGraph, CalibrationResult calibration,
                        List<PassManager.Step> steps, int weightBits) {}

    /** What was measured; {@code errors} is empty and {@code errorSamples} 0 when no samples were run. */
    public record Measurements(Map<String, LayerError> errors, int errorSamples, String errorSource,
                               QuantReportData.Top1 top1, List<QuantReportData.Timing> timings) {}

    public static QuantReportData build(Input in, Measurements m) {
        CalibrationResult cal = in.calibration();
        List<Layer> layers = new ArrayList<>();
        Map<String, Node> floatProducers = producers(in.floatGraph()), quantProducers = producers(in.quantGraph());
        LayerErrorMeter.shared(in.floatGraph(), in.quantGraph()).forEach((name, v) -> {
            Node qn = quantProducers.get(name), fn = floatProducers.get(name);
            CalibrationResult.ValueCalibration vc = cal == null ? null : cal.value(name);
            layers.add(new Layer(name, qn == null ? QuantReportData.INPUT_NODE : qn.name(),
                    fn == null ? "input" : opText(fn.op()), qn == null ? "input" : qn.op().opName(),
                    v.type().dtype().text(), v.type().quant(), grid(v.type()),
                    vc == null ? null : vc.observed(), vc == null ? null : vc.range(),
                    vc == null ? null : vc.histogram(), m.errors().get(name)));
        });
        return new QuantReportData(in.model(), in.scheme(), cal == null ? null : cal.observer().text(),
                cal == null ? 0 : cal.samples(), sizes(in.floatGraph(), in.quantGraph()), layers,
                WeightStatistics.of(in.floatGraph(), in.quantGraph(), in.weightBits()), fallbacks(in.steps()),
                m.errorSamples(), m.errorSource(), m.top1(), m.timings());
    }

    private static Map<String, Node> producers(Graph g) {
        Map<String, Node> r = new HashMap<>();
        for (Node n : g.nodes()) for (Value v : n.outputs()) r.put(v.name(), n);
        return r;
    }

    /** The op's name with its fused activation, e.g. {@code Conv+relu}. */
    static String opText(Op op) {
        Activation a = switch (op) {
            case Conv c -> c.activation();
            case ConvTranspose c -> c.activation();
            case Gemm g -> g.activation();
            case Add x -> x.activation();
            case Sub x -> x.activation();
            case Mul x -> x.activation();
            default -> Activation.NONE;
        };
        return a == null || a == Activation.NONE ? op.opName() : op.opName() + "+" + a.name().toLowerCase();
    }

    /** The reals a per-tensor integer grid represents, or null. */
    private static Range grid(TensorType t) {
        QuantParams q = t.quant();
        if (q == null || q.isPerAxis() || !t.dtype().isInteger()) return null;
        double s = q.scale(0);
        long zp = q.zeroPoint(0);
        return new Range(s * (t.dtype().minValue() - zp), s * (t.dtype().maxValue() - zp));
    }

    private static QuantReportData.Sizes sizes(Graph f, Graph q) {
        return new QuantReportData.Sizes(GraphStats.of(f).parameterBytes(), GraphStats.of(q).parameterBytes(),
                IrPrinter.print(f).getBytes(StandardCharsets.UTF_8).length, IrPrinter.print(q).getBytes(StandardCharsets.UTF_8).length,
                f.nodes().size(), q.nodes().size());
    }

    /** The nodes lowering kept in float, with the reason, from the passes' statistics: {@code 'name' (Op): why}. */
    private static List<String> fallbacks(List<PassManager.Step> steps) {
        List<String> r = new ArrayList<>();
        for (PassManager.Step s : steps)
            for (String k : s.result().statistics().keySet())
                if (k.startsWith(KEPT_IN_FLOAT)) r.add(k.substring(KEPT_IN_FLOAT.length()));
        return r;
    }
}
