package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.Conv;
import nncc.ir.op.QConv;
import org.junit.jupiter.api.Test;

/**
 * Runs a float and an int8 convolution stack (3x3, depthwise, pointwise, each large enough to be split over threads)
 * on 1, 2 and 3 threads, for one image (output channels split) and a batch of 5 (images split): the outputs must be
 * the same bits, with both kernel sets.
 */
class ThreadCountsAgreeTest {

    @Test
    void floatConvolutionsGiveTheSameBitsOnAnyThreadCount() {
        Random r = new Random(31);
        Graph g = floatConvolutions(r);
        for (int batch : new int[] {1, 5}) assertSameOnAllThreadCounts(g, floats(r, batch, 8, 28, 28), "float, batch " + batch);
    }

    @Test
    void int8ConvolutionsGiveTheSameBitsOnAnyThreadCount() {
        Random r = new Random(32);
        Graph g = int8Convolutions(r);
        for (int batch : new int[] {1, 5}) assertSameOnAllThreadCounts(g, int8(r, batch, 8, 28, 28), "int8, batch " + batch);
    }

    /** x: f32[?N,8,28,28] -> 3x3 conv 8->32 (Relu6) -> depthwise 3x3 -> pointwise 32->48. */
    static Graph floatConvolutions(Random r) {
        TestGraphs.Builder b = new TestGraphs.Builder();
        Value x = b.input("x", DType.F32, Shape.withSymbols(new long[] {1, 8, 28, 28}, new String[] {"N", null, null, null}));
        Value c1 = b.node(new Conv(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 1, Activation.RELU6), "c1", x,
                b.constant("w1", floats(r, 32, 8, 3, 3)), b.constant("b1", floats(r, 32)));
        Value c2 = b.node(new Conv(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 32, Activation.NONE), "c2", c1,
                b.constant("w2", floats(r, 32, 1, 3, 3)), b.constant("b2", floats(r, 32)));
        Value c3 = b.node(new Conv(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), 1, Activation.NONE), "c3", c2,
                b.constant("w3", floats(r, 48, 32, 1, 1)), b.constant("b3", floats(r, 48)));
        return b.output(c3);
    }

    /** The int8 form of {@link #floatConvolutions}: x: i8[?N,8,28,28]. */
    static Graph int8Convolutions(Random r) {
        TestGraphs.Builder b = new TestGraphs.Builder();
        Value x = b.input("x", DType.I8, Shape.withSymbols(new long[] {1, 8, 28, 28}, new String[] {"N", null, null, null}));
        Value c1 = b.node(qconv(r, 32, 1, 1), "c1", x, b.constant("w1", int8(r, 32, 8, 3, 3)), b.constant("b1", int32(r, 32)));
        Value c2 = b.node(qconv(r, 32, 32, 1), "c2", c1, b.constant("w2", int8(r, 32, 1, 3, 3)), b.constant("b2", int32(r, 32)));
        Value c3 = b.node(qconv(r, 48, 1, 0), "c3", c2, b.constant("w3", int8(r, 48, 32, 1, 1)), b.constant("b3", int32(r, 48)));
        return b.output(c3);
    }

    private static void assertSameOnAllThreadCounts(Graph g, Tensor x, String what) {
        for (KernelSet set : KernelSet.values()) {
            Tensor one = new Interpreter(g, set, 1).run(List.of(x)).get(0);
            for (int threads : new int[] {2, 3}) {
                Tensor many = new Interpreter(g, set, threads).run(List.of(x)).get(0);
                assertEquals(one.shape(), many.shape(), what);
                assertArrayEquals(one.rawBytes(), many.rawBytes(), what + ", " + set + ", " + threads + " threads");
            }
        }
        // the split really happened: the kernel pool's threads exist
        assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("nncc-kernel")), "no kernel threads ran");
    }

    private static QConv qconv(Random r, int outChannels, int group, int pad) {
        List<Integer> mult = new ArrayList<>(), shift = new ArrayList<>();
        for (int c = 0; c < outChannels; c++) { mult.add((1 << 30) + r.nextInt(1 << 30)); shift.add(-6 - r.nextInt(4)); }
        return new QConv(List.of(1, 1), List.of(pad, pad, pad, pad), List.of(1, 1), group, -3, mult, shift, 2, 0.1f, DType.I8,
                -128, 127, Rounding.DOUBLE_ROUND);
    }

    static Tensor floats(Random r, long... shape) {
        float[] f = new float[(int) Shape.of(shape).numElements()];
        for (int i = 0; i < f.length; i++) f[i] = (float) r.nextGaussian();
        return Tensor.ofFloats(Shape.of(shape), f);
    }

    static Tensor int8(Random r, long... shape) {
        return Tensor.ofLongs(DType.I8, Shape.of(shape), r.longs(Shape.of(shape).numElements(), -128, 128).toArray());
    }

    private static Tensor int32(Random r, long n) {
        return Tensor.ofLongs(DType.I32, Shape.of(n), r.longs(n, -20000, 20000).toArray());
    }
}
