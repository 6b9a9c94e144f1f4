package nncc.cpu;

import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.Graph;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Dequantize;
import nncc.ir.op.Flatten;
import nncc.ir.op.MaxPool;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.Quantize;

/**
 * The int8 version of {@link FashionCnn}'s shape with random int8 weights, as the lowering passes would produce it:
 * Quantize, QConv 1->16->32->32 (3x3, pad 1, fused Relu) with int8 max pools, QGemm 1568->64 (Relu) -> 10,
 * Dequantize. Multipliers are chosen so that activations use a good part of the int8 range.
 */
final class QuantizedFashionCnn {
    private QuantizedFashionCnn() {}

    private static final float INPUT_SCALE = 1f / 255;

    /** Input {@code input: f32[?N,1,28,28]} in [0, 1), output {@code logits: f32[?N,10]}. */
    static Graph build(long seed) {
        Random r = new Random(seed);
        TestGraphs.Builder b = new TestGraphs.Builder();
        Value x = b.input("input", DType.F32, Shape.withSymbols(new long[] {0, 1, 28, 28}, new String[] {"N", null, null, null}));
        x = b.node(new Quantize(INPUT_SCALE, -128, DType.I8), "quantize", x);
        x = conv(b, r, "conv1", x, 1, 16, -128);
        x = b.node(pool(), "pool1", x);
        x = conv(b, r, "conv2", x, 16, 32, -128);
        x = b.node(pool(), "pool2", x);
        x = conv(b, r, "conv3", x, 32, 32, -128);
        x = b.node(new Flatten(1), "flat", x);
        x = gemm(b, r, "fc1", x, 1568, 64, true);
        x = gemm(b, r, "fc2", x, 64, 10, false);
        return b.output(b.node(new Dequantize(0.1f, 0), "logits", x));
    }

    private static Value conv(TestGraphs.Builder b, Random r, String name, Value x, int in, int out, long inZp) {
        int k = in * 9;
        List<Integer>[] m = multipliers(r, out, k);
        QConv op = new QConv(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 1, inZp, m[0], m[1], -128, 0.05f, DType.I8,
                -128, 127, Rounding.DOUBLE_ROUND);
        return b.node(op, name, x, b.constant(name + "_w", weights(r, out, in, 3, 3)), b.constant(name + "_b", bias(r, out)));
    }

    private static Value gemm(TestGraphs.Builder b, Random r, String name, Value x, int in, int out, boolean relu) {
        List<Integer>[] m = multipliers(r, out, in);
        QGemm op = new QGemm(-128, m[0], m[1], relu ? -128 : 0, 0.1f, DType.I8, -128, 127, Rounding.DOUBLE_ROUND);
        return b.node(op, name, x, b.constant(name + "_w", weights(r, out, in)), b.constant(name + "_b", bias(r, out)));
    }

    /**
     * Per-channel (multiplier, shift) for an accumulator of {@code k} products of (x - zp) (rms about 100) and
     * weights (rms about 73): about three standard deviations map onto the 256 output steps.
     */
    @SuppressWarnings("unchecked")
    private static List<Integer>[] multipliers(Random r, int channels, int k) {
        Integer[] mult = new Integer[channels], shift = new Integer[channels];
        for (int c = 0; c < channels; c++) {
            double real = 256 / (3 * Math.sqrt(k) * 100 * 73) * (0.8 + 0.4 * r.nextDouble());
            FixedPoint.Multiplier q = FixedPoint.quantizeMultiplier(real, Rounding.DOUBLE_ROUND);
            mult[c] = q.multiplier();
            shift[c] = q.shift();
        }
        return new List[] {List.of(mult), List.of(shift)};
    }

    private static MaxPool pool() {
        return new MaxPool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), List.of(1, 1), false, 0);
    }

    private static Tensor weights(Random r, long... dims) {
        Shape s = Shape.of(dims);
        long[] v = new long[(int) s.numElements()];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(255) - 127;
        return Tensor.ofLongs(DType.I8, s, v);
    }

    private static Tensor bias(Random r, int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = r.nextInt(20001) - 10000;
        return Tensor.ofLongs(DType.I32, Shape.of(n), v);
    }
}
