package nncc.cpu;

/**
 * Output arrays of the interpreter's steps, kept per thread from one run to the next so a steady-state inference does
 * not allocate (and zero) its large intermediate tensors again. While a step runs, the {@link Interpreter} points this
 * thread's cursor at that step's slot; the kernel's first output request of the step then gets the array the step
 * produced in the previous run on this thread, when it has the right length. Safe because a run's tensors never
 * outlive it (outputs and traces leave as {@link nncc.ir.Tensor} copies) and each step runs once per run. Arrays come
 * back holding the previous run's values: kernels using this write every element. Outside an interpreter run, and for
 * further outputs of a step, a fresh array is returned.
 */
final class OutputBuffers {
    private OutputBuffers() {}

    /** This thread's position: the running interpreter's arrays for this thread, and the step. */
    private static final class Cursor {
        Object[] arrays;
        int step;
        boolean taken;
    }

    private static final ThreadLocal<Cursor> CURSOR = ThreadLocal.withInitial(Cursor::new);

    /** Called by the interpreter before step {@code step}: its first output request may reuse {@code arrays[step]}. */
    static void enter(Object[] arrays, int step) {
        Cursor c = CURSOR.get();
        c.arrays = arrays;
        c.step = step;
        c.taken = false;
    }

    /** Called by the interpreter after the step (also when it failed). */
    static void exit() { CURSOR.get().arrays = null; }

    /** An array of {@code n} floats for the running step's output, contents unspecified. */
    static float[] floats(int n) { return take(float[].class, n, float[]::new); }

    /** An array of {@code n} bytes for the running step's output, contents unspecified. */
    static byte[] bytes(int n) { return take(byte[].class, n, byte[]::new); }

    /** An array of {@code n} shorts for the running step's output, contents unspecified. */
    static short[] shorts(int n) { return take(short[].class, n, short[]::new); }

    /** The step's previous array of this type and length when the running step has not taken one yet, else a new one. */
    private static <A> A take(Class<A> type, int n, java.util.function.IntFunction<A> make) {
        Cursor c = CURSOR.get();
        if (c.arrays == null || c.taken) return make.apply(n);
        c.taken = true;
        Object previous = c.arrays[c.step];
        if (type.isInstance(previous) && java.lang.reflect.Array.getLength(previous) == n) return type.cast(previous);
        A a = make.apply(n);
        c.arrays[c.step] = a;
        return a;
    }
}
