package nncc.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits a kernel's independent work (output channels, rows of a matrix product, images of a batch) over a fixed
 * number of threads: part 0 runs on the calling thread, the others on a shared pool of daemon threads. The parts are
 * cut at fixed places that depend only on the sizes and the thread count, and every output element is computed by
 * the same code whichever part it falls in, so results do not depend on the thread count. Work given from inside a
 * part (a kernel of a batch part, say) runs inline, so pool threads never wait on the pool.
 */
final class Parallel {
    /** One thread: everything runs inline. */
    static final Parallel SERIAL = new Parallel(1);

    /** Below this much work (multiply-adds, say) a split costs more than it saves. */
    static final long MIN_WORK = 150_000;

    private static final ConcurrentHashMap<Integer, ExecutorService> POOLS = new ConcurrentHashMap<>();
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

    private final int threads;

    private Parallel(int threads) { this.threads = threads; }

    /** The splitter for {@code threads} threads (1 or more). */
    static Parallel of(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        return threads == 1 ? SERIAL : new Parallel(threads);
    }

    int threads() { return threads; }

    /** The work of one part: items {@code [from, to)}. */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, count)} cut into at most {@link #threads} parts whose bounds are multiples of
     * {@code grain} (except the end); inline when there is one thread, one part, less than {@link #MIN_WORK} of
     * {@code work} in all, or when called from inside a part.
     */
    void forEach(int count, int grain, long work, Range body) {
        int parts = Math.min(threads, (count + grain - 1) / grain);
        if (parts <= 1 || work < MIN_WORK || INSIDE.get()) {
            body.run(0, count);
            return;
        }
        int units = (count + grain - 1) / grain;
        int[] bounds = new int[parts + 1];
        for (int p = 0; p <= parts; p++) bounds[p] = Math.min(count, (int) ((long) units * p / parts) * grain);
        ExecutorService pool = POOLS.computeIfAbsent(threads, Parallel::newPool);
        List<Future<?>> others = new ArrayList<>(parts - 1);
        for (int p = 1; p < parts; p++) {
            int from = bounds[p], to = bounds[p + 1];
            others.add(pool.submit(() -> inside(() -> body.run(from, to))));
        }
        RuntimeException failure = null;
        try {
            inside(() -> body.run(bounds[0], bounds[1]));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : others) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = new IllegalStateException("interrupted while waiting for kernel threads", e);
            }
        }
        if (failure != null) throw failure;
    }

    /** Whether the calling thread is running a part (so further splits run inline). */
    static boolean insidePart() { return INSIDE.get(); }

    private static void inside(Runnable r) {
        boolean was = INSIDE.get();
        INSIDE.set(true);
        try {
            r.run();
        } finally {
            INSIDE.set(was);
        }
    }

    private static ExecutorService newPool(int threads) {
        return Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "nncc-kernel");
            t.setDaemon(true);
            return t;
        });
    }
}
