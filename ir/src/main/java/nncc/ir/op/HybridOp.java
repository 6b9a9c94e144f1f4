package nncc.ir.op;

/**
 * Hybrid (dynamic-range) ops: int8 weights, float activations quantized per sample at run time.
 */
public sealed interface HybridOp extends Op permits DynamicQuantConv, DynamicQuantGemm {}
