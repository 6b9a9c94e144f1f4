package nncc.ir.op;

/**
 * An activation fused into the op that produces a value (TFLite's fused activation functions): the output is
 * clamped to [min, max] after the op's own arithmetic.
 */
public enum Activation {
    NONE(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY), RELU(0f, Float.POSITIVE_INFINITY), RELU6(0f, 6f),
    RELU_N1_TO_1(-1f, 1f);

    private final float min;
    private final float max;

    Activation(float min, float max) {
        this.min = min;
        this.max = max;
    }

    public float min() { return min; }

    public float max() { return max; }

    /** Applies the clamp to one value. */
    public float apply(float v) { return v < min ? min : Math.min(v, max); }

    /**
     * The integer clamp of this activation on an output of type {@code t} with parameters (scale, zp), as TFLite's
     * CalculateActivationRangeQuantized computes it: {@code zp + round(bound / scale)} with the division in
     * float32 and ties away from zero, intersected with the type's range (an infinite bound leaves the type's end).
     * This is the one place the rule lives; lowering passes, importers and the verifier all call it.
     */
    public int[] clampBounds(float scale, long zp, nncc.ir.DType t) {
        long lo = t.minValue(), hi = t.maxValue();
        if (Float.isFinite(min)) lo = Math.max(lo, zp + nncc.ir.FixedPoint.roundHalfAway(min / scale));
        if (Float.isFinite(max)) hi = Math.min(hi, zp + nncc.ir.FixedPoint.roundHalfAway(max / scale));
        return new int[] {(int) lo, (int) Math.max(lo, hi)};
    }

    /**
     * This activation as the lowered IR states it: {@link #NONE} when its clamp {@code bounds} is the whole range of
     * {@code t} (it clamps nothing there), so an IR names an activation only where it acts, and the same numbers
     * always print the same way whichever path (quantizer, pre-quantized import, TFLite) produced them.
     */
    public Activation ifClamping(int[] bounds, nncc.ir.DType t) {
        return bounds[0] == t.minValue() && bounds[1] == t.maxValue() ? NONE : this;
    }

    /**
     * The activation whose {@link #clampBounds} are exactly [lo, hi] ({@link #NONE} when that is the whole type
     * range), or null when none is.
     */
    public static Activation ofClamp(int lo, int hi, float scale, long zp, nncc.ir.DType t) {
        for (Activation a : values()) {
            int[] b = a.clampBounds(scale, zp, t);
            if (b[0] == lo && b[1] == hi) return a;
        }
        return null;
    }

    /** The activation that clamps to exactly [lo, hi], or null when there is none. */
    public static Activation ofBounds(float lo, float hi) {
        for (Activation a : values()) if (a.min == lo && a.max == hi) return a;
        return null;
    }
}
