package nncc.ir.op;

import java.util.List;
import nncc.ir.FixedPoint;
import nncc.ir.TensorType;

/**
 * Quantize-then-dequantize in float, the node quantization-aware training inserts:
 * {@code y = scale * (clamp(roundHalfAway(x / scale) + zeroPoint, qmin, qmax) - zeroPoint)}, the division in
 * float32 exactly as {@link Quantize} and the weight quantizer round, so the float graph computes the values the
 * integer graph holds. One scale and zero point ({@code axis = -1}) or one per slice along {@code axis}. The grid is
 * {@code bits} wide, signed ({@code [-2^(bits-1), 2^(bits-1)-1]}) or not ({@code [0, 2^bits-1]}); {@code narrowRange}
 * drops the lowest code (symmetric weights: {@code [-(2^(bits-1)-1), 2^(bits-1)-1]}).
 */
public record FakeQuant(List<Float> scales, List<Long> zeroPoints, int bits, boolean narrowRange, boolean signed,
                        int axis) implements FloatOp {
    public FakeQuant {
        scales = List.copyOf(scales);
        zeroPoints = List.copyOf(zeroPoints);
        if (bits < 2 || bits > 16) throw Shapes.fail("bits must be in 2..16, got %d", bits);
        if (scales.isEmpty() || scales.size() != zeroPoints.size())
            throw Shapes.fail("FakeQuant needs as many zero points as scales, got %d scales and %d zero points",
                    scales.size(), zeroPoints.size());
        if (axis < -1) throw Shapes.fail("axis must be -1 (per tensor) or >= 0, got %d", axis);
        if (axis == -1 && scales.size() != 1) throw Shapes.fail("a per-tensor FakeQuant takes one scale, got %d", scales.size());
        for (float s : scales)
            if (!(s > 0) || Float.isInfinite(s)) throw Shapes.fail("scale must be positive and finite, got %s", s);
        long lo = qmin(bits, narrowRange, signed), hi = qmax(bits, signed);
        for (long z : zeroPoints)
            if (z < lo || z > hi) throw Shapes.fail("zero point %d is outside [%d, %d]", z, lo, hi);
    }

    /** One scale and zero point for the whole tensor. */
    public static FakeQuant perTensor(float scale, long zeroPoint, int bits, boolean signed) {
        return new FakeQuant(List.of(scale), List.of(zeroPoint), bits, false, signed, -1);
    }

    public long qmin() { return qmin(bits, narrowRange, signed); }

    public long qmax() { return qmax(bits, signed); }

    static long qmin(int bits, boolean narrow, boolean signed) {
        long lo = signed ? -(1L << (bits - 1)) : 0;
        return narrow ? lo + 1 : lo;
    }

    static long qmax(int bits, boolean signed) { return signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1; }

    /** The integer code of {@code x} on slice {@code c}'s grid: the rule of {@link Quantize}, clamped to the grid. */
    public long code(float x, int c) {
        float r = x / scales.get(c);
        if (Float.isNaN(r)) return zeroPoints.get(c);
        long q = FixedPoint.roundHalfAway(Math.max(-0x1p40f, Math.min(0x1p40f, r))) + zeroPoints.get(c);
        return Math.max(qmin(), Math.min(qmax(), q));
    }

    /** The fake-quantized value of {@code x} on slice {@code c}'s grid. */
    public float apply(float x, int c) {
        return scales.get(c) * (float) (code(x, c) - zeroPoints.get(c));
    }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shapes.requireFloat("FakeQuant input", in.get(0));
        if (axis >= 0) {
            if (axis >= in.get(0).rank()) throw Shapes.fail("axis %d is out of range for %s", axis, in.get(0));
            long d = in.get(0).shape().dim(axis);
            if (d >= 0 && d != scales.size())
                throw Shapes.fail("%d scales for dimension %d of size %d", scales.size(), axis, d);
        }
        return Elementwise.same(in);
    }
}
