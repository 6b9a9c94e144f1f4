package nncc.tpu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;

/**
 * The numbers TFLite's kernels derive in their Prepare step, computed exactly as TFLite (Micro) does: the same
 * float/double expressions fed to QuantizeMultiplier, the fused-activation clamp of
 * CalculateActivationRangeQuantized, MEAN's folding of 1/n into the multiplier, and lookup tables that hold an
 * elementwise integer function evaluated on every input code (so the table is that arithmetic, bit for bit).
 */
final class TflitePrepare {
    private TflitePrepare() {}

    /** TFLite's ActivationFunctionType codes. */
    static final int ACT_NONE = 0, ACT_RELU = 1, ACT_RELU_N1_TO_1 = 2, ACT_RELU6 = 3;

    static FixedPoint.Multiplier quantize(double real) {
        return FixedPoint.quantizeMultiplier(real, Rounding.DOUBLE_ROUND);
    }

    /**
     * Per-channel conv/depthwise multipliers (PopulateConvolutionQuantizationParams):
     * {@code double(inputScale) * double(filterScale[c]) / double(outputScale)}; a single filter scale is broadcast.
     */
    static List<FixedPoint.Multiplier> convMultipliers(float inputScale, QuantParams filter, float outputScale, int channels) {
        List<FixedPoint.Multiplier> r = new ArrayList<>();
        int n = filter.count() == 1 ? 1 : channels;
        for (int c = 0; c < n; c++)
            r.add(quantize((double) inputScale * (double) filter.scale(c) / (double) outputScale));
        return r;
    }

    /**
     * FULLY_CONNECTED per-tensor multiplier (kernel_util.cc GetQuantizedConvolutionMultipler):
     * {@code double(inputScale) * double(filterScale) / double(outputScale)}. (TFLite releases before the
     * static_casts were added formed the product in float32; that differed from nncc's quantizer in the last bits of
     * the multiplier, and from today's TFLite.)
     */
    static FixedPoint.Multiplier fullyConnectedMultiplier(float inputScale, float filterScale, float outputScale) {
        return quantize((double) inputScale * (double) filterScale / (double) outputScale);
    }

    /** The clamp of a fused activation (CalculateActivationRangeQuantized), quantizing in float32 as TFLite does. */
    static int[] activationRange(int activation, float scale, long zeroPoint, DType t) {
        int qmin = (int) t.minValue(), qmax = (int) t.maxValue();
        return switch (activation) {
            case ACT_NONE -> new int[] {qmin, qmax};
            case ACT_RELU -> new int[] {Math.max(qmin, code(0f, scale, zeroPoint)), qmax};
            case ACT_RELU6 -> new int[] {Math.max(qmin, code(0f, scale, zeroPoint)), Math.min(qmax, code(6f, scale, zeroPoint))};
            case ACT_RELU_N1_TO_1 -> new int[] {Math.max(qmin, code(-1f, scale, zeroPoint)), Math.min(qmax, code(1f, scale, zeroPoint))};
            default -> null;
        };
    }

    private static int code(float f, float scale, long zeroPoint) {
        float q = f / scale;
        return (int) (zeroPoint + FixedPoint.roundHalfAway(q));
    }

    /**
     * MEAN's multiplier (reduce.cc Prepare and QuantizedMeanOrSum): QuantizeMultiplier(inputScale / outputScale),
     * then 1/n folded in as {@code (multiplier << s) / n} with {@code s = min(floor(log2 n), 32, 31 + shift)}.
     */
    static FixedPoint.Multiplier meanMultiplier(float inputScale, float outputScale, long n) {
        FixedPoint.Multiplier m = quantize((double) inputScale / (double) outputScale);
        int s = 63 - Long.numberOfLeadingZeros(n);
        s = Math.min(s, 32);
        s = Math.min(s, 31 + m.shift());
        int multiplier = (int) (((long) m.multiplier() << s) / n);
        return new FixedPoint.Multiplier(multiplier, m.shift() - s);
    }

