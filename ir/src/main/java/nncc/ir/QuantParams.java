package nncc.ir;

import java.util.Arrays;
import java.util.Objects;

/**
 * Affine quantization parameters, {@code real = scale * (q - zeroPoint)}: one (scale, zero point) for the
 * whole tensor ({@code axis == -1}) or one per slice along {@code axis}. Scales are float32, as in ONNX and
 * TFLite, so every backend derives the same multipliers from them.
 */
public final class QuantParams {
    private final float[] scales;
    private final long[] zeroPoints;
    private final int axis;

    private QuantParams(float[] scales, long[] zeroPoints, int axis) {
        if (scales.length == 0 || scales.length != zeroPoints.length)
            throw new IllegalArgumentException("quant params need as many zero points as scales, got "
                    + scales.length + " scales and " + zeroPoints.length + " zero points");
        if (axis < 0 && scales.length != 1) throw new IllegalArgumentException("per-tensor params take one scale");
        for (float s : scales)
            if (!(s > 0) || Float.isInfinite(s)) throw new IllegalArgumentException("scale must be positive and finite, got " + s);
        this.scales = scales;
        this.zeroPoints = zeroPoints;
        this.axis = axis;
    }

    public static QuantParams perTensor(float scale, long zeroPoint) {
        return new QuantParams(new float[] {scale}, new long[] {zeroPoint}, -1);
    }

    public static QuantParams perAxis(int axis, float[] scales, long[] zeroPoints) {
        if (axis < 0) throw new IllegalArgumentException("axis must be >= 0, got " + axis);
        return new QuantParams(scales.clone(), zeroPoints.clone(), axis);
    }

    public boolean isPerAxis() { return axis >= 0; }

    /** The quantized axis, or -1 for per-tensor. */
    public int axis() { return axis; }

    public int count() { return scales.length; }

    public float scale(int i) { return scales[i]; }

    public long zeroPoint(int i) { return zeroPoints[i]; }

    public float[] scales() { return scales.clone(); }

    public long[] zeroPoints() { return zeroPoints.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof QuantParams q && axis == q.axis && Arrays.equals(scales, q.scales)
                && Arrays.equals(zeroPoints, q.zeroPoints);
    }

    @Override public int hashCode() { return Objects.hash(axis, Arrays.hashCode(scales), Arrays.hashCode(zeroPoints)); }

    @Override public String toString() {
        if (!isPerAxis()) return "{scale = " + scales[0] + ", zp = " + zeroPoints[0] + "}";
        return "{axis = " + axis + ", scale = " + Arrays.toString(scales) + ", zp = " + Arrays.toString(zeroPoints) + "}";
    }
}
