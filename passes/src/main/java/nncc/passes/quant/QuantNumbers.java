package nncc.passes.quant;

import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.op.Activation;
import nncc.passes.calib.QuantChoice;
import nncc.passes.calib.Range;

/**
 * The small formulas the quantization passes share: activation parameters from a real range and the real range
 * a plan covers (both through calibration's {@link QuantChoice}), quantizing one real value,
 * clamp bounds of a fused activation (TFLite CalculateActivationRangeQuantized) and a checked
 * {@link FixedPoint#quantizeMultiplier}.
 */
final class QuantNumbers {
    private QuantNumbers() {}

    /** Activation element types the integer schemes use. */
    static void requireActivationType(DType t) {
        if (t != DType.I8 && t != DType.I16)
            throw new ModelException("activation type must be i8 or i16, got " + (t == null ? null : t.text()));
    }

    /**
     * Parameters for real values in [min, max] (widened to include 0), as calibration chooses them
     * ({@link QuantChoice#forActivation}): asymmetric for i8, symmetric with zero point 0 for i16.
     */
    static QuantParams activationParams(double min, double max, DType t) {
        requireActivationType(t);
        if (!Double.isFinite(min) || !Double.isFinite(max))
            throw new IllegalArgumentException("cannot quantize the range [" + min + ", " + max + "]");
        return QuantChoice.forActivation(new Range(Math.min(min, max), Math.max(min, max)), t);
    }

    /** The real range [lo, hi] a per-tensor plan represents on the grid of {@code t}. */
    static double[] range(QuantParams p, DType t) {
        Range r = QuantChoice.representable(p, t);
        return new double[] {r.min(), r.max()};
    }

    /** {@code saturate(roundHalfAway(v / scale) + zp)} on the grid of {@code t}. */
    static long quantize(double v, float scale, long zp, DType t) {
        return FixedPoint.quantizeScaled(v / scale, zp, t);
    }

    static long saturate(long v, DType t) {
        return Math.max(t.minValue(), Math.min(t.maxValue(), v));
    }

    /**
     * Clamp bounds of a fused activation on an output with params (scale, zp) of type {@code t}:
     * {@code [max(qmin, zp + round(actMin / s)), min(qmax, zp + round(actMax / s))]}, the type's range when the
     * bound is infinite (TFLite CalculateActivationRangeQuantized).
     */
    static int[] clampBounds(Activation a, float scale, long zp, DType t) {
        long lo = t.minValue(), hi = t.maxValue();
        if (Float.isFinite(a.min())) lo = Math.max(lo, zp + FixedPoint.roundHalfAway(a.min() / (double) scale));
        if (Float.isFinite(a.max())) hi = Math.min(hi, zp + FixedPoint.roundHalfAway(a.max() / (double) scale));
        return new int[] {(int) lo, (int) Math.max(lo, hi)};
    }

    /**
     * {@link FixedPoint#quantizeMultiplier} of {@code real}, failing at {@code node} when the shift falls outside
     * what the kernels accept: [-31, 30], and [-31, 7] for the 64-bit accumulators of convolutions and fully
     * connected layers on i16 activations ({@code wideAccumulator}).
     */
    static FixedPoint.Multiplier multiplier(double real, Rounding rounding, boolean wideAccumulator, Node node, String what) {
        FixedPoint.Multiplier m = FixedPoint.quantizeMultiplier(real, rounding);
        int maxShift = wideAccumulator ? 7 : 30;
        if (m.shift() < -31 || m.shift() > maxShift)
            throw node.error(what + " multiplier " + real + " gives shift " + m.shift() + ", outside [-31, " + maxShift
                    + "]; the scales are too far apart");
        return m;
    }

    /** The per-tensor params of a value's type, or null; per-axis activation params are an error at {@code node}. */
    static QuantParams perTensor(QuantParams p, Node node, String valueName) {
        if (p != null && p.isPerAxis())
            throw node.error("value %" + valueName + " has per-axis params " + p + "; activations need per-tensor params");
        return p;
    }
}
