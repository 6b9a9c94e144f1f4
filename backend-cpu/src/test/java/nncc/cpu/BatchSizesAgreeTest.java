package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.Graph;
import nncc.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A batch gives every image the same bits as a run of that image alone, whatever the batch size, thread count and
 * kernel set: the float and int8 Fashion-MNIST CNNs and the float and int8 convolution stacks (3x3, depthwise,
 * pointwise) at batch 1, 3 and 32 on 1 and 2 threads, each kernel set against the scalar set's single-image runs.
 * Plain runs take the images one by one (the batch-1 kernel paths); traced runs keep the batch whole (the batched
 * paths: im2col over several images, the batched matrix products), so both are checked.
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
