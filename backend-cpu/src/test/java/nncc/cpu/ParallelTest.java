package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * {@link Parallel} and its {@link Team}: every item runs exactly once in parts cut at multiples of the grain, the
 * workers really take parts, small or nested work stays on the caller, a part's failure reaches the caller, and two
 * callers sharing a team both finish.
 */
class ParallelTest {
    private static final long BIG = Long.MAX_VALUE;

    @Test
    void everyItemRunsOnceInPartsCutAtTheGrain() {
        for (int threads : new int[] {2, 3}) {
            Parallel p = Parallel.of(threads);
            for (int count : new int[] {1, 5, 64, 101}) {
                AtomicIntegerArray runs = new AtomicIntegerArray(count);
                List<int[]> parts = Collections.synchronizedList(new ArrayList<>());
                p.forEach(count, 4, BIG, (from, to) -> {
                    parts.add(new int[] {from, to});
                    for (int i = from; i < to; i++) runs.incrementAndGet(i);
                });
                for (int i = 0; i < count; i++) assertEquals(1, runs.get(i), "item " + i + " of " + count + ", " + threads + " threads");
                for (int[] part : parts) {
                    assertEquals(0, part[0] % 4, "part start " + part[0]);
                    assertTrue(part[1] % 4 == 0 || part[1] == count, "part end " + part[1]);
                }
                assertTrue(parts.size() <= threads * Parallel.PARTS_PER_THREAD, parts.size() + " parts");
            }
        }
    }

    @Test
    void aWorkerTakesPartsOfBigWork() {
        Parallel p = Parallel.of(2);
        boolean workerRan = false;
        for (int attempt = 0; attempt < 2000 && !workerRan; attempt++) { // the caller takes every part while the worker wakes
            List<String> names = Collections.synchronizedList(new ArrayList<>());
            p.forEach(8, 1, BIG, (from, to) -> {
                names.add(Thread.currentThread().getName());
                long until = System.nanoTime() + 20_000;
                while (System.nanoTime() < until) Thread.onSpinWait();
            });
            workerRan = names.stream().anyMatch(n -> n.startsWith("nncc-kernel"));
        }
        assertTrue(workerRan, "no part ran on a worker in 2000 splits");
    }

    @Test
    void smallNestedAndSerialWorkRunsOnTheCaller() {
        Thread caller = Thread.currentThread();
        List<Thread> seen = Collections.synchronizedList(new ArrayList<>());
        Parallel.of(2).forEach(64, 1, Parallel.MIN_WORK - 1, (from, to) -> {
            assertEquals(0, from);
            assertEquals(64, to);
            seen.add(Thread.currentThread());
        });
        Parallel.SERIAL.forEach(64, 1, BIG, (from, to) -> seen.add(Thread.currentThread()));
        assertEquals(List.of(caller, caller), seen);
        Parallel.of(2).forEach(8, 1, BIG, (from, to) -> {
            Thread part = Thread.currentThread();
            Parallel.of(2).forEach(64, 1, BIG, (f, t) -> {
                assertSame(part, Thread.currentThread(), "a split inside a part stays on the part's thread");
                assertEquals(64, t - f);
            });
        });
    }

    @Test
    void aFailingPartFailsTheCallAndTheTeamStaysUsable() {
        Parallel p = Parallel.of(2);
        for (int failing = 0; failing < 4; failing++) {
            int bad = failing;
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.forEach(4, 1, BIG, (from, to) -> {
                if (from == bad) throw new IllegalStateException("part " + bad);
            }));
            assertEquals("part " + bad, e.getMessage());
        }
        AtomicIntegerArray runs = new AtomicIntegerArray(16);
        p.forEach(16, 1, BIG, (from, to) -> { for (int i = from; i < to; i++) runs.incrementAndGet(i); });
        for (int i = 0; i < 16; i++) assertEquals(1, runs.get(i));
    }

    @Test
    void callersSharingATeamBothFinishEveryItem() throws InterruptedException {
        Parallel p = Parallel.of(2);
        int rounds = 300, count = 32;
        AtomicIntegerArray[] runs = {new AtomicIntegerArray(count), new AtomicIntegerArray(count)};
        Thread[] callers = new Thread[2];
        for (int c = 0; c < 2; c++) {
            AtomicIntegerArray mine = runs[c];
            callers[c] = new Thread(() -> {
                for (int r = 0; r < rounds; r++) p.forEachChunk(count, 1, (from, to) -> { for (int i = from; i < to; i++) mine.incrementAndGet(i); });
            });
            callers[c].start();
        }
        for (Thread t : callers) t.join();
        for (AtomicIntegerArray mine : runs) for (int i = 0; i < count; i++) assertEquals(rounds, mine.get(i), "item " + i);
    }
}
