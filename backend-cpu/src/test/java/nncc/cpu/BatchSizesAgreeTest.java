package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Gemm;
import nncc.ir.op.MatMul;
import nncc.ir.op.Relu;
import nncc.ir.op.Softmax;
import nncc.ir.op.Transpose;
import org.junit.jupiter.api.Test;

/**
 * A batch gives every image the same bits as a run of that image alone, whatever the batch size, thread count and
 * kernel set: the float and int8 Fashion-MNIST CNNs and the float and int8 convolution stacks (3x3, depthwise,
 * pointwise) at batch 1, 3 and 32 on 1 and 2 threads, each kernel set against the scalar set's single-image runs.
 * Plain runs take the images one by one (the batch-1 kernel paths); traced runs keep the batch whole (the batched
 * paths: im2col over several images, the batched matrix products), so both are checked. Graphs whose ops mix the
 * images (a softmax over the batch, a Gram matrix) keep the batch whole, and so does an MLP (its batched matrix
 * products read each weight once per batch).
 */
class BatchSizesAgreeTest {
    private static final int[] BATCHES = {1, 3, 32};
    private static final int[] THREADS = {1, 2};

    @Test
    void floatFashionCnn() {
        assertBatchesAgree(FashionCnn.build(41), FashionCnn.images(new Random(42), 32), "float fashion CNN");
    }

    @Test
    void int8FashionCnn() {
        assertBatchesAgree(QuantizedFashionCnn.build(43), FashionCnn.images(new Random(44), 32), "int8 fashion CNN");
    }

    @Test
    void floatConvolutionStack() {
        Random r = new Random(45);
        assertBatchesAgree(ThreadCountsAgreeTest.floatConvolutions(r), ThreadCountsAgreeTest.floats(r, 32, 8, 28, 28), "float convolutions");
    }

    @Test
    void int8ConvolutionStack() {
        Random r = new Random(46);
        assertBatchesAgree(ThreadCountsAgreeTest.int8Convolutions(r), ThreadCountsAgreeTest.int8(r, 32, 8, 28, 28), "int8 convolutions");
    }

    @Test
    void convolutionNetsRunImageByImageAndAnMlpKeepsItsBatchedProducts() {
        Random r = new Random(48);
        for (Graph cnn : List.of(FashionCnn.build(1), QuantizedFashionCnn.build(2), ThreadCountsAgreeTest.floatConvolutions(r),
                ThreadCountsAgreeTest.int8Convolutions(r)))
            assertTrue(new Interpreter(cnn).runsImageByImage(), cnn.nodes().get(0).name());
        Graph mlp = mlp(r);
        assertFalse(new Interpreter(mlp).runsImageByImage(), "each weight serves one multiply-add per image");
        assertBatchesAgree(mlp, ThreadCountsAgreeTest.floats(r, 32, 256), "MLP");
    }

    /** x: f32[?N,256] -> Gemm 256->128 -> Relu -> Gemm 128->10. */
    private static Graph mlp(Random r) {
        TestGraphs.Builder b = new TestGraphs.Builder();
        Value x = b.input("x", DType.F32, Shape.withSymbols(new long[] {0, 256}, new String[] {"N", null}));
        Value h = b.node(new Relu(), "relu", b.node(new Gemm(1, 1, false, true), "fc1", x,
                b.constant("w1", ThreadCountsAgreeTest.floats(r, 128, 256)), b.constant("b1", ThreadCountsAgreeTest.floats(r, 128))));
        return b.output(b.node(new Gemm(1, 1, false, true), "fc2", h,
                b.constant("w2", ThreadCountsAgreeTest.floats(r, 10, 128)), b.constant("b2", ThreadCountsAgreeTest.floats(r, 10))));
    }

    @Test
    void graphsThatMixImagesKeepTheBatchWhole() {
        TestGraphs.Builder b = new TestGraphs.Builder();
        Shape batched = Shape.withSymbols(new long[] {0, 4}, new String[] {"N", null});
        Value x = b.input("x", DType.F32, batched);
        Value softmax = b.node(new Softmax(0), "softmax_over_images", x); // each column sums to 1 over the batch
        Graph acrossImages = b.output(softmax);
        TestGraphs.Builder g = new TestGraphs.Builder();
        Value y = g.input("y", DType.F32, batched);
        Value gram = g.node(new MatMul(), "gram", y, g.node(new Transpose(List.of(1, 0)), "transpose", y)); // [N,N]
        Graph gramMatrix = g.output(gram);
        assertFalse(new Interpreter(acrossImages).runsImageByImage());
        assertFalse(new Interpreter(gramMatrix).runsImageByImage());
        Tensor images = ThreadCountsAgreeTest.floats(new Random(47), 3, 4);
        for (Graph graph : List.of(acrossImages, gramMatrix))
            for (int threads : THREADS) {
                Interpreter interpreter = new Interpreter(graph, KernelSet.best(), threads);
                Tensor whole = interpreter.run(List.of(images), (node, outs) -> {}).get(0);
                Tensor plain = interpreter.run(List.of(images)).get(0);
                assertEquals(whole.shape(), plain.shape(), graph.nodes().get(0).name());
                assertArrayEquals(whole.rawBytes(), plain.rawBytes(), graph.nodes().get(0).name() + ", " + threads + " thread(s)");
            }
        float[] columnSums = new float[4];
        float[] p = new Interpreter(acrossImages).run(List.of(images)).get(0).toFloats();
        for (int i = 0; i < p.length; i++) columnSums[i % 4] += p[i];
        for (float sum : columnSums) assertEquals(1f, sum, 1e-5f, "softmax over the batch");
        assertTrue(p[0] < 0.999f, "softmax over 3 images, not over each image alone: " + p[0]);
    }

    private static void assertBatchesAgree(Graph g, Tensor images, String what) {
        Interpreter reference = new Interpreter(g, KernelSet.SCALAR, 1);
        List<byte[]> alone = new ArrayList<>();
        for (int i = 0; i < 32; i++) alone.add(reference.run(List.of(images.sliceBatch(i, i + 1))).get(0).rawBytes());
        for (KernelSet set : KernelSet.values()) {
            for (int threads : THREADS) {
                Interpreter interpreter = new Interpreter(g, set, threads);
                for (int batch : BATCHES) {
                    Tensor x = images.sliceBatch(0, batch);
                    String where = what + ", " + set + ", " + threads + " thread(s), batch " + batch;
                    assertImagesEqual(alone, interpreter.run(List.of(x)).get(0), where);
                    assertImagesEqual(alone, interpreter.run(List.of(x), (node, outs) -> {}).get(0), where + " (whole batch)");
                }
            }
        }
    }

    /** {@code y}'s images are the first {@code y.dim(0)} of {@code alone}, byte for byte. */
    private static void assertImagesEqual(List<byte[]> alone, Tensor y, String where) {
        int batch = (int) y.shape().dim(0);
        byte[] all = y.rawBytes();
        int size = all.length / batch;
        for (int i = 0; i < batch; i++) {
            assertEquals(alone.get(i).length, size, where);
            byte[] image = java.util.Arrays.copyOfRange(all, i * size, (i + 1) * size);
            assertArrayEquals(alone.get(i), image, where + ", image " + i);
        }
    }
}
