package nncc.cpu;

import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Cast;
import nncc.ir.op.Conv;
import nncc.ir.op.Flatten;
import nncc.ir.op.Gemm;
import nncc.ir.op.MaxPool;
import nncc.ir.op.Relu;

/**
 * The Fashion-MNIST-sized CNN of the throughput target, with random weights: conv 1->16->32->32 (3x3, pad 1)
 * on 28x28 with two 2x2 max pools, then FC 1568->64->10; about 1.57 M multiply-adds per image.
 */
final class FashionCnn {
    private FashionCnn() {}

    /** Input {@code input: f32[?N,1,28,28]}, output {@code logits: f32[?N,10]}. */
    static Graph build(long seed) { return build(seed, DType.F32); }

    /**
     * The same network with weights and activations of float type {@code t}; for a narrower type than f32 the
     * f32 input is cast to {@code t} and the logits back to f32. The weights are the f32 weights rounded to {@code t}.
     */
    static Graph build(long seed, DType t) {
        Random r = new Random(seed);
        TestGraphs.Builder b = new TestGraphs.Builder();
        Value x = b.input("input", DType.F32, Shape.withSymbols(new long[] {0, 1, 28, 28}, new String[] {"N", null, null, null}));
        if (t != DType.F32) x = b.node(new Cast(t), "input_cast", x);
        x = convRelu(b, r, t, "conv1", x, 1, 16);
        x = b.node(pool(), "pool1", x);
        x = convRelu(b, r, t, "conv2", x, 16, 32);
        x = b.node(pool(), "pool2", x);
        x = convRelu(b, r, t, "conv3", x, 32, 32);
        x = b.node(new Flatten(1), "flat", x);
        x = b.node(new Relu(), "fc1_relu", b.node(new Gemm(1, 1, false, true), "fc1", x,
                b.constant("fc1_w", weights(r, t, 64, 1568)), b.constant("fc1_b", weights(r, t, 64))));
        Value logits = b.node(new Gemm(1, 1, false, true), "logits", x,
                b.constant("fc2_w", weights(r, t, 10, 64)), b.constant("fc2_b", weights(r, t, 10)));
        if (t != DType.F32) logits = b.node(new Cast(DType.F32), "logits_cast", logits);
        return b.output(logits);
    }

    private static Value convRelu(TestGraphs.Builder b, Random r, DType t, String name, Value x, int in, int out) {
        Value conv = b.node(Conv.of2d(1, 1), name, x,
                b.constant(name + "_w", weights(r, t, out, in, 3, 3)), b.constant(name + "_b", weights(r, t, out)));
        return b.node(new Relu(), name + "_relu", conv);
    }

    private static MaxPool pool() {
        return new MaxPool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), List.of(1, 1), false, 0);
    }

    /** He-style random weights for a tensor whose fan-in is the product of all dims but the first. */
    private static Tensor weights(Random r, DType t, long... dims) {
        Shape s = Shape.of(dims);
        int n = (int) s.numElements();
        double fanIn = dims.length > 1 ? n / (double) dims[0] : 1;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * Math.sqrt(2 / fanIn));
        return Tensor.ofFloats(t, s, v);
    }

    /** {@code n} random images in [0, 1) as f32[n,1,28,28]. */
    static Tensor images(Random r, int n) {
        float[] v = new float[n * 784];
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat();
        return Tensor.ofFloats(Shape.of(n, 1, 28, 28), v);
    }
}
