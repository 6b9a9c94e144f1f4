package nncc.cpu;

import nncc.ir.TensorType;

/**
 * One node's prepared computation. Built once per model by {@link Kernels#prepare}; {@link #run} may be
 * called by several threads at once, so a kernel keeps only immutable state (such as packed weights).
 */
@FunctionalInterface
interface Kernel {
    /**
     * Computes the node's outputs from its inputs. {@code outTypes} holds the concrete type of each output the
     * node asks for (optional outputs the node does not name are not computed); the result has one array each.
     */
    NdArray[] run(NdArray[] inputs, TensorType[] outTypes);
}
