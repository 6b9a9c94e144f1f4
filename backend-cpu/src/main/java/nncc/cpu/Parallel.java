package nncc.cpu;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Splits a kernel's independent work (output channels, rows of a matrix product, images of a batch) over a fixed
 * number of threads: the calling thread and the persistent workers of a {@link Team} claim the parts one by one, so a
 * worker that is slow to wake (or descheduled on a loaded machine) costs at most the parts it has claimed: the caller
 * does the rest itself. The parts are cut at fixed places that depend only on the sizes and the thread count, and
 * every output element is computed by the same code whichever part it falls in and whichever thread runs it, so
 * results do not depend on the thread count. Work given from inside a part (a kernel of a batch part, say) runs
 * inline, so workers never wait on each other.
 */
final class Parallel {
    /** One thread: everything runs inline. */
    static final Parallel SERIAL = new Parallel(1);

    /**
     * Below this much work (multiply-adds) a split costs more than it saves. A handoff to a spinning worker costs about
     * a microsecond, to a parked one tens of microseconds on a virtual machine (the caller meanwhile runs parts itself,
     * so a late worker costs the handoff, not the work), and the worker's output reaches the next layer through the
     * other core's cache. At 20-40 GMAC/s per core, half a million multiply-adds take 12-25 us: splitting them saves
     * several handoffs' worth. (The system property {@code nncc.minWork} overrides it, for measuring.)
     */
    static final long MIN_WORK = Long.getLong("nncc.minWork", 500_000);

    /**
     * A depthwise convolution's multiply-add in matrix-product multiply-adds, for its work estimate: with one input
     * channel per output, a tap is a load, a multiply-add and a store to memory, against a matrix product's register
     * blocks (MobileNetV2's depthwise layers take 3-5x the time per multiply-add of its pointwise layers).
     */
    static final int DEPTHWISE_COST = 4;

    /**
     * Parts per thread of a kernel split: more than one, so a late worker leaves the caller parts to take (system
     * property {@code nncc.partsPerThread}).
     */
    static final int PARTS_PER_THREAD = Integer.getInteger("nncc.partsPerThread", 2);

    private static final ConcurrentHashMap<Integer, Team> TEAMS = new ConcurrentHashMap<>();
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
     * Runs {@code body} over {@code [0, count)} cut into at most {@link #PARTS_PER_THREAD} parts per thread whose bounds
     * are multiples of {@code grain} (except the end); inline when there is one thread, one part, less than
     * {@link #MIN_WORK} of {@code work} in all, when called from inside a part, or when another caller is using the
     * threads.
     */
    void forEach(int count, int grain, long work, Range body) {
        int units = (count + grain - 1) / grain;
        int parts = (int) Math.min(units, (long) threads * PARTS_PER_THREAD);
        if (threads == 1 || parts <= 1 || work < MIN_WORK || INSIDE.get()) {
            body.run(0, count);
            return;
        }
        run(count, grain, units, parts, body);
    }

    /**
     * Runs {@code body} over {@code [0, count)} in parts of {@code chunk} items (the last may be shorter), claimed one by
     * one by the threads: for coarse work such as the images of a batch, with no work threshold. Inline under the same
     * conditions as {@link #forEach} otherwise.
     */
    void forEachChunk(int count, int chunk, Range body) {
        int parts = (count + chunk - 1) / chunk;
        if (threads == 1 || parts <= 1 || INSIDE.get()) {
            body.run(0, count);
            return;
        }
        run(count, chunk, parts, parts, body);
    }

    private void run(int count, int grain, int units, int parts, Range body) {
        Team team = TEAMS.computeIfAbsent(threads, Team::new);
        if (!team.acquire()) { // another interpreter run holds the workers: this one stays on its own thread
            body.run(0, count);
            return;
        }
        try {
            team.run(parts, p -> {
                int from = bound(p, parts, units, grain, count), to = bound(p + 1, parts, units, grain, count);
                if (from < to) inside(body, from, to);
            });
        } finally {
            team.release();
        }
    }

    /** The start of part {@code p} of {@code parts}: a multiple of {@code grain}, capped at {@code count}. */
    private static int bound(int p, int parts, int units, int grain, int count) {
        return (int) Math.min(count, (long) units * p / parts * grain);
    }

    /** Whether the calling thread is running a part (so further splits run inline). */
    static boolean insidePart() { return INSIDE.get(); }

    private static void inside(Range body, int from, int to) {
        boolean was = INSIDE.get();
        INSIDE.set(true);
        try {
            body.run(from, to);
        } finally {
            INSIDE.set(was);
        }
    }
}
