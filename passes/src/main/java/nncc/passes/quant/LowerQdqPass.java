package nncc.passes.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Rounding;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.*;
import nncc.passes.Pass;
import nncc.passes.PassOptions;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Lowers an ONNX model that is already quantized (QuantizeLinear/DequantizeLinear around float ops, as PyTorch,
 * ONNX Runtime's quantizer and nncc's own QDQ export write them, and QLinearConv/QLinearMatMul) to nncc's integer
 * ops, keeping the model's integers, scales and zero points: no calibration, no weight is quantized again. A float
 * op whose inputs are DequantizeLinear outputs and whose result goes (through at most one Relu or Clip, which
 * become its clamp) into a single QuantizeLinear becomes the integer op producing that QuantizeLinear's output:
 * Conv QConv, Gemm/MatMul QGemm, Add QAdd, Mul QMul, GlobalAveragePool/ReduceMean QMean, AveragePool QAveragePool,
 * activations QLut/QSoftmax; ops that only move values run on int8 (with a Requantize where the QuantizeLinear
 * changes the parameters); a QuantizeLinear of a DequantizeLinear becomes nothing or a Requantize. Multipliers and
 * shifts are derived as nncc's own lowering derives them ({@link QuantNumbers#multiplier}), so nncc's QDQ export
 * imported again lowers to the graph it was exported from. uint8 tensors become int8 with zero point - 128 (the
 * same real values; every integer op computes the same codes shifted by 128). Graph inputs read only by
 * QuantizeLinear and outputs of DequantizeLinear become integer inputs and outputs (unless
 * {@code float-interface}). Anything else stays as it was, on float values (a Dequantize is inserted where it reads
 * an integer result), and the statistics give the reason per node. ONNX's QuantizeLinear rounds ties to even; a
 * QuantizeLinear that stays (after an op kept in float) becomes nncc's Quantize, which rounds them away from zero.
 *
 * <pre>{@code
 * // before (an imported QDQ model; %xs = 0.5, %xz = 138 (u8), %ws = [0.003937008, 0.001968504], %wz = [0, 0],
 * // %bs = [0.001968504, 9.84252E-4], %ys = 0.25, %yz = 100 (u8))
 * input %x : f32[1,1,2,2]
 * const %w : i8[2,1,1,1] = [127, -127]
 * const %b : i32[2] = [508, -508]
 * node @qx = QuantizeLinear {axis = 1, outType = u8} (%x, %xs, %xz) -> (%xq : u8[1,1,2,2])
 * node @dx = DequantizeLinear {axis = 1} (%xq, %xs, %xz) -> (%xf : f32[1,1,2,2])
 * node @dw = DequantizeLinear {axis = 0} (%w, %ws, %wz) -> (%wf : f32[2,1,1,1])
 * node @db = DequantizeLinear {axis = 0} (%b, %bs) -> (%bf : f32[2])
 * node @conv = Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1} (%xf, %wf, %bf) -> (%c : f32[1,2,2,2])
 * node @relu = Relu (%c) -> (%r : f32[1,2,2,2])
 * node @qy = QuantizeLinear {axis = 1, outType = u8} (%r, %ys, %yz) -> (%yq : u8[1,2,2,2])
 * node @dy = DequantizeLinear {axis = 1} (%yq, %ys, %yz) -> (%y : f32[1,2,2,2])
 * output %y
 * // after
 * input %x : i8[1,1,2,2]{scale = 0.5, zp = 10}
 * const %conv.bias : i32[2]{axis = 0, scale = [0.001968504, 9.84252E-4], zp = [0, 0]} = [508, -508]
 * const %wf.q : i8[2,1,1,1]{axis = 0, scale = [0.003937008, 0.001968504], zp = [0, 0]} = [127, -127]
 * node @conv = QConv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1, inputZp = 10,
 *     multiplier = [1082196480, 1082196480], shift = [-6, -7], outputZp = -28, outputScale = 0.25, outType = i8,
 *     actMin = -28, actMax = 127, rounding = single_round} (%x, %wf.q, %conv.bias) -> (%y : i8[1,2,2,2]{scale = 0.25, zp = -28})
 * output %y
 * }</pre>
 * Cost: one walk over the nodes matching patterns of bounded size through the use-def index, integer weights
 * computed once per layer, and one rebuild of the node list: O(nodes + edges + weights).
 */
