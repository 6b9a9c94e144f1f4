package nncc.onnx;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Clip;
import nncc.ir.op.Dropout;
import nncc.ir.op.HardSigmoid;
import nncc.ir.op.LeakyRelu;
import nncc.ir.op.Op;
import nncc.ir.op.PRelu;
import nncc.ir.op.Reshape;

/**
 * Importers of elementwise ops: the binary arithmetic ops (with the pre-opset-7 {@code broadcast}/{@code axis}
 * form rewritten to numpy broadcasting), activations, Clip (bounds folded into attributes), PRelu (legacy
 * per-channel slope) and inference Dropout.
 */
final class ElementwiseImporters {
    private ElementwiseImporters() {}

    static void unary(OnnxNode n, Op op) {
        n.emit(op, List.of(n.input(0)));
    }

    static void leakyRelu(OnnxNode n) {
        n.emit(new LeakyRelu(n.getFloat("alpha", 0.01f)), List.of(n.input(0)));
    }

    static void hardSigmoid(OnnxNode n) {
        n.emit(new HardSigmoid(n.getFloat("alpha", 0.2f), n.getFloat("beta", 0.5f)), List.of(n.input(0)));
    }

    /** Add/Sub/Mul/Div; before opset 7, {@code broadcast=1} with {@code axis} aligns B at that axis of A. */
    static void binary(OnnxNode n, Op op) {
        Value a = n.input(0);
        Value b;
        if (n.opset() < 7 && n.getInt("broadcast", 0) == 1 && n.has("axis")) {
            Shape target = legacyBroadcastShape(n, a.type().shape(), n.inputType(1).shape());
            b = target.equals(n.inputType(1).shape()) ? n.input(1) : reshapeOperand(n, 1, target, "broadcast");
        } else {
            b = n.input(1);
        }
        n.emit(op, List.of(a, b));
    }

    /** B's shape padded with trailing 1s so that numpy broadcasting aligns it with A starting at {@code axis}. */
    static Shape legacyBroadcastShape(OnnxNode n, Shape a, Shape b) {
        int ra = a.rank();
        long axis = n.getInt("axis", 0);
        if (axis < 0) axis += ra;
        long trailing = ra - axis - b.rank();
        if (axis < 0 || trailing < 0)
            throw n.error("attribute axis = " + n.getInt("axis", 0) + " cannot align B " + b + " with A " + a);
        long[] d = new long[b.rank() + (int) trailing];
        String[] s = new String[d.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = i < b.rank() ? b.dim(i) : 1;
            s[i] = i < b.rank() ? b.symbol(i) : null;
        }
        return Shape.withSymbols(d, s);
    }

    /** Input {@code index} seen with {@code shape}: a reshaped constant, or a Reshape node for a run-time value. */
    static Value reshapeOperand(OnnxNode n, int index, Shape shape, String suffix) {
        Tensor t = n.constant(index);
        if (t != null) return n.scope.addHelperConstant(n.inputName(index) + "_" + suffix, t.reshape(shape));
        List<Long> target = new ArrayList<>();
        for (int i = 0; i < shape.rank(); i++) target.add(shape.isSymbolic(i) ? 0L : shape.dim(i));
        return n.emitHelper(suffix, new Reshape(target, false), List.of(n.input(index)));
    }

    /** Before opset 7 a 1-D slope of size C is per channel (dim 1); it is reshaped to [C,1,...] for numpy broadcasting. */
    static void prelu(OnnxNode n) {
        TensorType x = n.inputType(0), slope = n.inputType(1);
        Value s;
        if (n.opset() < 7 && slope.rank() == 1 && slope.shape().dim(0) > 1 && x.rank() >= 3) {
            long[] d = new long[x.rank() - 1];
            java.util.Arrays.fill(d, 1);
            d[0] = slope.shape().dim(0);
            s = reshapeOperand(n, 1, Shape.of(d), "per_channel");
        } else {
            s = n.input(1);
        }
        n.emit(new PRelu(), List.of(n.input(0), s));
    }

    /** Bounds: attributes before opset 11, optional constant inputs since; absent means unbounded (the type's range for integers). */
    static void clip(OnnxNode n) {
        DType dt = n.inputType(0).dtype();
        float lowest = dt.isInteger() ? (float) dt.minValue() : Float.NEGATIVE_INFINITY;
        float highest = dt.isInteger() ? (float) dt.maxValue() : Float.POSITIVE_INFINITY;
        float min, max;
        if (n.opset() < 11) {
            min = n.getFloat("min", lowest);
            max = n.getFloat("max", highest);
        } else {
            min = n.hasInput(1) ? scalarBound(n, 1, "min") : lowest;
            max = n.hasInput(2) ? scalarBound(n, 2, "max") : highest;
        }
        n.emit(new Clip(min, max), List.of(n.input(0)));
    }

    private static float scalarBound(OnnxNode n, int index, String what) {
        Tensor t = n.requireConstant(index, "Clip " + what);
        if (t.numElements() != 1) throw n.error("Clip " + what + " must be a scalar, got " + t);
        return t.toFloats()[0];
    }

    /** Inference Dropout: the identity (and an all-true mask); training mode is rejected. */
    static void dropout(OnnxNode n) {
        OpInputs.requireInferenceDropout(n);
        n.emit(new Dropout(OpInputs.dropoutRatio(n)), List.of(n.input(0)));
    }
}
