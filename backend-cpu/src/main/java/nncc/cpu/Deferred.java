package nncc.cpu;

import java.util.List;
import java.util.function.Supplier;

/**
 * Work a kernel does once, after its node is prepared and before its first run needs the result (packing a layer's
 * constant weights): done by the first caller of {@link #get}, which other callers wait for. The interpreter lists
 * these in node order, so that a thread with nothing else to do may do them ahead of a first run
 * ({@link Interpreter#packWeights}); the result is the same whichever thread does it.
 */
final class Deferred<T> implements Supplier<T> {
    private Supplier<T> work;
    private volatile T value;

    private Deferred(Supplier<T> work) { this.work = work; }

    /** {@code work} (which must not return null), deferred and added to {@code queue}. */
    static <T> Deferred<T> of(Supplier<T> work, List<Deferred<?>> queue) {
        Deferred<T> d = new Deferred<>(work);
        synchronized (queue) {
            queue.add(d);
        }
        return d;
    }

    @Override public T get() {
        T v = value;
        if (v != null) return v;
        synchronized (this) {
            if (value == null) {
                value = java.util.Objects.requireNonNull(work.get(), "deferred work gave null");
                work = null;
            }
            return value;
        }
    }
}
