package nncc.cpu;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.TensorType;

/**
 * What a kernel factory may look at while preparing a node: the node, its declared input types and the data
 * of inputs that are graph constants (so weights can be decoded and packed once), which kernel set to prepare, over
 * how many threads a kernel may split its work, and where work deferred to the first run is listed.
 */
record NodeContext(Node node, List<TensorType> inputTypes, NdArray[] constants, KernelSet kernels, Parallel parallel,
                   List<Deferred<?>> deferred) {

    /**
     * A context whose deferred work ({@link #defer}) is done on first use only (a kernel wrapping another passes its own
     * {@link #deferred} list on instead, so that {@link Interpreter#packWeights} reaches the inner kernel's work too).
     */
    NodeContext(Node node, List<TensorType> inputTypes, NdArray[] constants, KernelSet kernels, Parallel parallel) {
        this(node, inputTypes, constants, kernels, parallel, new java.util.ArrayList<>());
    }

    /** A context whose kernels run on one thread. */
    NodeContext(Node node, List<TensorType> inputTypes, NdArray[] constants, KernelSet kernels) {
        this(node, inputTypes, constants, kernels, Parallel.SERIAL);
    }

    /** A context whose kernels are the best this JVM supports. */
    NodeContext(Node node, List<TensorType> inputTypes, NdArray[] constants) {
        this(node, inputTypes, constants, KernelSet.best());
    }

    /**
     * {@code work} done once, by the first run that needs it or ahead of it ({@link Interpreter#packWeights}): for
     * preparation that costs time in proportion to the weights, such as packing them.
     */
    <T> java.util.function.Supplier<T> defer(java.util.function.Supplier<T> work) { return Deferred.of(work, deferred); }

    /** Whether the Vector API kernels run this node. */
    boolean vector() { return kernels.supported() == KernelSet.VECTOR; }

    int inputCount() { return inputTypes.size(); }

    boolean hasInput(int i) { return i < inputTypes.size(); }

    DType dtype(int i) { return inputTypes.get(i).dtype(); }

    /** The constant data of input i, or null when it is computed at run time (or absent). */
    NdArray constant(int i) { return i < constants.length ? constants[i] : null; }

    /** An error naming this node. */
    ModelException error(String message) { return node.error(message); }

    /** Fails unless input i's dtype is one of {@code allowed}. */
    void requireDType(int i, String what, DType... allowed) {
        DType t = dtype(i);
        for (DType a : allowed) if (a == t) return;
        StringBuilder b = new StringBuilder();
        for (DType a : allowed) b.append(b.length() == 0 ? "" : ", ").append(a.text());
        throw error(what + " of type " + t.text() + " is not supported by the CPU interpreter (supported: " + b + ")");
    }

    /** Fails unless input i is f32, f16 or bf16. */
    void requireFloat32(int i, String what) { requireDType(i, what, DType.F32, DType.F16, DType.BF16); }

    /** Fails unless input i is an 8-bit integer type. */
    void requireInt8(int i, String what) { requireDType(i, what, DType.U8, DType.I8); }
}
