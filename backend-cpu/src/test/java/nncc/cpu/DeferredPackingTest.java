package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

/**
 * Constant conv weights are packed once, by the first run that reaches them or ahead of it by
 * {@link Interpreter#packWeights} on another thread: the work runs once however many threads ask, and the outputs are
 * the same bits either way, on both kernel sets.
 */
class DeferredPackingTest {
    @Test void deferredWorkRunsOnceForConcurrentCallers() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        List<Deferred<?>> queue = new ArrayList<>();
        Supplier<float[]> packed = Deferred.of(() -> {
            runs.incrementAndGet();
            try {
                Thread.sleep(50); // long enough for the other callers to arrive while it runs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new float[] {1, 2, 3};
        }, queue);
        assertEquals(1, queue.size());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> callers = new ArrayList<>();
        float[][] seen = new float[6][];
        for (int t = 0; t < seen.length; t++) {
            int i = t;
            callers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                seen[i] = packed.get();
            }));
        }
        start.countDown();
        for (Thread th : callers) th.join(10_000);
        assertEquals(1, runs.get(), "packed once");
        for (float[] s : seen) {
            assertNotNull(s);
            assertEquals(seen[0], s, "every caller gets the one result");
        }
    }

    static Graph convNet() {
        Random r = new Random(4);
        StringBuilder w1 = new StringBuilder(), w2 = new StringBuilder();
        for (int i = 0; i < 12 * 3 * 9; i++) w1.append(i == 0 ? "" : ", ").append((float) r.nextGaussian() * 0.3f);
        for (int i = 0; i < 8 * 12; i++) w2.append(i == 0 ? "" : ", ").append((float) r.nextGaussian() * 0.3f);
        return IrParser.parse("""
                graph @g {
                  input %x : f32[?N,3,10,10]
                  const %w1 : f32[12,3,3,3] = [W1]
                  const %w2 : f32[8,12,1,1] = [W2]
                  node @c1 = Conv {strides = [1, 1], pads = [1, 1, 1, 1], dilations = [1, 1], group = 1} (%x, %w1) -> (%y : f32[?N,12,10,10])
                  node @r = Relu (%y) -> (%a : f32[?N,12,10,10])
                  node @c2 = Conv {strides = [2, 2], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1} (%a, %w2) -> (%z : f32[?N,8,5,5])
                  output %z
                }
                """.replace("W1", w1).replace("W2", w2), "conv.nnir");
    }

    @Test void weightsPackedAheadGiveTheSameOutputs() throws Exception {
        Graph g = convNet();
        Random r = new Random(9);
        float[] x = new float[2 * 3 * 100];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        List<Tensor> in = List.of(Tensor.ofFloats(Shape.of(2, 3, 10, 10), x));
        for (KernelSet set : new KernelSet[] {KernelSet.SCALAR, KernelSet.best()}) {
            float[] onFirstUse = new Interpreter(g, set).run(in).get(0).toFloats();
            Interpreter ahead = new Interpreter(g, set);
            Thread packer = Thread.ofPlatform().start(ahead::packWeights); // racing the run below
            float[] racing = ahead.run(in).get(0).toFloats();
            packer.join(10_000);
            ahead.packWeights(); // again: nothing left to do
            float[] packedFirst = ahead.run(in).get(0).toFloats();
            Interpreter before = new Interpreter(g, set);
            before.packWeights();
            float[] packedBefore = before.run(in).get(0).toFloats();
            assertArrayEquals(onFirstUse, racing, 0f, set + ": packing raced by the first run");
            assertArrayEquals(onFirstUse, packedFirst, 0f, set + ": packed, then run again");
            assertArrayEquals(onFirstUse, packedBefore, 0f, set + ": packed before the first run");
        }
    }
}
