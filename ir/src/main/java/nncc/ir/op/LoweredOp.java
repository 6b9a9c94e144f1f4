package nncc.ir.op;

/**
 * Lowered integer compute: ops whose every number (zero points, multipliers, shifts, rounding, accumulator
 * type, clamp) is an attribute, so any backend computes them bit for bit from the IR alone (TFLite reference
 * arithmetic through {@link nncc.ir.FixedPoint}).
 */
public sealed interface LoweredOp extends Op permits QConv, QGemm, QAdd, QMul, QMean, QAveragePool, QLut, QSoftmax,
        QConvTranspose {}
