package nncc.passes.calib;

import java.util.Set;

/**
 * A second reader of calibration's first float pass: {@link CalibratePass} hands it the named values (graph inputs or
 * node outputs) of samples [0, {@link #samples()}) in sample order, chunk by chunk, while it feeds its observers from
 * the same forward pass, so a pass that needs statistics of the float model (bias correction's mean layer inputs)
 * costs no forward pass of its own. Values are handed over in sample order whatever the threads (through
 * {@link OrderedHandover}), so order-sensitive sums equal those of a run of their own on one thread.
 */
public interface SharedTrace {
    /** The values to hand over. */
    Set<String> names();

    /** How many samples, from the first, to hand over (the rest are observed by calibration only). */
    int samples();

    /**
     * One value of one chunk: {@code shape[0]} samples (the chunk's, or fewer at the {@link #samples()} limit: a prefix
     * of {@code values}, which is read only and not kept after the call). Calls for one value come one at a time.
     */
    void accept(String name, int[] shape, float[] values);
}
