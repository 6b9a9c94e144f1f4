package nncc.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import nncc.cpu.Interpreter;
import nncc.ir.Tensor;

/**
 * The measurement behind {@code nncc bench}: runs one prepared interpreter on the same inputs over and over on
 * {@code threads} threads, first for a warmup period, then for several timed rounds of equal length, and keeps
 * the images per second of each round, every node's accumulated time (from {@link Interpreter#runTimed}) and
 * every run's latency.
 */
final class BenchLoop {
    /**
     * Images per second of each timed round, each node's total nanoseconds over all timed runs, every timed run's
     * latency in nanoseconds (all threads), sorted, and the heap bytes the JVM's threads allocated during the timed
     * rounds (-1 where the JVM does not count them).
     */
    record Measurement(double[] imagesPerSecond, long runs, long[] nodeNanos, long[] latencies, long allocatedBytes) {
        /** The latency below which {@code fraction} of the runs finished (nearest rank). */
        long latencyPercentile(double fraction) {
            if (latencies.length == 0) return 0;
            int rank = (int) Math.ceil(fraction * latencies.length);
            return latencies[Math.max(0, Math.min(latencies.length - 1, rank - 1))];
        }

        double median() {
            double[] s = imagesPerSecond.clone();
            Arrays.sort(s);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        double min() { return Arrays.stream(imagesPerSecond).min().orElse(0); }

        double max() { return Arrays.stream(imagesPerSecond).max().orElse(0); }
    }

    private final Interpreter interpreter;
    private final List<Tensor> inputs;
    private final int imagesPerRun;
    private final int threads;
    private final int nodes;

    BenchLoop(Interpreter interpreter, List<Tensor> inputs, int imagesPerRun, int threads, int nodes) {
        this.interpreter = interpreter;
        this.inputs = List.copyOf(inputs);
        this.imagesPerRun = imagesPerRun;
        this.threads = threads;
        this.nodes = nodes;
    }

    /**
     * Warms up for {@code warmupNanos}, then runs {@code rounds} timed rounds of {@code roundNanos} each (every
     * thread finishes the run it started, and a round has at least one run per thread). {@code elapsedMillis}
     * hears how much of the whole time has passed, for a progress bar.
     */
    Measurement measure(long warmupNanos, int rounds, long roundNanos, LongConsumer elapsedMillis) {
        ExecutorService pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "nncc-bench");
            t.setDaemon(true);
            return t;
        });
        try {
            Clock clock = new Clock(elapsedMillis);
            if (warmupNanos > 0) round(pool, warmupNanos, clock);
            double[] perSecond = new double[rounds];
            long runs = 0;
            long[] nanos = new long[nodes];
            long[] latencies = new long[0];
            long allocatedBefore = allocatedBytes();
            for (int r = 0; r < rounds; r++) {
                long start = System.nanoTime();
                List<Worker> done = round(pool, roundNanos, clock);
                long elapsed = System.nanoTime() - start;
                long roundRuns = 0;
                for (Worker w : done) {
                    roundRuns += w.runs;
                    for (int k = 0; k < nodes; k++) nanos[k] += w.nodeNanos[k];
                    int have = latencies.length;
                    latencies = Arrays.copyOf(latencies, have + (int) w.runs);
                    System.arraycopy(w.latencies, 0, latencies, have, (int) w.runs);
                }
                runs += roundRuns;
                perSecond[r] = roundRuns * (double) imagesPerRun / (elapsed / 1e9);
            }
            long allocatedAfter = allocatedBytes();
            Arrays.sort(latencies);
            return new Measurement(perSecond, runs, nanos, latencies,
                    allocatedBefore < 0 || allocatedAfter < 0 ? -1 : allocatedAfter - allocatedBefore);
        } finally {
            if (pool != null) pool.shutdownNow();
        }
    }

    /** Heap bytes allocated so far by all live threads of the JVM (HotSpot's count), or -1 where it is not available. */
    static long allocatedBytes() {
        if (java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled())
            return t.getTotalThreadAllocatedBytes();
        return -1;
    }

    /** One round on every thread; returns each thread's counts. */
    private List<Worker> round(ExecutorService pool, long nanos, Clock clock) {
        long deadline = System.nanoTime() + nanos;
        if (pool == null) {
            Worker w = new Worker(clock);
            w.runUntil(deadline);
            return List.of(w);
        }
        List<Worker> workers = new ArrayList<>();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Worker w = new Worker(t == 0 ? clock : null);
            workers.add(w);
            futures.add(pool.submit(() -> w.runUntil(deadline)));
        }
        try {
            for (Future<?> f : futures) f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
        return workers;
    }

    /** One thread's share of a round: its run count and node times; the first thread also moves the clock. */
    private final class Worker {
        final long[] nodeNanos = new long[nodes];
        final Clock clock;
        long runs;
        long[] latencies = new long[64];

        Worker(Clock clock) { this.clock = clock; }

        void runUntil(long deadline) {
            do {
                long started = System.nanoTime();
                interpreter.runTimed(inputs, (step, node, ns) -> nodeNanos[step] += ns);
                if (runs == latencies.length) latencies = Arrays.copyOf(latencies, latencies.length * 2);
                latencies[(int) runs] = System.nanoTime() - started;
                runs++;
                if (clock != null) clock.tick();
            } while (System.nanoTime() < deadline);
        }
    }

    /** Reports whole milliseconds passed since the measurement started. */
    private static final class Clock {
        private final LongConsumer elapsedMillis;
        private final long start = System.nanoTime();
        private long reported;

        Clock(LongConsumer elapsedMillis) { this.elapsedMillis = elapsedMillis; }

        void tick() {
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (ms > reported) {
                elapsedMillis.accept(ms - reported);
                reported = ms;
            }
        }
    }
}
