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

    /** The activation that clamps to exactly [lo, hi], or null when there is none. */
    public static Activation ofBounds(float lo, float hi) {
        for (Activation a : values()) if (a.min == lo && a.max == hi) return a;
        return null;
    }
}