public final class LowerQdqPass implements Pass {
    public static final String NAME = "lower-qdq";

    /**
     * Options: the rounding of every requantization (single rounding by default, as ONNX's QuantizeLinear rounds
     * the exact product once) and whether graph inputs and outputs stay float ({@code floatInterface}).
     */
    public record Options(Rounding rounding, boolean floatInterface) {
        public Options {
            java.util.Objects.requireNonNull(rounding, "rounding");
        }

        public static Options defaults() { return new Options(Rounding.SINGLE_ROUND, false); }

        /** From pass options {@code rounding=single-round|double-round, float-interface}. */
        public static Options from(PassOptions o) {
            String r = o.string("rounding", "single-round");
            Rounding rounding = switch (r) {
                case "double-round" -> Rounding.DOUBLE_ROUND;
                case "single-round" -> Rounding.SINGLE_ROUND;
                default -> throw new ModelException("pass '" + NAME + "': rounding must be single-round or double-round, got " + r);
            };
            return new Options(rounding, o.flag("float-interface", false));
        }
    }

    private final Options options;

    public LowerQdqPass(Options options) { this.options = options; }

    @Override public String name() { return NAME; }

    @Override public Stage produces() { return Stage.LOWERED; }

    /** Whether {@code g} holds ONNX quantization ops, i.e. is a pre-quantized model this pass lowers. */
    public static boolean applies(Graph g) {
        return LowerFakeQuantPass.applies(g) || g.nodes().stream().anyMatch(n -> n.op() instanceof QuantizeLinear || n.op() instanceof DequantizeLinear
                || n.op() instanceof QLinearConv || n.op() instanceof QLinearMatMul || n.op() instanceof ConvInteger
                || n.op() instanceof MatMulInteger);
    }

