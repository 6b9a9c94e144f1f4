package nncc.passes.quant;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.OnnxArithmetic;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.op.Op;
import nncc.ir.op.QAdd;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.QMean;
import nncc.ir.op.QMul;
import nncc.ir.op.ReduceMean;
import nncc.passes.Pass;
import nncc.passes.PassOptions;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Legalizes a lowered int8 graph for ONNX Runtime: every op that ORT runs as one quantized kernel on nncc's QDQ export
 * takes {@link Rounding#ONNX_FLOAT32}, with the float32 scales ORT computes from the tensors' scales stored in the op
 * ({@link OnnxArithmetic}), so nncc's reference computes what ORT computes. QConv and QGemm (int32 accumulators)
 * become QLinearConv / QGemm, QAdd QLinearAdd, QMul QLinearMul, a QMean over the spatial axes QLinearGlobalAveragePool,
 * QAveragePool QLinearAveragePool. Other ops (subtractions, means that ORT runs in float, i16 ops) keep their rounding.
 *
 * <pre>
 * before: %y = QConv {..., multiplier = [1518500250], shift = [-5], rounding = single_round} (%x, %w, %b)
 * after:  %y = QConv {..., multiplier = [1518500250], shift = [-5], rounding = onnx_float32, onnxScales = [0.0220971]} (%x, %w, %b)
 * </pre>
 *
 * Option {@code offset=128|0}: the shift of ORT's storage of int8 activations (128 when the export writes them as
 * uint8, the onnx target's default; 0 for int8).
 */
public final class OnnxRoundingPass implements Pass {
    public static final String NAME = "onnx-rounding";

    /** {@code offset}: 128 when int8 activations are stored as uint8 in the exported model, else 0. */
    public record Options(int offset) {
        public Options {
            if (offset != 0 && offset != 128) throw new ModelException("pass '" + NAME + "': offset must be 0 or 128, got " + offset);
        }

        /** The onnx target's export: int8 activations written as uint8. */
        public static Options uint8Storage() { return new Options(128); }

        public static Options from(PassOptions o) { return new Options((int) o.integer("offset", 128)); }
    }

    private final Options options;

    public OnnxRoundingPass(Options options) { this.options = options; }

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.LOWERED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("ops in onnx_float32", "kept: no ONNX Runtime kernel of its own");
        for (Node n : new ArrayList<>(g.nodes())) {
            Op converted = convert(n);
            if (converted == null) {
                if (n.op() instanceof QAdd || n.op() instanceof QMul || n.op() instanceof QMean) stats.inc("kept: no ONNX Runtime kernel of its own");
                continue;
            }
            g.replaceNode(n, List.of(n.withOp(converted)));
            stats.inc("ops in onnx_float32");
        }
        return stats.resultChangedBy("ops in onnx_float32");
    }

    private Op convert(Node n) {
        return switch (n.op()) {
            case QConv q when q.rounding() != Rounding.ONNX_FLOAT32 && q.accumulator() == DType.I32 ->
                    q.withOnnxScales(linearScales(n, q.outputScale()));
            case QGemm q when q.rounding() != Rounding.ONNX_FLOAT32 && q.accumulator() == DType.I32 ->
                    q.withOnnxScales(linearScales(n, q.outputScale()));
            case QAdd q when q.rounding() != Rounding.ONNX_FLOAT32 && !q.subtract() && q.outType() == DType.I8 -> {
                int off = offset(q.outType());
                float[] p = OnnxArithmetic.addParams(scale(n, 0), scale(n, 1), q.outputScale(), q.inputZpA() + off,
                        q.inputZpB() + off, q.outputZp() + off);
                yield q.withOnnxScales(List.of(p[0], p[1], p[2]), off);
            }
            case QMul q when q.rounding() != Rounding.ONNX_FLOAT32 && q.outType() == DType.I8 ->
                    q.withOnnxScales(List.of(OnnxArithmetic.mulScale(scale(n, 0), scale(n, 1), q.outputScale())), offset(q.outType()));
            case QMean q when q.rounding() != Rounding.ONNX_FLOAT32 && globalPool(n, q) ->
                    q.withOnnxScales(List.of(OnnxArithmetic.globalPoolScale(scale(n, 0), q.outputScale(), reduced(n, q))));
            case QAveragePool q when q.onnxScales().isEmpty() && n.input(0).type().dtype() == DType.I8 -> {
                float s = scale(n, 0);
                long taps = q.kernel().stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
                float stored = q.onnxGlobal(n.input(0).type().shape()) ? OnnxArithmetic.globalPoolScale(s, s, taps) : s;
                yield q.withOnnxScales(List.of(stored), offset(DType.I8));
            }
            default -> null;
        };
    }

    private int offset(DType t) { return t == DType.I8 ? options.offset() : 0; }

    /** ORT's per-channel scales {@code fl(fl(sx * sw[c]) / sy)} of a QConv / QGemm. */
    private static List<Float> linearScales(Node n, float sy) {
        QuantParams w = n.input(1).type().quant();
        if (w == null) throw n.error("weights %" + n.input(1).name() + " have no quantization parameters");
        float sx = scale(n, 0);
        List<Float> s = new ArrayList<>();
        for (int c = 0; c < w.count(); c++) s.add(OnnxArithmetic.linearScale(sx, w.scale(c), sy));
        return s;
    }

    private static float scale(Node n, int input) {
        QuantParams q = n.input(input).type().quant();
        if (q == null || q.isPerAxis())
            throw n.error("input %" + n.input(input).name() + " needs per-tensor quantization parameters, got " + n.input(input).type());
        return q.scale(0);
    }

    /** A mean over exactly the static spatial axes with kept dims: what the QDQ export writes as GlobalAveragePool. */
    private static boolean globalPool(Node n, QMean q) {
        int rank = n.input(0).type().rank();
        if (rank < 3 || !q.keepDims() || q.outType() != DType.I8) return false;
        List<Integer> axes = new ReduceMean(q.axes(), q.keepDims()).reducedAxes(rank);
        for (int a = 2; a < rank; a++) if (!axes.contains(a) || n.input(0).type().shape().isSymbolic(a)) return false;
        return axes.size() == rank - 2;
    }

    private static long reduced(Node n, QMean q) {
        long size = 1;
        for (int a : new ReduceMean(q.axes(), q.keepDims()).reducedAxes(n.input(0).type().rank()))
            size *= n.input(0).type().shape().dim(a);
        return size;
    }
}
