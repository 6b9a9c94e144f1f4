package nncc.passes.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.*;
import nncc.passes.Pass;
import nncc.passes.PassOptions;
import nncc.passes.PassResult;
import nncc.passes.Stage;
import nncc.passes.calib.QuantChoice;

/**
 * Applies the TFLite int8 / int16x8 quantization-spec constraints to the calibrated plans: ops that only move
 * values (MaxPool, AveragePool, Reshape, Flatten, Transpose, Slice, Squeeze, Unsqueeze, Pad, Identity, Dropout) give
 * their output the input's plan; Sigmoid, Tanh and Softmax get their fixed output plans (i8: 1/256 with zero
 * point -128, 1/128 with 0, 1/256 with -128; i16: 1/32768 with 0); a Concat's output plan covers the union of
 * its inputs' ranges (the inputs keep theirs; lowering requantizes those that differ). For i16 activations every
 * plan must be symmetric: a plan with a non-zero zero point (one chosen for an 8-bit grid, i8 or u8 by its zero
 * point) is re-derived, symmetric, from the range it covers.
 *
 * <pre>{@code
 * // before
 * node @pool = MaxPool {...} (%x) -> (%p : f32[1,2,2,2]{scale = 0.03, zp = -100})   // %x: {scale = 0.02, zp = -128}
 * node @sig = Sigmoid (%p) -> (%s : f32[1,2,2,2]{scale = 0.0039, zp = -128})
 * // after
 * node @pool = MaxPool {...} (%x) -> (%p : f32[1,2,2,2]{scale = 0.02, zp = -128})
 * node @sig = Sigmoid (%p) -> (%s : f32[1,2,2,2]{scale = 0.00390625, zp = -128})
 * }</pre>
 * Cost: one walk over the nodes in order (a Concat looks at its inputs' plans) and one retyping of the changed
 * values through the use-def index: O(nodes + edges).
 */
public final class FoldScalesPass implements Pass {
    public static final String NAME = "fold-scales";

    /** The activation type the plans are for: I8 (int8 scheme) or I16 (int16x8). */
    public record Options(DType activation) {
        public Options { QuantNumbers.requireActivationType(activation); }

        /** From pass options {@code activation=i8|i16}. */
        public static Options from(PassOptions o) {
            String a = o.string("activation", "i8");
            return switch (a) {
                case "i8" -> new Options(DType.I8);
                case "i16" -> new Options(DType.I16);
                default -> throw new ModelException("pass '" + NAME + "': activation must be i8 or i16, got " + a);
            };
        }
    }

    private final Options options;

