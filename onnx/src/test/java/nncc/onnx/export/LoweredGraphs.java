package nncc.onnx.export;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Op;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;

/**
 * Builds small lowered graphs by hand for the exporter's tests: seeded random int8 weights with per-channel
 * scales, int32 biases, and the requantization multipliers a lowering pass would compute from the scales.
 */
final class LoweredGraphs {
    static final Rounding R = Rounding.DOUBLE_ROUND;
    final Graph g;
    private final Random rnd;

    LoweredGraphs(String name, long seed) {
        g = new Graph(name);
        rnd = new Random(seed);
    }

    Value input(String name, float scale, long zp, long... dims) {
        Value v = new Value(name, new TensorType(DType.I8, Shape.of(dims), QuantParams.perTensor(scale, zp)));
        g.addInput(v);
        return v;
    }

    Value floatInput(String name, long... dims) {
        Value v = new Value(name, TensorType.of(DType.F32, Shape.of(dims)));
        g.addInput(v);
        return v;
    }

    /** Appends a node whose outputs (the first {@code outputs} ones) are typed by the op's own inference. */
    Value node(String name, Op op, List<Value> in, int outputs) {
        List<TensorType> types = op.inferTypes(in.stream().map(Value::type).toList());
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < outputs; i++) outs.add(new Value(i == 0 ? name + "_out" : name + "_out" + i, types.get(i)));
        g.addNode(new Node(name, op, in, outs));
        return outs.get(0);
    }

    Value node(String name, Op op, Value... in) { return node(name, op, List.of(in), 1); }

    void output(Value v) { g.addOutput(v); }

    /** Per-channel int8 weights of {@code shape} (dim 0 = output channels), scales in [0.005, 0.02]. */
    Value weights(String name, long... shape) {
        int c = (int) shape[0];
        long n = Shape.of(shape).numElements();
        long[] w = new long[(int) n];
        for (int i = 0; i < n; i++) w[i] = rnd.nextInt(255) - 127;
        float[] s = new float[c];
        for (int i = 0; i < c; i++) s[i] = 0.005f + 0.015f * rnd.nextFloat();
        return g.addConstant(name, Tensor.ofLongs(DType.I8, Shape.of(shape), w), QuantParams.perAxis(0, s, new long[c]));
    }

    Value bias(String name, int c) {
        long[] b = new long[c];
        for (int i = 0; i < c; i++) b[i] = rnd.nextInt(4001) - 2000;
        return g.addConstant(name, Tensor.ofLongs(DType.I32, Shape.of(c), b));
    }

    /** An output scale that keeps a K-term int8 dot product mostly inside int8. */
    static float outputScale(Value x, Value w, long k) {
        float sw = 0;
        for (float s : w.type().quant().scales()) sw += s / w.type().quant().count();
        return (float) (x.type().quant().scale(0) * sw * 60 * Math.sqrt(k));
    }

    /** Per-channel multipliers and shifts for {@code sX * sW[c] / sY}. */
    static List<List<Integer>> multipliers(Value x, Value w, float sy) {
        List<Integer> m = new ArrayList<>(), s = new ArrayList<>();
        for (float sw : w.type().quant().scales()) {
            FixedPoint.Multiplier q = FixedPoint.quantizeMultiplier((double) x.type().quant().scale(0) * sw / sy, R);
            m.add(q.multiplier());
            s.add(q.shift());
        }
        return List.of(m, s);
    }

    Value conv(String name, Value x, int outC, int k, int pad, long outZp, nncc.ir.op.Activation act) {
        long inC = x.type().shape().dim(1);
        Value w = weights(name + "_w", outC, inC, k, k);
        Value b = bias(name + "_b", outC);
        float sy = outputScale(x, w, inC * k * k);
        List<List<Integer>> ms = multipliers(x, w, sy);
        int[] clamp = act.clampBounds(sy, outZp, DType.I8);
        QConv op = new QConv(List.of(1, 1), List.of(pad, pad, pad, pad), List.of(1, 1), 1,
                x.type().quant().zeroPoint(0), ms.get(0), ms.get(1), outZp, sy, DType.I8, clamp[0], clamp[1], R, DType.I32, 8, act);
        return node(name, op, x, w, b);
    }

    Value gemm(String name, Value x, int outN, long outZp) {
        long kk = x.type().shape().dim(1);
        Value w = weights(name + "_w", outN, kk);
        Value b = bias(name + "_b", outN);
        float sy = outputScale(x, w, kk);
        List<List<Integer>> ms = multipliers(x, w, sy);
        QGemm op = new QGemm(x.type().quant().zeroPoint(0), ms.get(0), ms.get(1), outZp, sy, DType.I8, -128, 127, R);
        return node(name, op, x, w, b);
    }
}
