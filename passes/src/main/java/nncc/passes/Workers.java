package nncc.passes;

import java.util.concurrent.CountDownLatch;
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

    /**
     * Holds the helper workers of a job back until worker 0 has finished its first unit of work (or stopped), when the
     * job has more units than workers. The first unit of a forward pass meets every kernel of the model before the JIT
     * has compiled it: helpers running the same code uncompiled meanwhile would take a core from the compiler for
     * little progress, and everything would be compiled later (ResNet-50 calibration, 32 images on 2 threads: the
     * last image was done about 0.8 s sooner). A helper may do work of its own before it waits (calibration's helper
     * packs the layers' weights ahead of worker 0). A job whose work is not a forward pass, or that runs again on warm
     * kernels, need not use one.
     */
    public static final class FirstUnitGate {
        private final CountDownLatch firstDone = new CountDownLatch(1);

        /** A gate that holds helpers back when there are more {@code units} than {@code workers}, else lets them pass. */
        public FirstUnitGate(int units, int workers) {
            if (units <= workers) firstDone.countDown();
        }

        /** Helpers call this before taking their first unit: it returns once worker 0 has {@link #open opened} it. */
        public void await() {
            try {
                firstDone.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the helper goes on at once; the caller's loop sees the flag if it checks
            }
        }

        /** Worker 0 calls this after each of its units and when it stops, failed or not (later calls do nothing). */
        public void open() { firstDone.countDown(); }
    }
}