    public FoldScalesPass(Options options) { this.options = options; }

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.RANGES_ANNOTATED; }

    @Override public Stage produces() { return Stage.SCALES_FOLDED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("plans made symmetric", "plans shared with input",
                "fixed plans set", "concat plans widened");
        DType act = options.activation();
        Map<String, QuantParams> plans = new HashMap<>();
        Map<String, Value> values = new LinkedHashMap<>();
        for (Value v : g.inputs()) values.put(v.name(), v);
        for (Node n : g.nodes()) for (Value v : n.outputs()) values.put(v.name(), v);
        for (Value v : values.values())
            if (v.type().dtype().isFloat() && v.type().quant() != null) plans.put(v.name(), v.type().quant());
        if (act == DType.I16)
            for (Map.Entry<String, QuantParams> e : plans.entrySet())
                if (!e.getValue().isPerAxis() && e.getValue().zeroPoint(0) != 0) {
                    e.setValue(symmetric(e.getValue()));
                    stats.inc("plans made symmetric");
                }
        for (Node n : g.nodes()) {
            Value out = n.output();
            if (!out.type().dtype().isFloat()) continue;
            QuantParams before = plans.get(out.name());
            QuantParams after = constrained(g, n, plans, act);
            if (after == null || after.equals(before)) continue;
            plans.put(out.name(), after);
            stats.inc(n.op() instanceof Concat ? "concat plans widened"
                    : n.op() instanceof Sigmoid || n.op() instanceof Tanh || n.op() instanceof Softmax ? "fixed plans set"
                    : "plans shared with input");
        }
        Map<String, TensorType> types = new HashMap<>();
        for (Value v : values.values()) {
            QuantParams p = plans.get(v.name());
            if (p != null && !p.equals(v.type().quant())) types.put(v.name(), v.type().withQuant(p));
        }
        ValueRetyping.apply(g, types);
        return stats.result();
    }

    /** The plan the spec imposes on the output of {@code n}, or null when it imposes none (or cannot tell). */
    private static QuantParams constrained(Graph g, Node n, Map<String, QuantParams> plans, DType act) {
        boolean i16 = act == DType.I16;
        return switch (n.op()) {
            case DataMovementOp d -> switch (d) {
                case MaxPool op -> shared(n, plans);
                case Reshape op -> shared(n, plans);
                case Flatten op -> shared(n, plans);
                case Transpose op -> shared(n, plans);
                case Slice op -> shared(n, plans);
                case Squeeze op -> shared(n, plans);
                case Unsqueeze op -> shared(n, plans);
                case Pad op -> shared(n, plans);
                case Identity op -> shared(n, plans);
                case Dropout op -> shared(n, plans);
                case Concat op -> concat(g, n, plans, act);
                case Gather op -> null;
            };
            case FloatOp f -> switch (f) {
                case AveragePool op -> shared(n, plans);
                case Sigmoid op -> nncc.ir.op.QSoftmax.fixedOutputParams(act, act);
                case Tanh op -> i16 ? QuantParams.perTensor(1f / 32768, 0) : QuantParams.perTensor(1f / 128, 0);
                case Softmax op -> nncc.ir.op.QSoftmax.fixedOutputParams(act, act);
                // ops whose output grid the calibration chooses freely
                case Conv op -> null;
                case ConvTranspose op -> null;
                case Gemm op -> null;
                case MatMul op -> null;
                case Add op -> null;
                case Sub op -> null;
                case Mul op -> null;
                case Div op -> null;
                case Relu op -> null;
                case LeakyRelu op -> null;
                case PRelu op -> null;
                case Clip op -> null;
                case HardSigmoid op -> null;
                case HardSwish op -> null;
                case GlobalAveragePool op -> null;
                case BatchNormalization op -> null;
                case ReduceMean op -> null;
                case Pow op -> null;
                case Sqrt op -> null;
                case Erf op -> null;
                case Gelu op -> null;
                case LayerNormalization op -> null;
                // a training graph's fake-quant nodes carry their own grids; lower-fake-quant turns them into QDQ pairs
                case FakeQuant op -> null;
            };
            case LoweredOp op -> null;
            case BoundaryOp op -> null;
            case HybridOp op -> null;
            case OnnxQuantOp op -> null;
        };
    }

    private static QuantParams shared(Node n, Map<String, QuantParams> plans) {
        QuantParams p = plans.get(n.input(0).name());
        return p == null || p.isPerAxis() ? null : p;
    }

    /**
     * A plan covering every input's range: the inputs' common plan when they share one, else the plan of an
     * input whose range covers all the others, else a new plan for the union of the ranges. Constant inputs
     * count with the range of their data; an input without a plan leaves the output alone.
     */
    private static QuantParams concat(Graph g, Node n, Map<String, QuantParams> plans, DType act) {
        List<QuantParams> in = new ArrayList<>();
        double lo = 0, hi = 0;
        for (Value v : n.inputs()) {
            QuantParams p = plans.get(v.name());
            Tensor data = g.constantData(v);
            if (p == null && data != null && data.dtype().isFloat()) {
                double cmin = 0, cmax = 0;
                for (float x : data.toFloats()) { cmin = Math.min(cmin, x); cmax = Math.max(cmax, x); }
                p = QuantNumbers.activationParams(cmin, cmax, act);
            }
            if (p == null || p.isPerAxis()) return null;
            in.add(p);
            double[] r = QuantNumbers.range(p, act);
            lo = Math.min(lo, r[0]);
            hi = Math.max(hi, r[1]);
        }
        if (in.stream().distinct().count() == 1) return in.get(0);
        for (QuantParams p : in) {
            double[] r = QuantNumbers.range(p, act);
            if (r[0] <= lo && r[1] >= hi) return p;
        }
        return QuantNumbers.activationParams(lo, hi, act);
    }

    /** The symmetric i16 plan covering the range an 8-bit plan (i8, or u8 for zero points above 127) stands for. */
    private static QuantParams symmetric(QuantParams p) {
        DType grid = p.zeroPoint(0) >= DType.I8.minValue() && p.zeroPoint(0) <= DType.I8.maxValue() ? DType.I8 : DType.U8;
        double[] r = QuantNumbers.range(p, grid);
        return QuantChoice.symmetric(Math.max(-r[0], r[1]), DType.I16.maxValue());
    }
}