    /** ADD/SUB Prepare: input multipliers against twice the larger input scale, left shift 20 (int8) or 15 (int16). */
    record AddNumbers(int leftShift, FixedPoint.Multiplier a, FixedPoint.Multiplier b, FixedPoint.Multiplier out) {}

    static AddNumbers addNumbers(float scaleA, float scaleB, float outputScale, DType outType) {
        int leftShift = outType == DType.I16 ? 15 : 20;
        double twiceMax = 2 * Math.max(scaleA, scaleB);
        return new AddNumbers(leftShift, quantize(scaleA / twiceMax), quantize(scaleB / twiceMax),
                quantize(twiceMax / ((double) (1 << leftShift) * outputScale)));
    }

    /** A table of {@code f} over every code of {@code in}, as a {@code out}-typed constant for QLut. */
    static Tensor table(DType in, DType out, IntUnaryOperator f) {
        int lo = (int) in.minValue(), n = (int) (in.maxValue() - in.minValue() + 1);
        long[] codes = new long[n];
        for (int i = 0; i < n; i++)
            codes[i] = Math.max(out.minValue(), Math.min(out.maxValue(), f.applyAsInt(lo + i)));
        return Tensor.ofLongs(out, Shape.of(n), codes);
    }

    /**
     * LEAKY_RELU (TFLite Micro's CalculateOpDataLeakyRelu and reference QuantizeLeakyRelu): the alpha and identity
     * ratios formed in float32, then per code {@code zpOut + mbqm(x - zpIn, m, s)} with the alpha pair below zero.
     */
    static IntUnaryOperator leakyRelu(float alpha, QuantParams in, QuantParams out) {
        FixedPoint.Multiplier ma = quantize((double) (in.scale(0) * alpha / out.scale(0)));
        FixedPoint.Multiplier mi = quantize((double) (in.scale(0) / out.scale(0)));
        int zi = (int) in.zeroPoint(0), zo = (int) out.zeroPoint(0);
        return x -> {
            int v = x - zi;
            FixedPoint.Multiplier m = v >= 0 ? mi : ma;
            return zo + FixedPoint.multiplyByQuantizedMultiplier(v, m, Rounding.DOUBLE_ROUND);
        };
    }

    /**
     * RELU / RELU6 / RELU_N1_TO_1 as separate ops (activations.cc ReluPrepare and ReluX):
     * {@code clamp(zpOut + mbqm(x - zpIn, m, s), lo, hi)} with {@code m = double(inScale / outScale)} in float.
     */
    static IntUnaryOperator relu(int activation, QuantParams in, QuantParams out, DType outType) {
        FixedPoint.Multiplier m = quantize((double) (in.scale(0) / out.scale(0)));
        int[] range = activationRange(activation, out.scale(0), out.zeroPoint(0), outType);
        int zi = (int) in.zeroPoint(0), zo = (int) out.zeroPoint(0);
        return x -> FixedPoint.clamp(zo + FixedPoint.multiplyByQuantizedMultiplier(x - zi, m, Rounding.DOUBLE_ROUND), range[0], range[1]);
    }

    /**
     * LOGISTIC / TANH as TFLite's optimized int8 kernels compute them (PopulateLookupTable): dequantize in float32,
     * apply the float function, {@code round(y / outScale) + zpOut}, saturate.
     */
    static IntUnaryOperator floatFunction(java.util.function.DoubleUnaryOperator f, QuantParams in, QuantParams out) {
        float si = in.scale(0), inverse = 1f / out.scale(0);
        long zi = in.zeroPoint(0), zo = out.zeroPoint(0);
        return x -> {
            float dequantized = si * (x - zi);
            float transformed = (float) f.applyAsDouble(dequantized);
            float rescaled = (float) FixedPoint.roundHalfAway(transformed * inverse);
            return (int) (rescaled + zo);
        };
    }
}
