package nncc.cpu;

/**
 * Which implementation of the hot loops a prepared model runs: the scalar kernels (the reference, always available)
 * or the Vector API kernels ({@code jdk.incubator.vector}, used when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}). Both give the same results: the float products accumulate every
 * output element in the same order with the same fused multiply-adds, and integer results are bit-identical.
 * The scalar set is also the reference for storage: it holds every integer tensor as {@code long[]}, while the fast
 * set holds i8/u8 tensors as {@code byte[]} where its kernels produce them (QConv, QAdd, QMul, MaxPool), so comparing
 * the two sets checks the byte kernels against the long ones.
 */
enum KernelSet {
    SCALAR,
    VECTOR;

    private static final boolean VECTOR_MODULE_PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /**
     * The Vector API kernels when the module is present, unless the system property {@code nncc.kernels=scalar}
     * asks for the scalar ones.
     */
    static KernelSet best() {
        return VECTOR_MODULE_PRESENT && !"scalar".equals(System.getProperty("nncc.kernels")) ? VECTOR : SCALAR;
    }

    /** Whether the Vector API kernels can run in this JVM. */
    static boolean vectorAvailable() { return VECTOR_MODULE_PRESENT; }

    /** This set, or SCALAR when it asks for vectors the JVM does not have. */
    KernelSet supported() { return this == VECTOR && !VECTOR_MODULE_PRESENT ? SCALAR : this; }
}
