package nncc.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
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
import nncc.ir.op.LutFunction;
import nncc.ir.op.Op;
import nncc.ir.op.QAdd;
import nncc.ir.op.Activation;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.QLut;
import nncc.ir.op.QMean;
import nncc.ir.op.QMul;
import nncc.ir.op.QSoftmax;
import nncc.ir.op.Requantize;

/**
 * Builds lowered (integer) graphs by hand: seeded random int8 weights with per-channel scales and int32 biases,
 * and every requantization number computed from the scales as TFLite's Prepare functions compute them
 * (QuantizeMultiplier, the ADD left shift of 20, PreprocessSoftmaxScaling, lookup tables).
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

    /** Appends a node with one output typed by the op's own inference, named {@code <name>_out}. */
    Value node(String name, Op op, Value... in) {
        TensorType t = op.inferTypes(List.of(in).stream().map(Value::type).toList()).get(0);
        Value out = new Value(name + "_out", t);
        g.addNode(new Node(name, op, List.of(in), List.of(out)));
        return out;
    }

    void output(Value v) { g.addOutput(v); }

    static QuantParams q(Value v) { return v.type().quant(); }

    static FixedPoint.Multiplier multiplier(double real) { return FixedPoint.quantizeMultiplier(real, R); }

    /** Per-channel int8 weights of {@code shape} (dim 0 = output channels), scales in [0.005, 0.02]. */
    Value weights(String name, long... shape) {
        int c = (int) shape[0];
        long[] w = new long[Math.toIntExact(Shape.of(shape).numElements())];
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextInt(255) - 127;
        float[] s = new float[c];
        for (int i = 0; i < c; i++) s[i] = 0.005f + 0.015f * rnd.nextFloat();
        return g.addConstant(name, Tensor.ofLongs(DType.I8, Shape.of(shape), w), QuantParams.perAxis(0, s, new long[c]));
    }

    Value bias(String name, int c) {
        long[] b = new long[c];
        for (int i = 0; i < c; i++) b[i] = rnd.nextInt(8001) - 4000;
        return g.addConstant(name, Tensor.ofLongs(DType.I32, Shape.of(c), b));
    }

    /** An output scale that keeps a K-term dot product of random int8 operands mostly inside int8. */
    static float outputScale(Value x, Value w, long k) {
        double sw = 0;
        for (float s : q(w).scales()) sw += s / q(w).count();
        return (float) (q(x).scale(0) * sw * 60 * Math.sqrt(k));
    }

    private static List<List<Integer>> perChannel(Value x, Value w, float sy) {
        List<Integer> m = new ArrayList<>(), s = new ArrayList<>();
        for (float sw : q(w).scales()) {
            FixedPoint.Multiplier mq = multiplier((double) q(x).scale(0) * sw / sy);
            m.add(mq.multiplier());
            s.add(mq.shift());
        }
        return List.of(m, s);
    }

    /** A convolution with a clamp of its own (the activation it stands for, if any, is derived). */
    Value conv(String name, Value x, int outC, int k, int stride, int pad, long outZp, int actMin, int actMax) {
        return conv(name, x, outC, k, stride, pad, 1, outZp, actMin, actMax);
    }

    Value conv(String name, Value x, int outC, int k, int stride, int pad, int group, long outZp, int actMin, int actMax) {
        return convLayer(name, x, outC, k, stride, pad, group, outZp, null, actMin, actMax);
    }

    Value conv(String name, Value x, int outC, int k, int stride, int pad, long outZp, Activation act) {
        return conv(name, x, outC, k, stride, pad, 1, outZp, act);
    }

    /** A grouped convolution (depthwise when {@code group} equals the input channels) with a fused activation. */
    Value conv(String name, Value x, int outC, int k, int stride, int pad, int group, long outZp, Activation act) {
        return convLayer(name, x, outC, k, stride, pad, group, outZp, act, 0, 0);
    }

    Value gemm(String name, Value x, int outN, long outZp, int actMin, int actMax) {
        return gemmLayer(name, x, outN, outZp, null, actMin, actMax);
    }

    Value gemm(String name, Value x, int outN, long outZp, Activation act) {
        return gemmLayer(name, x, outN, outZp, act, 0, 0);
    }

    /** The clamp: {@code act}'s bounds on the output grid, or [lo, hi] (with the activation they stand for) when act is null. */
    private static int[] clamp(Activation act, int lo, int hi, float sy, long zp) {
        return act != null ? act.clampBounds(sy, zp, DType.I8) : new int[] {lo, hi};
    }

    private static Activation named(Activation act, int[] clamp, float sy, long zp) {
        if (act != null) return act;
        Activation a = Activation.ofClamp(clamp[0], clamp[1], sy, zp, DType.I8);
        return a == null ? Activation.NONE : a;
    }

    private Value convLayer(String name, Value x, int outC, int k, int stride, int pad, int group, long outZp, Activation act,
                            int lo, int hi) {
        long inC = x.type().shape().dim(1) / group;
        Value w = weights(name + "_w", outC, inC, k, k);
        Value b = bias(name + "_b", outC);
        float sy = outputScale(x, w, inC * k * k);
        List<List<Integer>> ms = perChannel(x, w, sy);
        int[] c = clamp(act, lo, hi, sy, outZp);
        return node(name, new QConv(List.of(stride, stride), List.of(pad, pad, pad, pad), List.of(1, 1), group,
                q(x).zeroPoint(0), ms.get(0), ms.get(1), outZp, sy, DType.I8, c[0], c[1], R, DType.I32, 8,
                named(act, c, sy, outZp)), x, w, b);
    }

    private Value gemmLayer(String name, Value x, int outN, long outZp, Activation act, int lo, int hi) {
        long k = x.type().shape().dim(1);
        Value w = weights(name + "_w", outN, k);
        Value b = bias(name + "_b", outN);
        float sy = outputScale(x, w, k);
        List<List<Integer>> ms = perChannel(x, w, sy);
        int[] c = clamp(act, lo, hi, sy, outZp);
        return node(name, new QGemm(q(x).zeroPoint(0), ms.get(0), ms.get(1), outZp, sy, DType.I8, c[0], c[1], R,
                DType.I32, 8, named(act, c, sy, outZp)), x, w, b);
    }

    /** TFLite int8 ADD: both inputs rescaled to twice the larger input scale after a left shift of 20. */
    Value add(String name, Value a, Value b, float outScale, long outZp) {
        double sa = q(a).scale(0), sb = q(b).scale(0), twiceMax = 2 * Math.max(sa, sb);
        FixedPoint.Multiplier ma = multiplier(sa / twiceMax), mb = multiplier(sb / twiceMax);
        FixedPoint.Multiplier mo = multiplier(twiceMax / ((1 << 20) * (double) outScale));
        return node(name, new QAdd(q(a).zeroPoint(0), q(b).zeroPoint(0), 20, ma.multiplier(), ma.shift(), mb.multiplier(),
                mb.shift(), mo.multiplier(), mo.shift(), outZp, outScale, DType.I8, -128, 127, R), a, b);
    }

    Value mul(String name, Value a, Value b, float outScale, long outZp) {
        FixedPoint.Multiplier m = multiplier((double) q(a).scale(0) * q(b).scale(0) / outScale);
        return node(name, new QMul(q(a).zeroPoint(0), q(b).zeroPoint(0), m.multiplier(), m.shift(), outZp, outScale,
                DType.I8, -128, 127, R), a, b);
    }

    Value requantize(String name, Value x, QuantParams to) {
        FixedPoint.Multiplier m = multiplier((double) q(x).scale(0) / to.scale(0));
        return node(name, new Requantize(q(x).zeroPoint(0), m.multiplier(), m.shift(), to.zeroPoint(0), to.scale(0),
                DType.I8, R), x);
    }

    Value mean(String name, Value x, List<Integer> axes, boolean keepDims, float outScale, long outZp) {
        long n = 1;
        for (int a : axes) n *= x.type().shape().dim(a < 0 ? a + x.type().rank() : a);
        FixedPoint.Multiplier m = multiplier(q(x).scale(0) / ((double) outScale * n));
        return node(name, new QMean(axes, keepDims, q(x).zeroPoint(0), m.multiplier(), m.shift(), outZp, outScale,
                DType.I8, R), x);
    }

    /** A table of {@code f} over every int8 input, quantized half away from zero to the output parameters. */
    Value lut(String name, Value x, LutFunction fn, float alpha, float beta, DoubleUnaryOperator f, float outScale, long outZp) {
        long[] table = new long[256];
        for (int i = 0; i < 256; i++) {
            double y = f.applyAsDouble(q(x).scale(0) * (double) (i - 128 - q(x).zeroPoint(0)));
            table[i] = Math.clamp(FixedPoint.roundHalfAway(y / outScale) + outZp, -128, 127);
        }
        Value t = g.addConstant(name + "_table", Tensor.ofLongs(DType.I8, Shape.of(256), table));
        return node(name, new QLut(fn, alpha, beta, DType.I8, outScale, outZp), x, t);
    }

    /** TFLite PreprocessSoftmaxScaling with beta 1 and 5 integer bits; output 1/256 with zero point -128. */
    Value softmax(String name, Value x, int axis) {
        double real = Math.min(q(x).scale(0) * (double) (1L << 26), (1L << 31) - 1.0);
        FixedPoint.Multiplier m = multiplier(real);
        double radius = 31.0 * (1L << 26) / Math.pow(2, m.shift());
        int diffMin = -(int) Math.floor(radius);
        return node(name, new QSoftmax(axis, m.multiplier(), m.shift(), diffMin, 1 / 256f, -128, DType.I8), x);
    }

    /**
     * A softmax with {@code out} output (TFLite's fixed output parameters) and beta 1, its three numbers from
     * {@link nncc.ir.FixedPointMath#softmaxScaling} (what the lowering pass calls).
     */
    Value softmax(String name, Value x, int axis, DType out) {
        nncc.ir.FixedPointMath.SoftmaxScaling s = nncc.ir.FixedPointMath.softmaxScaling(1.0, q(x).scale(0));
        QuantParams fixed = QSoftmax.fixedOutputParams(x.type().dtype(), out);
        return node(name, new QSoftmax(axis, s.inputMultiplier(), s.inputLeftShift(), s.diffMin(), fixed.scale(0), fixed.zeroPoint(0), out), x);
    }

    /**
     * Softmax cases for the code generators' bit-exactness tests, on three inputs: int8 x [1, 4, 6, 40] of scale 0.5
     * (diffMin -31, so random inputs often fall below the cut-off) along its last axis to int8, along axis 1 to uint8
     * and along axis 2 to int16; int8 w [1, 1000] of scale 0.0005, whose sum of exponentials passes 512 (every
     * output the minimum); uint8 u [1, 3, 30] of scale 0.1 to uint8. Five outputs in that order.
     */
    static LoweredGraphs softmaxCoverage() {
        LoweredGraphs b = new LoweredGraphs("softmaxes", 17);
        Value x = b.input("x", 0.5f, 3, 1, 4, 6, 40);
        Value w = b.input("w", 0.0005f, 0, 1, 1000);
        Value u = new Value("u", new TensorType(DType.U8, Shape.of(1, 3, 30), QuantParams.perTensor(0.1f, 128)));
        b.g.addInput(u);
        b.output(b.softmax("last_i8", x, -1, DType.I8));
        b.output(b.softmax("channels_u8", x, 1, DType.U8));
        b.output(b.softmax("rows_i16", x, 2, DType.I16));
        b.output(b.softmax("wide_row", w, 1, DType.I8));
        b.output(b.softmax("from_u8", u, 2, DType.U8));
        return b;
    }

    /** A sample of {@link #softmaxCoverage}: random, or (edge) x constant at 127 and w, u at their extremes. */
    List<Tensor> softmaxSample(boolean edge) {
        long[] u = new long[90];
        for (int i = 0; i < u.length; i++) u[i] = edge ? (i % 2) * 255 : rnd.nextInt(256);
        Tensor x = edge ? Tensor.ofLongs(DType.I8, Shape.of(1, 4, 6, 40), filled(960, 127)) : randomInt8(1, 4, 6, 40);
        Tensor w = edge ? Tensor.ofLongs(DType.I8, Shape.of(1, 1000), filled(1000, -128)) : randomInt8(1, 1000);
        return List.of(x, w, Tensor.ofLongs(DType.U8, Shape.of(1, 3, 30), u));
    }

    private static long[] filled(int n, long v) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** Seeded uniform int8 tensor. */
    Tensor randomInt8(long... dims) {
        long[] v = new long[Math.toIntExact(Shape.of(dims).numElements())];
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextInt(256) - 128;
        return Tensor.ofLongs(DType.I8, Shape.of(dims), v);
    }

    /**
     * The layers the bundled models lack, in one graph for the code generators' bit-exactness tests: a strided
     * convolution, depthwise and grouped ones, average and max pools with padding, a broadcast mean and add, mul, a
     * tanh table, requantize, pad, flatten, a Concat whose inputs differ in quantization and a fully connected layer;
     * with {@code transposeLut}, the tanh output is transposed to channels-last before it is flattened. Two outputs
     * (the Gemm and the table); the input is int8 [1, 6, 9, 9] (see {@link #randomInt8}).
     */
    static LoweredGraphs kernelCoverage(boolean transposeLut) {
        LoweredGraphs b = new LoweredGraphs("kernels", 81);
        Value x = b.input("x", 0.05f, 7, 1, 6, 9, 9);
        Value c1 = b.conv("conv_s2", x, 8, 3, 2, 1, 3, 0, 127);            // [1,8,5,5], relu
        Value dw = b.conv("depthwise", c1, 8, 3, 1, 1, 8, -5, -128, 127);  // group = channels
        Value grouped = b.conv("grouped", dw, 4, 1, 1, 0, 2, 2, -100, 100);  // [1,4,5,5], 2 groups
        Value avg = b.node("avg", new nncc.ir.op.QAveragePool(List.of(3, 3), List.of(2, 2), List.of(1, 1, 1, 1), false, -128, 127), grouped);
        Value max = b.node("max", new nncc.ir.op.MaxPool(List.of(2, 2), List.of(1, 1), List.of(1, 1, 0, 0), List.of(1, 1), false, 0), grouped);
        Value mean = b.mean("mean", grouped, List.of(2, 3), true, 0.04f, 3);                 // [1,4,1,1]
        Value sum = b.add("add_broadcast", max, mean, 0.1f, -4);                              // [1,4,5,5] + [1,4,1,1]
        Value prod = b.mul("mul", sum, max, 0.3f, 9);
        Value lut = b.lut("tanh", prod, LutFunction.TANH, 0, 0, Math::tanh, 1 / 128f, 0);
        Value rq = b.requantize("requant", avg, QuantParams.perTensor(0.07f, -20));
        Value padded = b.node("pad", new nncc.ir.op.Pad(List.of(0L, 0L, 1L, 0L, 0L, 0L, 0L, 2L), nncc.ir.op.Pad.Mode.CONSTANT, -20f), rq);
        Value flatIn = transposeLut ? b.node("transpose", new nncc.ir.op.Transpose(List.of(0, 2, 3, 1)), lut) : lut;
        Value flatLut = b.node("flat_lut", new nncc.ir.op.Flatten(1), flatIn);
        Value flatPad = b.node("flat_pad", new nncc.ir.op.Flatten(1), padded);
        // Concat keeps no quantization of inputs that differ in it (lowering requantizes them first): state the output's
        Value cat = new Value("concat_out", new TensorType(DType.I8, Shape.of(1, 180), QuantParams.perTensor(0.05f, 0)));
        b.g.addNode(new Node("concat", new nncc.ir.op.Concat(1), List.of(flatLut, flatPad), List.of(cat)));
        Value fc = b.gemm("fc", cat, 10, 3, -128, 127);
        b.output(fc);
        b.output(lut);
        return b;
    }
}
