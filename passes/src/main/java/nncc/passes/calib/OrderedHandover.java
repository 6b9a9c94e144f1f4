package nncc.passes.calib;

import java.util.HashMap;
import java.util.Map;

/**
 * Hands the traced values of chunks computed on several threads to one consumer in chunk (so sample) order: value X
 * of chunk i is consumed only after value X of chunk i - 1, so order-sensitive accumulations (floating-point sums)
 * give exactly the result of one thread. Bias correction's own trace run uses it, and calibration when it feeds a
 * {@link SharedTrace}. Chunk i never waits on a later chunk, so threads that take chunks in increasing order cannot
 * deadlock.
 *
 * <p>Per value: the chunk whose turn it is, and a copy of a value that arrived one chunk early; a failure wakes every
 * waiter. A thread whose chunk comes right after the one being consumed leaves a copy and runs on instead of
 * waiting (so a thread the machine holds back does not stall the other at every layer); the thread that consumes
 * a chunk's value then consumes the copies that follow it, in chunk order. A thread further ahead waits, which
 * bounds the copies to about one chunk's traced values.
 */
public final class OrderedHandover {
    /** Receives one traced float value of one chunk: its name, dims and elements (read only, not kept after the call). */
    @FunctionalInterface
    public interface Consumer {
        void accept(String name, int[] shape, float[] values);
    }

    private final Map<String, Integer> turn = new HashMap<>();
    private final Map<String, Early> early = new HashMap<>(); // by value name: the copy for chunk turn + 1
    private Throwable failure;
    private long earlyCopies;

    private record Early(int unit, int[] shape, float[] values) {}

    /** Consumes value {@code name} of chunk {@code unit} (0, 1, 2, ... per value) in its turn, or leaves a copy. */
    public void inOrder(String name, int unit, int[] shape, float[] values, Consumer consumer) {
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
    public synchronized long earlyCopies() { return earlyCopies; }

    public synchronized boolean failed() { return failure != null; }

    public synchronized void fail(Throwable e) {
        if (failure == null) failure = e;
        notifyAll();
    }

    public synchronized void rethrow() {
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error err) throw err;
    }
}
