package nncc.passes.quant;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import nncc.cpu.FloatTraceSink;
import nncc.cpu.Interpreter;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.passes.calib.CalibrationData;

/**
 * Runs a float graph over calibration samples on several threads, chunk by chunk, and hands every traced value of
 * interest to a consumer in sample order: value X of chunk i is consumed only after value X of chunk i - 1, so
 * order-sensitive accumulations (floating-point sums) give exactly the result of one thread, while the forward
 * passes overlap. Each thread holds the intermediate tensors of one chunk, plus copies of values that arrived one
 * chunk early. Chunk i never waits on a later chunk, so the threads cannot deadlock.
 */
final class OrderedTraceRun {
    private OrderedTraceRun() {}

    /** Receives one traced float value of one chunk: its name, dims and elements (read only, not kept after the call). */
    @FunctionalInterface
    interface Consumer {
        void accept(String name, int[] shape, float[] values);
    }

    /**
     * Feeds samples [0, total) in chunks of {@code chunk} through {@code interpreter} on {@code threads} threads;
     * for every graph input and node output named in {@code wanted}, calls {@code consumer(name, tensor)} in sample
     * order. {@code source} names the data in errors.
     */
    static void run(Interpreter interpreter, CalibrationData data, int total, int chunk, int threads, Set<String> wanted,
                    Consumer consumer) {
        int units = (total + chunk - 1) / chunk;
        Turns turns = new Turns();
        AtomicInteger next = new AtomicInteger();
        Runnable work = () -> {
            try {
                for (int unit; !turns.failed() && (unit = next.getAndIncrement()) < units; ) {
                    int start = unit * chunk, count = Math.min(chunk, total - start), u = unit;
                    List<Tensor> part = data.batch(start, count);
                    for (int i = 0; i < interpreter.inputs().size(); i++) {
                        String name = interpreter.inputs().get(i).name();
                        Tensor t = part.get(i);
                        if (wanted.contains(name))
                            turns.inOrder(name, u, dims(t), t.toFloats(), consumer);
                    }
                    FloatTraceSink sink = new FloatTraceSink() {
                        @Override public boolean wants(Node node, int output) { return wanted.contains(node.output(output).name()); }

                        @Override public void accept(Node node, int output, int[] shape, float[] values) {
                            turns.inOrder(node.output(output).name(), u, shape, values, consumer);
                        }
                    };
                    try {
                        interpreter.runTracingFloats(part, sink);
                    } catch (ModelException e) {
                        throw new ModelException(e.file() != null ? e.file() : data.source(), e.node(), e.getRawMessage()
                                + " (calibration samples " + start + ".." + (start + count - 1) + ")", e);
                    }
                }
            } catch (RuntimeException | Error e) {
                turns.fail(e);
            }
        };
        int workers = Math.max(1, Math.min(threads, units));
        nncc.passes.Workers.run("nncc-correct-bias", "measuring layer inputs", workers, w -> work.run());
        turns.rethrow();
    }

    private static int[] dims(Tensor t) {
        int[] d = new int[t.shape().rank()];
        for (int i = 0; i < d.length; i++) d[i] = Math.toIntExact(t.shape().dim(i));
        return d;
    }

    /**
     * Per value, the chunk whose turn it is, and copies of values that arrived one chunk early; a failure wakes every
     * waiter. A thread whose chunk comes right after the one being consumed leaves a copy and runs on instead of
     * waiting (so a thread the machine holds back does not stall the other at every layer); the thread that consumes
     * a chunk's value then consumes the copies that follow it, in chunk order. A thread further ahead waits, which
     * bounds the copies to about one chunk's traced values.
     */
    static final class Turns {
        private final Map<String, Integer> turn = new HashMap<>();
        private final Map<String, Early> early = new HashMap<>(); // by value name: the copy for chunk turn + 1
        private Throwable failure;
        private long earlyCopies;

        private record Early(int unit, int[] shape, float[] values) {}

        void inOrder(String name, int unit, int[] shape, float[] values, Consumer consumer) {
            synchronized (this) {
                while (failure == null && turn.getOrDefault(name, 0) != unit
                        && !(turn.getOrDefault(name, 0) == unit - 1 && !early.containsKey(name))) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while measuring layer inputs", e);
                    }
                }
                if (failure != null) throw new IllegalStateException("another thread failed", failure);
                if (turn.getOrDefault(name, 0) != unit) { // one chunk early: leave a copy for the thread consuming the turn
                    early.put(name, new Early(unit, shape, values.clone()));
                    earlyCopies++;
                    return;
                }
            }
            consumer.accept(name, shape, values);
            for (int done = unit; ; ) {
                Early next;
                synchronized (this) {
                    turn.put(name, done + 1);
                    next = early.get(name);
                    if (next != null && next.unit() == done + 1) early.remove(name);
                    else next = null;
                    notifyAll();
                }
                if (next == null) return;
                consumer.accept(name, next.shape(), next.values());
                done = next.unit();
            }
        }

        /** How many values arrived one chunk early and were copied. */
        synchronized long earlyCopies() { return earlyCopies; }

        synchronized boolean failed() { return failure != null; }

        synchronized void fail(Throwable e) {
            if (failure == null) failure = e;
            notifyAll();
        }

        synchronized void rethrow() {
            if (failure instanceof RuntimeException r) throw r;
            if (failure instanceof Error err) throw err;
        }
    }
}