    /**
     * Lowers {@code g} in place with the default options when it is a pre-quantized model ({@link #applies}),
     * verifying the result; returns the statistics, or null when {@code g} holds no ONNX quantization op. A QAT model
     * exported before {@code convert} (fake-quantized float weights, PyTorch's ConvBn form) is first brought to the
     * pre-quantized form by {@code fold-weight-quantize}, {@code fold-qat-batchnorm} and {@code quantize-passthrough-ops}
     * (Relu, Flatten... that PyTorch leaves without fake-quant), whose statistics are included.
     */
    public static PassResult lowerIfPreQuantized(Graph g) {
        if (!applies(g)) return null;
        LowerFakeQuantPass fakeQuant = LowerFakeQuantPass.applies(g) ? new LowerFakeQuantPass() : null;
        if (fakeQuant != null) fakeQuant.run(g); // a quantization-aware training graph: its grids as QDQ pairs
        Map<String, Long> stats = new java.util.LinkedHashMap<>(new FoldWeightQuantizePass().run(g).statistics());
        stats.putAll(new FoldQatBatchNormPass().run(g).statistics());
        stats.putAll(new QuantizePassthroughOpsPass().run(g).statistics());
        PassResult r = new LowerQdqPass(Options.defaults()).run(g);
        if (fakeQuant != null) fakeQuant.applyWeightBits(g);
        nncc.ir.Verifier.verify(g);
        stats.putAll(r.statistics());
        return new PassResult(r.changed(), stats);
    }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("nodes lowered", "nodes kept");
        QdqGraph q = new QdqGraph(g, options, stats);
        List<Value> inputs = new ArrayList<>();
        for (Value v : g.inputs()) inputs.add(QdqInterface.input(q, v, options.floatInterface()));
        Map<String, Value> originals = new HashMap<>();
        for (Node n : g.nodes()) {
            if (q.isAbsorbed(n)) continue;
            int before = q.nodes().size();
            String why = lower(q, n);
            if (why == null) {
                if (q.nodes().size() > before && !(n.op() instanceof QuantizeLinear)) stats.inc("nodes lowered");
            } else keep(q, n, why, originals);
        }
        List<Value> outputs = new ArrayList<>();
        for (Value o : g.outputs()) {
            Value integer = q.integerForm(o) != null ? q.integerForm(o) : q.activation(o);
            outputs.add(integer != null && !options.floatInterface() ? integer : q.asFloat(o));
        }
        List<Node> nodes = LowerToIntegerPass.withoutDeadConversions(q.nodes(), outputs);
        Map<String, String> renames = QdqInterface.outputRenames(g, nodes, inputs, outputs);
        List<Node> tail = QdqInterface.uint8Outputs(q, g, inputs, outputs, renames);
        g.setInputs(inputs);
        List<Node> all = new ArrayList<>(nodes.stream().map(n -> QdqInterface.renamed(n, renames)).toList());
        all.addAll(tail);
        g.setNodes(all);
        g.setOutputs(outputs);
        stats.add("constants removed", g.removeUnusedConstants());
        return stats.resultChangedBy("nodes lowered", "integer inputs", "quantize-dequantize pairs removed");
    }

    /**
     * Lowers one node; null when done (or nothing to emit), else why it stays as it is. Numbers a rule cannot
     * represent (a multiplier's shift out of range) keep the node as it was, with the message as the reason.
     */
    private static String lower(QdqGraph q, Node n) {
        try {
            return rule(q, n);
        } catch (ModelException e) {
            return e.getRawMessage();
        }
    }

    private static String rule(QdqGraph q, Node n) {
        return switch (n.op()) {
            case QuantizeLinear op -> quantize(q, n);
            case DequantizeLinear op -> q.constant(n.output()) != null
                    || (q.integerForm(n.input(0)) != null && q.params(n) != null) ? null : "its input was not lowered";
            case Conv op -> QdqLinearRules.conv(q, n, op);
            case Gemm op -> QdqLinearRules.gemm(q, n, op);
            case MatMul op -> QdqLinearRules.matMul(q, n);
            case QLinearConv op -> QdqLinearRules.qlinearConv(q, n, op);
            case QLinearMatMul op -> QdqLinearRules.qlinearMatMul(q, n, op);
            case Add op -> QdqElementRules.add(q, n, op.activation());
            case Mul op -> QdqElementRules.mul(q, n, op.activation());
            case GlobalAveragePool op -> {
                List<Integer> axes = new ArrayList<>();
                for (int i = 2; i < n.input(0).type().rank(); i++) axes.add(i);
                yield QdqElementRules.mean(q, n, axes, true);
            }
            case ReduceMean op -> QdqElementRules.mean(q, n, op.reducedAxes(n.input(0).type().rank()), op.keepDims());
            case AveragePool op -> QdqElementRules.averagePool(q, n, op);
            case MaxPool op -> QdqElementRules.movement(q, n);
            case Reshape op -> QdqElementRules.movement(q, n);
            case Flatten op -> QdqElementRules.movement(q, n);
            case Transpose op -> QdqElementRules.movement(q, n);
            case Squeeze op -> QdqElementRules.movement(q, n);
            case Unsqueeze op -> QdqElementRules.movement(q, n);
            case Identity op -> QdqElementRules.movement(q, n);
            case Dropout op -> QdqElementRules.movement(q, n);
            case Concat op -> QdqElementRules.concat(q, n);
            case Relu op -> QdqElementRules.lut(q, n, LutFunction.RELU, 0f, 0f);
            case Clip op -> QdqElementRules.lut(q, n, LutFunction.CLIP, op.min(), op.max());
            case LeakyRelu op -> QdqElementRules.lut(q, n, LutFunction.LEAKY_RELU, op.alpha(), 0f);
            case Sigmoid op -> QdqElementRules.lut(q, n, LutFunction.SIGMOID, 0f, 0f);
            case Tanh op -> QdqElementRules.lut(q, n, LutFunction.TANH, 0f, 0f);
            case HardSigmoid op -> QdqElementRules.lut(q, n, LutFunction.HARD_SIGMOID, op.alpha(), op.beta());
            case HardSwish op -> QdqElementRules.lut(q, n, LutFunction.HARD_SWISH, 0f, 0f);
            case Softmax op -> QdqElementRules.softmax(q, n, op);
            case ConvInteger op -> "an int32 result without output parameters (dynamic quantization) has no lowered form";
            case MatMulInteger op -> "an int32 result without output parameters (dynamic quantization) has no lowered form";
            default -> "no integer rule for " + n.op().opName();
        };
    }

    /**
     * A QuantizeLinear not absorbed by its producer: nothing when it re-quantizes a DequantizeLinear with the same
     * parameters, a Requantize when the parameters differ, else nncc's Quantize of its float input.
     */
    private static String quantize(QdqGraph q, Node n) {
        QdqGraph.Params p = q.params(n);
        if (p == null) return "scale and zero point are not constant per-tensor int8/uint8 parameters";
        Node dq = q.producer(n.input(0));
        if (dq != null && dq.op() instanceof DequantizeLinear) {
            Value src = q.integerForm(dq.input(0));
            QdqGraph.Params pd = q.params(dq);
            if (src != null && pd != null && pd.params().equals(src.type().quant())) {
                if (pd.params().equals(p.params())) {
                    q.setIntegerForm(n.output(), src);
                    q.stats.inc("quantize-dequantize pairs removed");
                } else {
                    Value y = new Value(n.output().name(), new TensorType(DType.I8, n.output().type().shape(), p.params()));
                    q.emit(new Node(n.name(), QdqElementRules.requantizeOp(q, src.type().quant(), p, n), List.of(src), List.of(y)));
                    q.setIntegerForm(n.output(), y);
                    q.stats.inc("requantize inserted");
                }
                return null;
            }
        }
        Value f = q.asFloat(n.input(0));
        Value y = new Value(n.output().name(), new TensorType(DType.I8, n.output().type().shape(), p.params()));
        q.emit(new Node(n.name(), new Quantize(p.scale(), p.zp(), DType.I8), List.of(f), List.of(y)));
        q.setIntegerForm(n.output(), y);
        q.stats.inc("quantize inserted");
        return null;
    }

    /** The node as it was: float inputs in their float form, integer inputs as the model had them. */
    private static void keep(QdqGraph q, Node n, String why, Map<String, Value> originals) {
        List<Value> ins = new ArrayList<>();
        for (Value v : n.inputs()) ins.add(v.type().dtype().isFloat() ? q.asFloat(v) : original(q, v, originals));
        q.emit(new Node(n.name(), n.op(), ins, n.outputs()));
        n.outputs().forEach(q::keep);
        q.stats.inc("nodes kept");
        q.stats.inc(String.format(Locale.ROOT, "kept: node '%s' (%s): %s", n.name(), n.op().opName(), why));
    }

    /**
     * An integer value as the input model had it: itself, or for a uint8 QuantizeLinear output that became int8,
     * the model's QuantizeLinear of a Dequantize of the int8 form (the same codes again).
     */
    private static Value original(QdqGraph q, Value v, Map<String, Value> originals) {
        Value iv = q.integerForm(v);
        if (iv == null || q.graph.isConstant(v)) return v;
        if (v.type().dtype() == DType.I8) return iv;
        Value done = originals.get(v.name());
        if (done != null) return done;
        Node producer = q.producer(v);
        if (producer == null || !(producer.op() instanceof QuantizeLinear))
            throw new ModelException(null, v.name(), "integer value %" + v.name() + " has no original form");
        Value f = new Value(q.fresh(v.name() + ".dq"), TensorType.of(DType.F32, v.type().shape()));
        var p = iv.type().quant();
        q.emit(new Node(q.fresh(v.name() + ".dequantize"), new Dequantize(p.scale(0), p.zeroPoint(0)), List.of(iv), List.of(f)));
        List<Value> ins = new ArrayList<>(producer.inputs());
        ins.set(0, f);
        Value u = new Value(q.fresh(v.name() + ".u8"), v.type());
        q.emit(new Node(q.fresh(producer.name()), producer.op(), ins, List.of(u)));
        originals.put(v.name(), u);
        return u;
    }


}
