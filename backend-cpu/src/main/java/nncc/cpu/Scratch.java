package nncc.cpu;

/**
 * Per-thread working buffers of the kernels (im2col columns, accumulators, padded planes), kept between runs so a
 * steady-state inference does not allocate them again. A kernel takes distinct {@link Slot}s for buffers it uses at
 * the same time; buffers hold garbage from earlier runs, so a kernel writes every element it reads. Kernels run one
 * after another on a thread, never nested, so a slot is never in use twice at once.
 */
final class Scratch {
    private Scratch() {}

    /** The buffers one kernel may hold at the same time. */
    enum Slot { COLUMNS, ACCUMULATORS, PLANES, RUN, INPUT }

    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[Slot.values().length][]);
    private static final ThreadLocal<int[][]> INTS = ThreadLocal.withInitial(() -> new int[Slot.values().length][]);
    private static final ThreadLocal<long[][]> LONGS = ThreadLocal.withInitial(() -> new long[Slot.values().length][]);

    /** This thread's float buffer of the slot, at least {@code size} long (contents unspecified). */
    static float[] floats(Slot slot, int size) {
        float[][] all = FLOATS.get();
        float[] b = all[slot.ordinal()];
        if (b == null || b.length < size) all[slot.ordinal()] = b = new float[size];
        return b;
    }

    /** This thread's int buffer of the slot, at least {@code size} long (contents unspecified). */
    static int[] ints(Slot slot, int size) {
        int[][] all = INTS.get();
        int[] b = all[slot.ordinal()];
        if (b == null || b.length < size) all[slot.ordinal()] = b = new int[size];
        return b;
    }

    /** This thread's long buffer of the slot, at least {@code size} long (contents unspecified). */
    static long[] longs(Slot slot, int size) {
        long[][] all = LONGS.get();
        long[] b = all[slot.ordinal()];
        if (b == null || b.length < size) all[slot.ordinal()] = b = new long[size];
        return b;
    }
}
