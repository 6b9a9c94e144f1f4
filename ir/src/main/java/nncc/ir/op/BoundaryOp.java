package nncc.ir.op;

/**
 * Boundaries between number representations: float to integer (Quantize), integer to float (Dequantize),
 * integer to integer with new parameters (Requantize) and plain type conversion (Cast).
 */
public sealed interface BoundaryOp extends Op permits Quantize, Dequantize, Requantize, Cast {}
