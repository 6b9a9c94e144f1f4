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

    /** Clamp bounds of a fused activation: {@link Activation#clampBounds}, the one place the rule lives. */
    static int[] clampBounds(Activation a, float scale, long zp, DType t) {
        return a.clampBounds(scale, zp, t);
    }

    /**
     * {@link FixedPoint#quantizeMultiplier} of {@code real}, failing at {@code node} when the shift falls outside
     * what the kernels accept in {@code rounding}: [-31, {@link FixedPoint#maxShift}] (30 for int32 accumulators,
     * 7 for the int64 ones of convolutions and fully connected layers on i16 activations).
     */
    static FixedPoint.Multiplier multiplier(double real, Rounding rounding, Node node, String what) {
        FixedPoint.Multiplier m = FixedPoint.quantizeMultiplier(real, rounding);
        int maxShift = FixedPoint.maxShift(rounding);
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
