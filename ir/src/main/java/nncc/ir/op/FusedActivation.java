package nncc.ir.op;

/**
 * A float op that clamps its result with a fused activation (Conv, ConvTranspose, Gemm, Add, Sub, Mul): what
 * activation fusion folds a following Relu or Clip into, and what lowering reads as the integer clamp.
 */
public sealed interface FusedActivation permits Conv, ConvTranspose, Gemm, Add, Sub, Mul {
    /** The fused activation ({@link Activation#NONE} when there is none). */
    Activation activation();

    /** The same op with activation {@code a}. */
    FloatOp withActivation(Activation a);
}
