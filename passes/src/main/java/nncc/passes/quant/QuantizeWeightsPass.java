package nncc.passes.quant;

import java.util.List;
import java.util.Map;
import java.util.Set;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Conv;
import nncc.ir.op.Gemm;
import nncc.ir.op.MatMul;
import nncc.passes.Pass;
import nncc.passes.PassOptions;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Decides every weight code once: the constant weights of the layers the integer lowering handles (2-D Conv;
 * Gemm with alpha = beta = 1, no transA and 2-D input; MatMul with 2-D input and constant 2-D B) get TFLite's
 * symmetric scheme ({@code scale = max|w| / qmax} per output channel, or per tensor; codes
 * {@code round(w / scale)}): the weights are replaced by constants that carry the scales as their quantization plan,
 * so the codes are fixed: {@code round(w / scale)} by one function ({@code WeightQuantizer.fromPlan}) wherever they
 * are read. Bias correction reads them; adaptive rounding and GPTQ move some codes and write them back as grid-exact
 * values under the same plan; {@code lower-integer} turns them into int8 with the plan's scales. No later pass
 * chooses a weight scale again. The float values stay as they were, so calibration measures the float network
 * (as before this pass existed: the integer model is bit-identical). Excluded nodes keep their weights untouched.
 *
 * <pre>{@code
 * before: const %w : f32[2,1,1,1] = [0.5, -0.2]
 *         node @conv = Conv {...} (%x, %w) -> (%y : f32[1,2,2,2])
 * after:  const %w : f32[2,1,1,1]{axis = 0, scale = [0.003937008, 0.0015748031], zp = [0, 0]} = [0.5, -0.2]
 *         (codes round(w / scale) = [127, -127])
 *         node @conv = Conv {...} (%x, %w) -> (%y : f32[1,2,2,2])
 * }</pre>
 * Options: {@code quantize-weights{weight-bits=8, per-tensor, per-tensor-fc, exclude=a;b}}. Cost: one walk over the nodes and
 * one over each weight tensor, O(nodes + weights).
 */
public final class QuantizeWeightsPass implements Pass {
    public static final String NAME = "quantize-weights";

    /**
     * Weight bits (2..8), one scale per tensor instead of per output channel, nodes left in float, and one scale per
     * tensor for fully connected layers (Gemm, MatMul) alone, as a TFLite runtime without per-channel
     * FULLY_CONNECTED needs ({@code per-tensor-fc}).
     */
    public record Options(int weightBits, boolean perTensor, Set<String> exclude, boolean perTensorFullyConnected) {
        public Options {
            if (weightBits < 2 || weightBits > 8) throw new ModelException("pass '" + NAME + "': weight bits must be in 2..8, got " + weightBits);
            exclude = Set.copyOf(exclude);
        }

        public Options(int weightBits, boolean perTensor, Set<String> exclude) { this(weightBits, perTensor, exclude, false); }

        public static Options from(PassOptions o) {
            String ex = o.string("exclude", "");
            return new Options(Math.toIntExact(o.integer("weight-bits", 8)), o.flag("per-tensor", false),
                    ex.isEmpty() ? Set.of() : Set.of(ex.split(";")), o.flag("per-tensor-fc", false));
        }
    }

    private final Options options;

    public QuantizeWeightsPass(Options options) { this.options = options; }

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.BN_FOLDED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("weights quantized", "already quantized");
        Map<String, WeightLayout> todo = new java.util.LinkedHashMap<>();
        Set<String> fullyConnected = new java.util.HashSet<>();
        for (Node n : g.nodes()) {
            if (options.exclude().contains(n.name())) continue;
            WeightLayout layout = layout(g, n);
            if (layout == null) continue;
            if (n.input(1).type().quant() != null) { stats.inc("already quantized"); continue; }
            todo.putIfAbsent(n.input(1).name(), layout);
            if (n.op() instanceof Gemm || n.op() instanceof MatMul) fullyConnected.add(n.input(1).name());
        }
        List<Map.Entry<String, WeightLayout>> entries = List.copyOf(todo.entrySet());
        QuantParams[] plans = new QuantParams[entries.size()]; // computed on every core, applied in graph order
        java.util.stream.IntStream.range(0, plans.length).parallel().forEach(i -> plans[i] = plan(g.constantData(
                g.constant(entries.get(i).getKey()).value()), entries.get(i).getValue(),
                options.perTensor() || options.perTensorFullyConnected() && fullyConnected.contains(entries.get(i).getKey())));
        for (int i = 0; i < plans.length; i++) {
            Value w = g.constant(entries.get(i).getKey()).value();
            Tensor data = g.constantData(w);
            g.removeConstant(w.name()); // the same name, now with its plan
            g.replaceAllUses(w, g.addConstant(w.name(), data, plans[i]));
            stats.inc("weights quantized");
        }
        return stats.result();
    }

    /** Whether the weights of {@code n} are stored [M, ...] (output channels first) or [K, M] (a transposed matrix). */
    enum WeightLayout { CHANNELS_FIRST, TRANSPOSED }

    /** The layout of {@code n}'s weights when {@code lower-integer} would lower it, else null. */
    static WeightLayout layout(Graph g, Node n) {
        Tensor w = n.inputs().size() > 1 ? g.constantData(n.input(1)) : null;
        if (w == null || !w.dtype().isFloat()) return null;
        return switch (n.op()) {
            case Conv c -> n.input(0).type().rank() == 4 && w.shape().rank() == 4 ? WeightLayout.CHANNELS_FIRST : null;
            case Gemm gm -> gm.alpha() == 1f && gm.beta() == 1f && !gm.transA() && n.input(0).type().rank() == 2
                    && w.shape().rank() == 2 ? (gm.transB() ? WeightLayout.CHANNELS_FIRST : WeightLayout.TRANSPOSED) : null;
            case MatMul m -> n.input(0).type().rank() == 2 && w.shape().rank() == 2 ? WeightLayout.TRANSPOSED : null;
            default -> null;
        };
    }

    /** The plan of weights {@code data}: symmetric scales per output channel (or per tensor), on the axis of the layout. */
    private QuantParams plan(Tensor data, WeightLayout layout, boolean perTensor) {
        Tensor channelsFirst = layout == WeightLayout.TRANSPOSED ? WeightQuantizer.transpose2d(data) : data;
        QuantParams plan = WeightQuantizer.symmetricParams(channelsFirst.toFloats(), channelsFirst.shape(), options.weightBits(), !perTensor);
        if (layout == WeightLayout.TRANSPOSED && plan.isPerAxis())
            plan = QuantParams.perAxis(1, scales(plan), new long[plan.count()]);
        return plan;
    }

    private static float[] scales(QuantParams p) {
        float[] s = new float[p.count()];
        for (int i = 0; i < s.length; i++) s[i] = p.scale(i);
        return s;
    }
}
