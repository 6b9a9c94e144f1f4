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
    static float[] floats(int n) {
        Cursor c = CURSOR.get();
        if (c.arrays == null || c.taken) return new float[n];
        c.taken = true;
        if (c.arrays[c.step] instanceof float[] f && f.length == n) return f;
        float[] f = new float[n];
        c.arrays[c.step] = f;
        return f;
    }

    /** An array of {@code n} bytes for the running step's output, contents unspecified. */
    static byte[] bytes(int n) {
        Cursor c = CURSOR.get();
        if (c.arrays == null || c.taken) return new byte[n];
        c.taken = true;
        if (c.arrays[c.step] instanceof byte[] b && b.length == n) return b;
        byte[] b = new byte[n];
        c.arrays[c.step] = b;
        return b;
    }

    /** An array of {@code n} shorts for the running step's output, contents unspecified. */
    static short[] shorts(int n) {
        Cursor c = CURSOR.get();
        if (c.arrays == null || c.taken) return new short[n];
        c.taken = true;
        if (c.arrays[c.step] instanceof short[] s && s.length == n) return s;
        short[] s = new short[n];
        c.arrays[c.step] = s;
        return s;
    }
}
