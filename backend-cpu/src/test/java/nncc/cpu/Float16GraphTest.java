package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.FloatBits;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.Add;
import nncc.ir.op.AveragePool;
import nncc.ir.op.BatchNormalization;
import nncc.ir.op.Cast;
import nncc.ir.op.Concat;
import nncc.ir.op.Conv;
import nncc.ir.op.Flatten;
import nncc.ir.op.Gemm;
import nncc.ir.op.GlobalAveragePool;
import nncc.ir.op.HardSwish;
import nncc.ir.op.MatMul;
import nncc.ir.op.MaxPool;
import nncc.ir.op.Pad;
import nncc.ir.op.ReduceMean;
import nncc.ir.op.Sigmoid;
import nncc.ir.op.Softmax;
import nncc.ir.op.Transpose;
import org.junit.jupiter.api.Test;

/**
 * Whole-fp16 graphs (weights and activations f16, Cast at the edges) run on the float kernels, which compute in
 * float32 and round every output to f16. Checked against the same graph in f32 and for every f16 intermediate
 * holding only f16 values.
 */
class Float16GraphTest {

    @Test
    void fashionCnnInHalfPrecisionTracksFloat() {
        Graph half = FashionCnn.build(1, DType.F16), full = FashionCnn.build(1, DType.F32);
        Tensor images = FashionCnn.images(new Random(2), 32);
        float[] h = runCheckingHalfValues(half, images), f = new Interpreter(full).run(List.of(images)).get(0).toFloats();
        // f16 keeps 11 significant bits: weights and every layer output are rounded to a relative 2^-12; after five
        // layers the logits differ by up to 0.09% of the row's largest logit (observed), we allow 0.5%
        int differing = 0;
        for (int n = 0; n < 32; n++) {
            double scale = 1e-3;
            for (int j = 0; j < 10; j++) scale = Math.max(scale, Math.abs(f[n * 10 + j]));
            for (int j = 0; j < 10; j++) {
                int i = n * 10 + j;
                assertTrue(Math.abs(h[i] - f[i]) <= 0.005 * scale, "image " + n + " logit " + j + ": " + h[i] + " vs " + f[i]);
                if (h[i] != f[i]) differing++;
            }
        }
        assertTrue(differing > 100, "the f16 graph should not reproduce f32 bit for bit, " + differing + " of 320 differ");
    }

    @Test
    void manyOpsInHalfPrecisionTrackFloat() {
        Tensor x = randomInput(new Random(4), 3);
        float[] h = runCheckingHalfValues(manyOps(DType.F16), x);
        float[] f = new Interpreter(manyOps(DType.F32)).run(List.of(x)).get(0).toFloats();
        // probabilities near 0.2 after a dozen f16 roundings (one f16 step there is 2.4e-4; 2e-4 observed): we allow 2e-3
        assertEquals(f.length, h.length);
        for (int i = 0; i < f.length; i++) assertTrue(Math.abs(h[i] - f[i]) <= 2e-3, "output " + i + ": " + h[i] + " vs " + f[i]);
    }

    /** Runs the graph, asserting that every f16 value any node produces is an f16 number; returns output 0. */
    private static float[] runCheckingHalfValues(Graph g, Tensor input) {
        int[] halfNodes = {0};
        Tensor y = new Interpreter(g).run(List.of(input), (node, outs) -> {
            for (Tensor t : outs) {
                if (t.dtype() != DType.F16) continue;
                halfNodes[0]++;
                for (float v : t.toFloats()) assertEquals(FloatBits.roundToF16(v), v, 0f, node.name());
            }
        }).get(0);
        assertTrue(halfNodes[0] >= 8, "only " + halfNodes[0] + " f16 nodes");
        return y.toFloats();
    }

    /**
     * Conv + fused Relu6, BatchNorm, MaxPool, depthwise Conv, residual Add, Sigmoid, Pad, AveragePool, Concat,
     * Transpose, HardSwish, GlobalAveragePool, Flatten, Gemm, MatMul, ReduceMean, Softmax, in type {@code t}.
     */
    private static Graph manyOps(DType t) {
        Random r = new Random(8);
        TestGraphs.Builder b = new TestGraphs.Builder();
        Value x = b.input("x", DType.F32, Shape.of(3, 3, 8, 8));
        if (t != DType.F32) x = b.node(new Cast(t), "to_half", x);
        Value c1 = b.node(Conv.of2d(1, 1).withActivation(Activation.RELU6), "conv1", x, w(b, r, t, "w1", 8, 3, 3, 3), w(b, r, t, "b1", 8));
        Value bn = b.node(new BatchNormalization(1e-5f), "bn", c1, w(b, r, t, "g", 8), w(b, r, t, "be", 8), w(b, r, t, "mu", 8),
                b.constant("var", positive(r, t, 8)));
        Value p = b.node(new MaxPool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), List.of(1, 1), false, 0), "pool", bn);
        Value dw = b.node(new Conv(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 8), "dw", p, w(b, r, t, "wd", 8, 1, 3, 3));
        Value res = b.node(new Add(Activation.RELU), "res", dw, p);
        Value sig = b.node(new Sigmoid(), "sig", res);
        Value pad = b.node(new Pad(List.of(0L, 0L, 1L, 1L, 0L, 0L, 1L, 1L), Pad.Mode.CONSTANT, 0.1f), "pad", sig);
        Value avg = b.node(new AveragePool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), false, false), "avg", pad);
        Value cat = b.node(new Concat(1), "cat", avg, b.node(new HardSwish(), "hs", avg));
        Value tr = b.node(new Transpose(List.of(0, 1, 3, 2)), "tr", cat);
        Value gap = b.node(new GlobalAveragePool(), "gap", tr);
        Value flat = b.node(new Flatten(1), "flat", gap);
        Value fc = b.node(new Gemm(1, 1, false, true), "fc", flat, w(b, r, t, "wf", 6, 16), w(b, r, t, "bf", 6));
        Value mm = b.node(new MatMul(), "mm", fc, w(b, r, t, "wm", 6, 6));
        Value mean = b.node(new ReduceMean(List.of(1), true), "mean", mm);
        Value centered = b.node(new nncc.ir.op.Sub(), "centered", mm, mean);
        Value y = b.node(new Softmax(1), "softmax", centered);
        if (t != DType.F32) y = b.node(new Cast(DType.F32), "to_float", y);
        return b.output(y);
    }

    private static Value w(TestGraphs.Builder b, Random r, DType t, String name, long... dims) {
        float[] v = new float[(int) Shape.of(dims).numElements()];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian() * 0.5f;
        return b.constant(name, Tensor.ofFloats(t, Shape.of(dims), v));
    }

    private static Tensor positive(Random r, DType t, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = 0.5f + r.nextFloat();
        return Tensor.ofFloats(t, Shape.of(n), v);
    }

    private static Tensor randomInput(Random r, int batch) {
        float[] v = new float[batch * 3 * 64];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Tensor.ofFloats(Shape.of(batch, 3, 8, 8), v);
    }
}
