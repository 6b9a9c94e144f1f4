package nncc.passes.quant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
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
 * Lowers a float graph whose values carry quantization plans (scales folded) to integer ops, computing every
 * number the kernels need (weights, biases, multipliers and shifts, zero points, clamp bounds, tables) once,
 * here, as TFLite's Prepare functions do. Conv becomes QConv, Gemm/MatMul with constant weights QGemm, Add QAdd,
 * Mul QMul, GlobalAveragePool/ReduceMean QMean, AveragePool QAveragePool, unfused activations QLut, i8 Softmax
 * QSoftmax; ops that only move values stay as they are, on integers. Any other node, and every excluded one,
 * stays in float between a Dequantize of its integer inputs and a Quantize of its outputs (inserted only where
 * a neighbour needs them), and a statistic names it. Integer values keep their float value's name.
 *
 * <pre>{@code
 * // before: plans on the f32 types
 * input %x : f32[1,1,2,2]{scale = 0.5, zp = 10}
 * const %w : f32[2,1,1,1] = [0.5, -0.25]
 * const %b : f32[2] = [1.0, -0.5]
 * node @conv = Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1, activation = relu}
 *     (%x, %w, %b) -> (%y : f32[1,2,2,2]{scale = 0.25, zp = -28})
 * // after
 * input %x : i8[1,1,2,2]{scale = 0.5, zp = 10}
 * const %w : i8[2,1,1,1]{axis = 0, scale = [0.003937008, 0.001968504], zp = [0, 0]} = [127, -127]
 * const %b : i32[2]{axis = 0, scale = [0.001968504, 9.84252E-4], zp = [0, 0]} = [508, -508]
 * node @conv = QConv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1, inputZp = 10,
 *     multiplier = [1082196480, 1082196480], shift = [-6, -7], outputZp = -28, outputScale = 0.25, outType = i8,
 *     actMin = -28, actMax = 127, rounding = double_round} (%x, %w, %b) -> (%y : i8[1,2,2,2]{scale = 0.25, zp = -28})
 * }</pre>
 * Cost: one walk over the nodes in order (each value's integer and float forms are looked up in hash maps),
 * each layer's numbers computed once (O(weights of that layer)), one backward sweep of unused conversions:
 * O(nodes + edges + weights).
 */
public final class LowerToIntegerPass implements Pass {
    public static final String NAME = "lower-integer";

    /**
     * Options: activation type (I8: TFLite's int8 scheme; I16: int16x8), weight bits (2..8, stored in i8,
     * symmetric range {@code +-(2^(bits-1) - 1)}), per-tensor instead of per-channel weights, rounding of the
     * requantizations, node names to keep in float, and whether graph inputs and outputs stay float
     * ({@code floatInterface}: Quantize after each input, Dequantize before each output) or become integer.
     */
    public record Options(DType activation, int weightBits, boolean perTensor, Rounding rounding, Set<String> exclude,
                          boolean floatInterface) {
        public Options {
            QuantNumbers.requireActivationType(activation);
            if (weightBits < 2 || weightBits > 8) throw new ModelException("weight bits must be in 2..8, got " + weightBits);
            java.util.Objects.requireNonNull(rounding, "rounding");
            exclude = Set.copyOf(exclude);
        }

        /** TFLite's full-integer int8 scheme: 8-bit per-channel weights, double rounding, integer interface. */
        public static Options int8() { return new Options(DType.I8, 8, false, Rounding.DOUBLE_ROUND, Set.of(), false); }

        /**
         * From pass options {@code activation=i8|i16, weight-bits=N, per-tensor, rounding=double-round|single-round,
         * exclude=a;b, float-interface}.
         */
        public static Options from(PassOptions o) {
            String a = o.string("activation", "i8");
            DType act = a.equals("i8") ? DType.I8 : a.equals("i16") ? DType.I16 : null;
            if (act == null) throw new ModelException("pass '" + NAME + "': activation must be i8 or i16, got " + a);
            int bits = Math.toIntExact(o.integer("weight-bits", 8));
            boolean perTensor = o.flag("per-tensor", false);
            String r = o.string("rounding", "double-round");
            Rounding rounding = switch (r) {
                case "double-round" -> Rounding.DOUBLE_ROUND;
                case "single-round" -> Rounding.SINGLE_ROUND;
                default -> throw new ModelException("pass '" + NAME + "': rounding must be double-round or single-round, got " + r);
            };
            String ex = o.string("exclude", "");
            Set<String> exclude = new HashSet<>(ex.isBlank() ? List.of() : Arrays.asList(ex.split(";")));
            exclude.removeIf(String::isBlank);
            return new Options(act, bits, perTensor, rounding, exclude, o.flag("float-interface", false));
        }
    }

    private final Options options;

    public LowerToIntegerPass(Options options) { this.options = options; }

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.REQUANT_INSERTED; }

    @Override public Stage produces() { return Stage.LOWERED; }

    @Override public PassResult run(Graph g) {
        checkExcluded(g);
        PassResult.Stats stats = new PassResult.Stats().declare("nodes lowered", "nodes kept in float");
        LoweringContext ctx = new LoweringContext(g, options, stats);
        List<Value> inputs = new ArrayList<>();
        for (Value v : g.inputs()) {
            if (!options.floatInterface() && v.type().dtype().isFloat() && v.type().quant() != null) {
                Value q = new Value(v.name(), new TensorType(options.activation(), v.type().shape(),
                        QuantNumbers.perTensor(v.type().quant(), null, v.name())));
                ctx.integerInput(v, q);
                inputs.add(q);
            } else {
                Value plain = v.type().dtype().isFloat() ? v.withType(v.type().withQuant(null)) : v;
                ctx.unchanged(plain);
                inputs.add(plain);
            }
        }
        for (Node n : List.copyOf(g.nodes())) {
            String why = options.exclude().contains(n.name()) ? "excluded" : lower(ctx, n);
            if (why == null) stats.inc("nodes lowered");
            else keepFloat(ctx, n, why);
        }
        List<Value> outputs = new ArrayList<>();
        for (Value o : g.outputs()) {
            boolean integer = !options.floatInterface() && o.type().dtype().isFloat() && ctx.canBeInteger(o);
            outputs.add(integer ? ctx.asInteger(o, null) : ctx.asFloat(o));
        }
        g.setInputs(inputs);
        g.setNodes(withoutDeadConversions(ctx.nodes(), outputs));
        g.setOutputs(outputs);
        stats.add("float constants removed", g.removeUnusedConstants());
        return stats.result();
    }

    private void checkExcluded(Graph g) {
        Set<String> unknown = new TreeSet<>(options.exclude());
        g.nodes().forEach(n -> unknown.remove(n.name()));
        if (!unknown.isEmpty())
            throw new ModelException("cannot exclude " + unknown + " from quantization: no such node in graph " + g.name());
    }

    /** Lowers one node; returns null when done, else why it has to stay float. */
    private static String lower(LoweringContext ctx, Node n) {
        if (!n.input(0).type().dtype().isFloat() || !n.output().type().dtype().isFloat())
            return "not a float computation";
        return switch (n.op()) {
            case FloatOp op -> lowerFloat(ctx, n, op);
            case DataMovementOp op -> lowerMovement(ctx, n, op);
            case LoweredOp op -> "already lowered";
            case BoundaryOp op -> "a change of representation (" + op.opName() + "), not a computation to lower";
            case HybridOp op -> "already quantized by the dynamic-range scheme";
            case OnnxQuantOp op -> "an ONNX quantized op: lower pre-quantized models with lower-qdq";
        };
    }

    /** The integer rule of each float compute op; exhaustive, so a new op must say whether it has one. */
    private static String lowerFloat(LoweringContext ctx, Node n, FloatOp f) {
        return switch (f) {
            case Conv op -> LinearLowering.conv(ctx, n, op);
            case Gemm op -> LinearLowering.gemm(ctx, n, op);
            case MatMul op -> LinearLowering.matMul(ctx, n);
            case Add op -> ArithmeticLowering.add(ctx, n, op);
            case Mul op -> ArithmeticLowering.mul(ctx, n, op);
            case GlobalAveragePool op -> ArithmeticLowering.globalAveragePool(ctx, n);
            case ReduceMean op -> ArithmeticLowering.reduceMean(ctx, n, op);
            case AveragePool op -> ArithmeticLowering.averagePool(ctx, n, op);
            case Relu op -> ActivationLowering.lut(ctx, n, LutFunction.RELU, 0f, 0f);
            case Clip op -> ActivationLowering.lut(ctx, n, LutFunction.CLIP, op.min(), op.max());
            case LeakyRelu op -> ActivationLowering.lut(ctx, n, LutFunction.LEAKY_RELU, op.alpha(), 0f);
            case Sigmoid op -> ActivationLowering.lut(ctx, n, LutFunction.SIGMOID, 0f, 0f);
            case Tanh op -> ActivationLowering.lut(ctx, n, LutFunction.TANH, 0f, 0f);
            case HardSigmoid op -> ActivationLowering.lut(ctx, n, LutFunction.HARD_SIGMOID, op.alpha(), op.beta());
            case HardSwish op -> ActivationLowering.lut(ctx, n, LutFunction.HARD_SWISH, 0f, 0f);
            case Softmax op -> ActivationLowering.softmax(ctx, n, op);
            case LayerNormalization op -> "no integer rule for LayerNormalization (its statistics need more than int8; "
                    + "kept in float between Dequantize and Quantize)";
            case Gelu op -> "no integer rule for Gelu (kept in float between Dequantize and Quantize)";
            case ConvTranspose op -> noRule(n);
            case Sub op -> noRule(n);
            case Div op -> noRule(n);
            case PRelu op -> noRule(n);
            case BatchNormalization op -> "no integer rule for a BatchNormalization that did not fold (prepare turns it into a conv)";
            case Pow op -> noRule(n);
            case Sqrt op -> noRule(n);
            case Erf op -> noRule(n);
            case FakeQuant op -> "a FakeQuant (quantization-aware training graph) is lowered by lower-fake-quant, not by the quantizer";
        };
    }

    /** Data movement keeps the values' parameters; exhaustive over the family. */
    private static String lowerMovement(LoweringContext ctx, Node n, DataMovementOp d) {
        return switch (d) {
            case MaxPool op -> MovementLowering.same(ctx, n);
            case Reshape op -> MovementLowering.same(ctx, n);
            case Flatten op -> MovementLowering.same(ctx, n);
            case Transpose op -> MovementLowering.same(ctx, n);
            case Slice op -> MovementLowering.same(ctx, n);
            case Squeeze op -> MovementLowering.same(ctx, n);
            case Unsqueeze op -> MovementLowering.same(ctx, n);
            case Identity op -> MovementLowering.identity(ctx, n);
            case Dropout op -> MovementLowering.same(ctx, n);
            case Pad op -> MovementLowering.pad(ctx, n, op);
            case Concat op -> MovementLowering.concat(ctx, n, op);
            case Gather op -> noRule(n);
        };
    }

    private static String noRule(Node n) { return "no integer rule for " + n.op().opName(); }

    /** The node as it was, on the float forms of its inputs; its outputs become float forms. */
    private static void keepFloat(LoweringContext ctx, Node n, String why) {
        List<Value> ins = new ArrayList<>();
        for (Value v : n.inputs()) ins.add(ctx.asFloat(v));
        List<Value> outs = new ArrayList<>();
        for (Value v : n.outputs()) outs.add(ctx.defineFloat(v));
        ctx.emit(new Node(n.name(), n.op(), ins, outs));
        ctx.stats.inc("nodes kept in float");
        ctx.stats.inc("kept in float: " + n.op().opName());
        ctx.stats.inc(String.format(Locale.ROOT, "kept in float: node '%s' (%s): %s", n.name(), n.op().opName(), why));
    }

    /** Drops inserted Quantize/Dequantize/Requantize nodes whose result nobody reads (left by a rule that gave up). */
    static List<Node> withoutDeadConversions(List<Node> nodes, List<Value> outputs) {
        Set<String> used = new HashSet<>();
        outputs.forEach(v -> used.add(v.name()));
        List<Node> kept = new ArrayList<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            boolean conversion = n.op() instanceof Quantize || n.op() instanceof Dequantize || n.op() instanceof Requantize;
            if (conversion && n.outputs().stream().noneMatch(v -> used.contains(v.name()))) continue;
            n.inputs().forEach(v -> used.add(v.name()));
            kept.add(n);
        }
        java.util.Collections.reverse(kept);
        return kept;
    }
}
