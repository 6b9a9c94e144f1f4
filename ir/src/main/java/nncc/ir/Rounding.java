package nncc.ir;

/**
 * How a requantization rounds; written into the IR so every backend rounds the same way. Ops with int32
 * accumulators take {@link #DOUBLE_ROUND} or {@link #SINGLE_ROUND}; ops with int64 accumulators (16-bit
 * activations) take {@link #SINGLE_ROUND_Q15}, the only form TFLite's 16x8 kernels have.
 */
public enum Rounding {
    /**
     * gemmlowp / TFLite reference: SaturatingRoundingDoublingHighMul (the high 32 bits of 2ab, ties rounded
     * toward +infinity by gemmlowp's nudge and truncating division) followed by RoundingDivideByPOT (ties
     * rounded away from zero), i.e. two roundings.
     */
    DOUBLE_ROUND,
    /** TFLite built with TFLITE_SINGLE_ROUNDING: one 64-bit multiply, add half, arithmetic shift (ties toward +infinity). */
    SINGLE_ROUND,
    /**
     * TFLite's int64-accumulator MultiplyByQuantizedMultiplier (16x8 kernels, in both TFLite builds): the Q31
     * multiplier reduced to Q15 ({@code (m + 2^15) >> 16}, at most {@code 0x7FFF}), one 64-bit multiply, add half,
     * arithmetic shift by {@code 15 - shift}; shift in [-31, 7], accumulator in [-2^47, 2^47).
     */
    SINGLE_ROUND_Q15,
    /**
     * ONNX Runtime's float requantization (MLAS, x86): the op's own float32 effective scales, stored in the op
     * ({@code onnxScales}), e.g. {@code float(acc) * fl(fl(sx * sw) / sy)} rounded half to even for QConv/QGemm;
     * the formula per op is in {@link OnnxArithmetic}. int32 accumulators; chosen by the onnx target.
     */
    ONNX_FLOAT32;

    /** Whether this mode requantizes int64 accumulators (else int32). */
    public boolean wide() { return this == SINGLE_ROUND_Q15; }
}
