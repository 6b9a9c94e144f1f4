package nncc.passes.calib;

/**
 * Streamed statistics of one float value over the calibration data, reduced at the end to the {@link Range} the
 * value should represent. State is fixed-size (a few numbers or one histogram), so memory does not grow with
 * the number of samples.
 *
 * <p>The protocol {@link CalibratePass} drives: for each pass {@code p < passes()}, every chunk of the value's
 * elements goes to {@link #observe}, and {@link #endBatch} follows each calibration batch (a batch may arrive
 * as several chunks when the model's batch dimension is fixed at 1). Work is split across threads by giving
 * each extra thread a {@link #fork()} at the start of a pass and {@link #merge merging} it back at the end;
 * {@link #endPass} then runs once on the merged observer. Observers whose result depends on the order of the
 * batches say so with {@link #mergeable()} {@code == false} and are run on one thread. A mergeable observer must not
 * depend on batch boundaries either: its chunks are shared out to threads without regard to batches, and
 * {@link #endBatch} is called only on observers that are not mergeable.
 */
public interface Observer {
    /** How many passes over the data this observer needs (1, or 2 for histogram observers). */
    int passes();

    /**
     * Feeds elements of the value seen in pass {@code pass}; NaNs are ignored. {@code values} may be the interpreter's
     * own array: it is read, never written, and not kept after the call.
     */
    void observe(int pass, float[] values);

    /** Marks the end of one calibration batch in pass {@code pass}. */
    default void endBatch(int pass) {}

    /** Called once on the merged observer after pass {@code pass}, before the next pass forks it. */
    default void endPass(int pass) {}

    /** A fresh observer for another thread: the same settings and what finished passes learned, no statistics of the current pass. */
    Observer fork();

    /** Folds the current-pass statistics of {@code other}, a {@link #fork()} of this observer, into this one. */
    void merge(Observer other);

    /** Whether {@link #merge} is supported (the result depends neither on the order of the batches nor on their boundaries). */
    default boolean mergeable() { return true; }

    /** The smallest and largest finite-or-infinite values seen ([0, 0] when none were seen). */
    Range observed();

    /** The chosen range, after all passes. */
    Range range();

    /** The fine histogram a histogram observer built in its last pass, or null. */
    default Histogram histogram() { return null; }
}
