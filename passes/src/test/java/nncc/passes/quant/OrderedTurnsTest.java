package nncc.passes.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The ordered hand-over of {@link OrderedTraceRun} ({@link nncc.passes.calib.OrderedHandover}): every value's chunks reach the consumer in chunk order, one at a
 * time, with the elements they had when they arrived (a chunk that arrives early is copied), whatever the threads'
 * timing; and a thread running ahead does leave copies instead of always waiting.
 */
class OrderedTurnsTest {
    @Test void chunksAreConsumedInOrderOneAtATimeWhateverTheTiming() throws Exception {
        for (int threads = 2; threads <= 4; threads++) {
            int units = 23;
            String[] names = {"a", "b", "c"};
            nncc.passes.calib.OrderedHandover turns = new nncc.passes.calib.OrderedHandover();
            Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
            Map<String, AtomicBoolean> busy = new ConcurrentHashMap<>();
            for (String n : names) { seen.put(n, new ArrayList<>()); busy.put(n, new AtomicBoolean()); }
            AtomicInteger next = new AtomicInteger();
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            nncc.passes.calib.OrderedHandover.Consumer consumer = (name, shape, values) -> {
                assertFalse(busy.get(name).getAndSet(true), "two chunks of " + name + " consumed at once");
                pause(new Random(values.length * 31L + name.hashCode()), 2);
                assertEquals(values.length, shape[0]);
                for (float v : values) assertEquals(values[0], v, "elements changed after they were handed over");
                seen.get(name).add((int) values[0]);
                busy.get(name).set(false);
            };
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers[t] = Thread.ofPlatform().start(() -> {
                    Random r = new Random(id);
                    try {
                        for (int u; (u = next.getAndIncrement()) < units; ) {
                            for (String n : names) {
                                pause(r, id == 0 ? 6 : 1); // thread 0 is held back, as a busy machine does
                                float[] v = new float[1 + u % 5];
                                java.util.Arrays.fill(v, u);
                                turns.inOrder(n, u, new int[] {v.length}, v, consumer);
                                java.util.Arrays.fill(v, -1f); // the caller's array is reused at once: copies must not see it
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                        turns.fail(e);
                    }
                });
            }
            for (Thread w : workers) w.join();
            assertTrue(errors.isEmpty(), errors.toString());
            for (String n : names) {
                List<Integer> want = new ArrayList<>();
                for (int u = 0; u < units; u++) want.add(u);
                assertEquals(want, seen.get(n), n + " on " + threads + " threads");
            }
            assertTrue(turns.earlyCopies() > 0, "no chunk was ever handed over early on " + threads + " threads");
        }
    }

    private static void pause(Random r, int maxMillis) {
        try {
            Thread.sleep(r.nextInt(maxMillis + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
