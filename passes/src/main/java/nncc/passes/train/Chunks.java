package nncc.passes.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Splits each batch into a fixed number of chunks of consecutive images and runs a layer's work on them, on up to
 * {@code threads} threads. The chunking does not depend on the thread count and partial sums are reduced in chunk
 * order, so one and two threads give bit-identical training.
 */
final class Chunks implements AutoCloseable {
    final int count;
    private final ExecutorService pool;
    private int batch;

    Chunks(int count, int threads) {
        if (count < 1) throw new IllegalArgumentException("chunks must be >= 1, got " + count);
        this.count = count;
        int t = Math.max(1, Math.min(threads, count));
        this.pool = t == 1 ? null : Executors.newFixedThreadPool(t, r -> {
            Thread th = new Thread(r, "nncc-train");
            th.setDaemon(true);
            return th;
        });
    }

    void setBatch(int batch) { this.batch = batch; }

    int batch() { return batch; }

    /** First image of chunk {@code c}. */
    int start(int c) { return (int) ((long) batch * c / count); }

    int end(int c) { return (int) ((long) batch * (c + 1) / count); }

    /** Runs {@code body} for every chunk and waits; the first failure is rethrown. */
    void run(IntConsumer body) {
        if (pool == null) {
            for (int c = 0; c < count; c++) body.accept(c);
            return;
        }
        List<Future<?>> fs = new ArrayList<>(count);
        for (int c = 0; c < count; c++) {
            int chunk = c;
            fs.add(pool.submit(() -> body.accept(chunk)));
        }
        try {
            for (Future<?> f : fs) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("training interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
