package nncc.passes;

import java.util.function.IntConsumer;

/**
 * Runs one job on several platform threads, the calling thread being worker 0: how the calibration, bias-correction
 * and weight-rounding passes spread their work over {@code --threads}. The job itself shares out the units (and
 * records failures); this only starts the helpers, runs worker 0 and waits for every helper.
 */
public final class Workers {
    private Workers() {}

    /**
     * Calls {@code job.accept(w)} for w in [0, count): w = 0 on this thread, the others on daemon threads named
     * {@code name-w}; returns when all have finished. {@code doing} names the work in the interruption message.
     */
    public static void run(String name, String doing, int count, IntConsumer job) {
        Thread[] helpers = new Thread[Math.max(0, count - 1)];
        for (int t = 0; t < helpers.length; t++) {
            int w = t + 1;
            helpers[t] = Thread.ofPlatform().name(name + "-" + w).daemon().start(() -> job.accept(w));
        }
        job.accept(0);
        for (Thread th : helpers) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + doing, e);
            }
        }
    }
}
