package nncc.cpu;

import nncc.ir.Node;

/**
 * Receives chosen float outputs while the {@link Interpreter} runs, as the interpreter's own arrays: the hook behind
 * calibration and bias correction, which read every activation once and keep nothing, so the per-output copies
 * {@link TraceSink} makes (into a {@link nncc.ir.Tensor} and back) are left out. Called on the thread that runs the
 * graph, in graph order, right after the node ran.
 */
public interface FloatTraceSink {
    /** Whether output {@code output} of {@code node} should be reported (asked once per output per run). */
    boolean wants(Node node, int output);

    /**
     * Output {@code output} of {@code node}, row-major with dims {@code shape}: for f32 outputs the interpreter's own
     * array, which must not be written and must not be kept after the call returns; other float types (f16, bf16,
     * f64) arrive as {@code Tensor.toFloats()} of the output gives them. Integer outputs are never reported.
     */
    void accept(Node node, int output, int[] shape, float[] values);
}
