package nncc.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The persistent worker threads behind {@link Parallel} for one thread count: {@code threads - 1} daemon threads that
 * take the parts of a job together with the calling thread. A job is handed over by publishing it in a volatile field
 * (no executor queue, no futures): a worker that finished a job spins for {@link #SPIN_NANOS} watching for the next
 * one, so the kernels of one inference reach it within a microsecond, and then parks, so an idle interpreter costs no
 * CPU; the caller unparks only parked workers. Parts are claimed from a counter, so the caller takes whatever parts a
 * late worker has not claimed yet. One caller at a time ({@link #acquire}); others run their work inline.
 */
final class Team {
    /**
     * How long a worker watches for the next job before parking (between two layers of a run, say; system property
     * {@code nncc.spinMicros}). Waking a parked thread costs tens of microseconds on a virtual machine.
     */
    static final long SPIN_NANOS = Long.getLong("nncc.spinMicros", 100) * 1000;

    /** How long the caller spins for the workers' last parts before parking (system property {@code nncc.waitSpinMicros}). */
    static final long WAIT_SPIN_NANOS = Long.getLong("nncc.waitSpinMicros", 50) * 1000;

    /** One job: {@code parts} parts, claimed by counting up; finished when {@code done} reaches {@code parts}. */
    private static final class Job {
        final IntConsumer part;
        final int parts;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;
        /** The caller, once it has parked waiting for the workers' last parts (woken by the part that finishes the job). */
        volatile Thread waiter;

        Job(IntConsumer part, int parts) {
            this.part = part;
            this.parts = parts;
        }

        /** Claims and runs parts until none is left. */
        void work() {
            for (int p; (p = next.getAndIncrement()) < parts; ) {
                try {
                    part.accept(p);
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    if (done.incrementAndGet() == parts) {
                        Thread w = waiter;
                        if (w != null) LockSupport.unpark(w);
                    }
                }
            }
        }
    }

    /** Published when no job runs, so finished jobs (and the arrays their parts captured) are not kept reachable. */
    private static final Job IDLE = new Job(p -> {}, 0);

    private final Thread[] workers;
    private final AtomicBoolean[] parked;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Job job = IDLE;

    Team(int threads) {
        workers = new Thread[threads - 1];
        parked = new AtomicBoolean[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            int index = w;
            parked[w] = new AtomicBoolean();
            workers[w] = new Thread(() -> workLoop(index), "nncc-kernel-" + (w + 1) + "-of-" + threads);
            workers[w].setDaemon(true);
            workers[w].start();
        }
    }

    /** Takes the team for one job; false when another caller has it. */
    boolean acquire() { return busy.compareAndSet(false, true); }

    void release() { busy.set(false); }

    /** Runs {@code part} for every part in {@code [0, parts)} on the caller and the workers; returns when all are done. */
    void run(int parts, IntConsumer part) {
        Job j = new Job(part, parts);
        job = j;
        for (int w = 0; w < workers.length; w++) if (parked[w].get()) LockSupport.unpark(workers[w]);
        j.work();
        // a worker still runs a part: it is probably running now, so spin a little, then park (a descheduled worker on a
        // loaded machine needs this core more than the spinning caller does); the part that finishes the job unparks
        long until = System.nanoTime() + WAIT_SPIN_NANOS;
        while (j.done.get() < parts && System.nanoTime() < until) Thread.onSpinWait();
        if (j.done.get() < parts) {
            j.waiter = Thread.currentThread();
            while (j.done.get() < parts) LockSupport.park(this);
        }
        job = IDLE;
        Throwable t = j.failure;
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException(t);
    }

    private void workLoop(int index) {
        Job seen = IDLE;
        for (;;) {
            Job j = job;
            if (j == seen) {
                long until = System.nanoTime() + SPIN_NANOS;
                while ((j = job) == seen && System.nanoTime() < until) Thread.onSpinWait();
                if (j == seen) {
                    parked[index].set(true); // then look again: a job published before this store is seen below,
                    while ((j = job) == seen) LockSupport.park(this); // one published after it finds the flag and unparks
                    parked[index].set(false);
                }
            }
            seen = j;
            j.work();
        }
    }
}
