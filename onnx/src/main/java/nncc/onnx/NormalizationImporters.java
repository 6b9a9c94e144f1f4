package nncc.onnx;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.Shape;
import nncc.ir.Value;
import nncc.ir.op.BatchNormalization;
import nncc.ir.op.Gelu;
import nncc.ir.op.Identity;
import nncc.ir.op.LayerNormalization;
import nncc.ir.op.Pow;
import nncc.ir.op.ReduceMean;
import nncc.ir.op.Reshape;
import nncc.ir.op.Shapes;
import nncc.ir.op.Softmax;

/**
 * Importers of Softmax (the pre-opset-13 "coerce to 2-D at axis" form rewritten as Reshape, Softmax(-1),
 * Reshape), inference BatchNormalization, ReduceMean, LayerNormalization (opset 17), Gelu (opset 20) and Pow (whose
 * constant exponent of another type is converted to the base's type).
 */
final class NormalizationImporters {
    private NormalizationImporters() {}

    static void softmax(OnnxNode n) {
        Value x = n.input(0);
        int axis = n.getIntAttr("axis", n.opset() < 13 ? 1 : -1);
        if (n.opset() >= 13) {
            n.emit(new Softmax(axis), List.of(x));
            return;
        }
        Shape s = x.type().shape();
        int r = s.rank();
        int a = Shapes.axis(axis, r);
        if (a == r - 1) {
            n.emit(new Softmax(-1), List.of(x));
            return;
        }
        long after = 1;
        for (int i = a; i < r; i++) {
            if (s.isSymbolic(i)) throw n.error("cannot coerce input " + s + " to 2-D at axis " + axis + ": dim " + i + " is symbolic");
            after *= s.dim(i);
        }
        // rows: the dims before the axis, merged into one when they are all static, else kept (0 copies a symbol)
        List<Long> flat = new ArrayList<>();
        if (s.isStatic()) {
            long before = 1;
            for (int i = 0; i < a; i++) before *= s.dim(i);
            flat.add(before);
        } else {
            for (int i = 0; i < a; i++) flat.add(s.isSymbolic(i) ? 0L : s.dim(i));
        }
        flat.add(after);
        List<Long> back = new ArrayList<>();
        for (int i = 0; i < r; i++) back.add(s.isSymbolic(i) ? 0L : s.dim(i));
        String rows = n.scope.freshValueName(n.name + "_2d");
        String probs = n.scope.freshValueName(n.name + "_2d_softmax");
        Value flatX = n.scope.emit(n.name + "_to_2d", new Reshape(flat, false), List.of(x), List.of(rows)).get(0);
        Value sm = n.scope.emit(n.name, new Softmax(-1), List.of(flatX), List.of(probs)).get(0);
        n.scope.emit(n.name + "_from_2d", new Reshape(back, false), List.of(sm), List.of(n.outputName(0)));
    }

    /** Inference only: training_mode=1, legacy is_test=0 and reading the running statistics are rejected. */
    static void batchNormalization(OnnxNode n) {
        if (n.opset() >= 14 && n.getInt("training_mode", 0) != 0)
            throw n.error("training-mode BatchNormalization is not supported (training_mode = 1)");
        if (n.opset() < 7 && n.has("is_test") && n.getInt("is_test", 1) == 0)
            throw n.error("training-mode BatchNormalization is not supported (is_test = 0)");
        if (n.opset() < 9 && n.getInt("spatial", 1) != 1)
            throw n.error("attribute spatial = " + n.getInt("spatial", 1) + " is not supported (only 1)");
        for (int i = 1; i < n.outputCount(); i++)
            if (n.outputUsed(i))
                throw n.error("training-mode BatchNormalization is not supported: output " + i + " ('"
                        + n.outputName(i) + "', a training statistic) is used");
        List<Value> in = new ArrayList<>();
        for (int i = 0; i < 5; i++) in.add(n.input(i));
        n.emit(new BatchNormalization(n.getFloat("epsilon", 1e-5f)), in);
    }

    static void reduceMean(OnnxNode n) {
        List<Integer> axes = OpInputs.reduceAxes(n);
        if (n.opset() >= 18 && axes.isEmpty() && n.getInt("noop_with_empty_axes", 0) != 0) {
            n.emit(new Identity(), List.of(n.input(0)));
            return;
        }
        n.emit(new ReduceMean(axes, n.getInt("keepdims", 1) != 0), List.of(n.input(0)));
    }

    /** Pow; an exponent of another element type (int64 since opset 12) must be a constant and is converted. */
    static void pow(OnnxNode n) {
        Value x = n.input(0);
        if (!x.type().dtype().isFloat()) throw n.error("Pow on integer tensors is not supported (base " + x.type() + ")");
        Value e;
        if (n.inputType(1).dtype() == x.type().dtype()) e = n.input(1);
        else {
            nncc.ir.Tensor c = n.constant(1);
            if (c == null) throw n.error("Pow with a run-time exponent of another type is not supported (exponent "
                    + n.inputType(1).dtype().text() + ", base " + x.type().dtype().text() + ")");
            e = n.scope.addHelperConstant(n.name + "_exponent", TensorOps.cast(c, x.type().dtype()));
        }
        n.emit(new Pow(), List.of(x, e));
    }

    /** LayerNormalization (opset 17), with its optional Mean and InvStdDev outputs (float statistics only). */
    static void layerNormalization(OnnxNode n) {
        if (n.has("stash_type") && n.getInt("stash_type", 1) != 1)
            throw n.error("stash_type " + n.getInt("stash_type", 1) + " is not supported (only 1, float statistics)");
        List<Value> in = new ArrayList<>(List.of(n.input(0), n.input(1)));
        if (n.hasInput(2)) in.add(n.input(2));
        n.emit(new LayerNormalization(n.getIntAttr("axis", -1), n.getFloat("epsilon", 1e-5f)), in);
    }

    /** Gelu (opset 20): approximate "none" or "tanh". */
    static void gelu(OnnxNode n) {
        String a = n.getString("approximate", "none");
        Gelu.Approximation m = switch (a) {
            case "none" -> Gelu.Approximation.NONE;
            case "tanh" -> Gelu.Approximation.TANH;
            default -> throw n.error("unsupported approximate '" + a + "' (none, tanh)");
        };
        n.emit(new Gelu(m), List.of(n.input(0)));
    }
}
