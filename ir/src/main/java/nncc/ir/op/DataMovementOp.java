package nncc.ir.op;

/**
 * Data movement: ops that select, reorder, copy or pad elements without arithmetic on their values, so they
 * run on any element type and pass quantization parameters through unchanged (MaxPool compares only, which
 * commutes with a monotonic quantization; Pad fills with the zero point of a quantized input).
 */
public sealed interface DataMovementOp extends Op permits MaxPool, Reshape, Flatten, Transpose, Concat, Squeeze, Unsqueeze, Pad, Gather, Identity, Dropout, Slice {}
