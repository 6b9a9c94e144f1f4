package nncc.ir;

/** How a requantization rounds; written into the IR so every backend rounds the same way. */
public enum Rounding {
    /**
     * gemmlowp / TFLite reference: SaturatingRoundingDoublingHighMul (round half away from zero) followed by
     * RoundingDivideByPOT (round half away from zero), i.e. two roundings.
     */
    DOUBLE_ROUND,
    /** TFLite built with TFLITE_SINGLE_ROUNDING: one 64-bit multiply, add half, arithmetic shift (round half up). */
    SINGLE_ROUND
}
