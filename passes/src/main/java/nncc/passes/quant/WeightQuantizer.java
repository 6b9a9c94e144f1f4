package nncc.passes.quant;

import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;

/**
 * Quantizes constant weights and biases (TFLite's symmetric weight scheme): weights to i8 codes in
 * {@code [-(2^(bits-1) - 1), 2^(bits-1) - 1]} with zero point 0 and one scale per output channel (dim 0) or one
 * in all; biases to i32 (i64 for i16 activations) with scale {@code inputScale * weightScale[c]}.
 */
public final class WeightQuantizer {
    private WeightQuantizer() {}

    /** Quantized weights: i8 data and the params they stand for (per axis 0, or per tensor). */
    public record Weights(Tensor data, QuantParams params) {
        /** The scale of output channel {@code c}. */
        float scale(int c) { return params.scale(params.isPerAxis() ? c : 0); }
    }

    /**
     * Symmetric quantization of {@code w} (dim 0 = output channels): {@code scale = max|w| / qmax} per channel
     * (or over the tensor), {@code q = clamp(round(w / scale), -qmax, qmax)}; an all-zero channel gets scale 1.
     */
    public static Weights symmetric(Tensor w, int bits, boolean perChannel) {
        float[] v = w.toFloats();
        QuantParams p = symmetricParams(v, w.shape(), bits, perChannel);
        long qmax = (1L << (bits - 1)) - 1;
        int groups = p.isPerAxis() ? p.count() : 1;
        int span = groups == 0 ? 0 : v.length / groups;
        long[] q = new long[v.length];
        for (int g = 0; g < groups; g++) {
            float s = p.scale(g);
            for (int i = g * span; i < (g + 1) * span; i++)
                q[i] = Math.max(-qmax, Math.min(qmax, FixedPoint.roundHalfAway(v[i] / (double) s)));
        }
        return new Weights(Tensor.ofLongs(DType.I8, w.shape(), q), p);
    }

    /** The scales of {@link #symmetric} alone (its codes not computed), for {@code v} of shape {@code shape}. */
    static QuantParams symmetricParams(float[] v, Shape shape, int bits, boolean perChannel) {
        if (bits < 2 || bits > 8) throw new IllegalArgumentException("weight bits must be in 2..8, got " + bits);
        long qmax = (1L << (bits - 1)) - 1;
        int channels = shape.rank() == 0 ? 1 : Math.toIntExact(shape.dim(0));
        int per = channels == 0 ? 0 : v.length / channels;
        int groups = perChannel ? channels : 1;
        int span = perChannel ? per : v.length;
        float[] scales = new float[groups];
        for (int g = 0; g < groups; g++) {
            double maxAbs = 0;
            for (int i = g * span; i < (g + 1) * span; i++) maxAbs = Math.max(maxAbs, Math.abs(v[i]));
            float s = maxAbs > 0 ? (float) (maxAbs / qmax) : 1f;
            if (!(s > 0)) s = Float.MIN_NORMAL;
            scales[g] = s;
        }
        return perChannel ? QuantParams.perAxis(0, scales, new long[groups]) : QuantParams.perTensor(scales[0], 0);
    }

    /**
     * The codes a weight plan decided (set by {@link QuantizeWeightsPass}): {@code round(w / scale)} of the
     * channels-first {@code w}, exact when bias correction moved codes and wrote them back on the grid. A plan with axis 1 belongs to a
     * transposed matrix and is read as axis 0 here. Fails when a code does not fit {@code bits}.
     */
    static Weights fromPlan(Tensor w, QuantParams plan, int bits) {
        QuantParams p = channelsFirst(plan);
        float[] v = w.toFloats();
        int channels = Math.toIntExact(w.shape().dim(0)), per = channels == 0 ? 0 : v.length / channels;
        long qmax = (1L << (bits - 1)) - 1;
        byte[] codes = new byte[v.length]; // |code| <= qmax <= 127 (bits <= 8), checked by code()
        for (int c = 0; c < channels; c++) {
            double s = p.scale(p.isPerAxis() ? c : 0);
            for (int i = 0, at = c * per; i < per; i++, at++) codes[at] = (byte) code(v[at], s, qmax, c, bits);
        }
        return new Weights(Tensor.ofRaw(DType.I8, w.shape(), codes), p);
    }

    /** One weight's code under a plan: {@code round(v / s)}, half away from zero; fails when it does not fit {@code bits}. */
    static long code(float v, double s, long qmax, int channel, int bits) {
        long code = FixedPoint.roundHalfAway(v / s);
        if (Math.abs(code) > qmax)
            throw new nncc.ir.ModelException("weight code " + code + " of output channel " + channel + " does not fit "
                    + bits + " bits; the weights were quantized to more bits than the lowering's weight-bits");
        return code;
    }

    /** {@code plan} read along axis 0: a per-axis plan on another axis (a transposed matrix's) moved to axis 0. */
    static QuantParams channelsFirst(QuantParams plan) {
        if (!plan.isPerAxis() || plan.axis() == 0) return plan;
        float[] s = new float[plan.count()];
        for (int i = 0; i < s.length; i++) s[i] = plan.scale(i);
        return QuantParams.perAxis(0, s, new long[s.length]);
    }

    /** The codes of {@link #fromPlan}: {@code round(v / scale)} per channel of the channels-first {@code v}, checked against {@code bits}. */
    static long[] planCodes(float[] v, int channels, QuantParams p, int bits) {
        long qmax = (1L << (bits - 1)) - 1;
        int per = channels == 0 ? 0 : v.length / channels;
        long[] q = new long[v.length];
        for (int c = 0; c < channels; c++) {
            double s = p.scale(p.isPerAxis() ? c : 0);
            for (int i = 0, at = c * per; i < per; i++, at++) q[at] = code(v[at], s, qmax, c, bits);
        }
        return q;
    }

    /** A bias quantized for input scale {@code inputScale}: i32 or i64 data and its params. */
    record Bias(Tensor data, QuantParams params) {}

    /**
     * {@code q[c] = round(b[c] / (inputScale * weightScale[c]))} (the scale product taken in float32, as the bias
     * tensor records it), saturated to [-(2^31 - 1), 2^31 - 1] for i32.
     */
    static Bias bias(Tensor b, float inputScale, Weights w, DType accumulator) {
        float[] v = b.toFloats();
        float[] scales = new float[v.length];
        long[] q = new long[v.length];
        long limit = accumulator == DType.I64 ? Long.MAX_VALUE : Integer.MAX_VALUE;
        for (int c = 0; c < v.length; c++) {
            scales[c] = inputScale * w.scale(c);
            if (!(scales[c] > 0)) scales[c] = Float.MIN_NORMAL;
            double r = v[c] / (double) scales[c];
            long code = Math.abs(r) >= 9.2e18 ? (r > 0 ? limit : -limit) : FixedPoint.roundHalfAway(r);
            q[c] = Math.max(-limit, Math.min(limit, code));
        }
        QuantParams p = w.params().isPerAxis() ? QuantParams.perAxis(0, scales, new long[v.length])
                : QuantParams.perTensor(scales[0], 0);
        return new Bias(Tensor.ofLongs(accumulator, b.shape(), q), p);
    }

    /** The 2-D matrix {@code m} [R,C] transposed to [C,R] (float data). */
    static Tensor transpose2d(Tensor m) {
        int r = Math.toIntExact(m.shape().dim(0)), c = Math.toIntExact(m.shape().dim(1));
        float[] v = m.toFloats(), t = new float[v.length];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) t[j * r + i] = v[i * c + j];
        return Tensor.ofFloats(Shape.of(c, r), t);
    }
}
