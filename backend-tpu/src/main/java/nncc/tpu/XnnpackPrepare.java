package nncc.tpu;

import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.op.QAdd;

/**
 * The numbers XNNPACK (the TFLite runtime's CPU delegate, and so the runtime behind {@code tflite-run}) derives for its
 * int8 ADD and SUB, and their exact encoding as a {@link QAdd}, and for its spatial MEAN (global average pooling, a
 * QMean in {@code onnx_float32}), so that an imported model computes what the runtime computes
 * ({@link TfliteImporter#load(byte[], String, Rounding)} with {@code onnx_float32}).
 *
 * <p>XNNPACK ({@code xnn_init_qs8_add_minmax_scalar_params} in src/microparams-init.c, kernels
 * {@code qs8-vadd}/{@code qs8-vaddc}, the 2021 form with 20 multiplier bits) forms the ratios {@code rA = sA / sY},
 * {@code rB = sB / sY} in float32 (negating {@code rB} for SUB), takes the shift {@code s = 20 - exponent(max(|rA|,
 * |rB|))} and the integer multipliers {@code mA = lrintf(rA * 2^s)}, {@code mB = lrintf(rB * 2^s)} (the largest in
 * [2^20, 2^21]), and per element computes
 * {@code y = clamp(((a - zA) * mA + (b - zB) * mB + 2^(s-1)) >> s + zY)} in int32: one rounding, ties toward
 * +infinity. The TFLite delegate hands an ADD to XNNPACK only when both ratios lie in [2^-10, 2^8). Bit-exact
 * against the runtime on every pair of int8 inputs for random scales (tests/XnnpackAddTest).
 *
 * <p>That arithmetic is a QAdd in {@code single_round} with these numbers, so every backend that runs QAdd
 * runs it unchanged: {@code leftShift = 22} and {@code multiplierA = mA * 2^9}, {@code shiftA = 0} make
 * {@code a' = ((a - zA) * 2^22 * mA * 2^9 + 2^30) >> 31 = (a - zA) * mA} exactly (|a - zA| <= 255 keeps the
 * shifted input below 2^30 and {@code mA * 2^9 <= 2^30}); likewise b'; then {@code multiplier = 2^30},
 * {@code shift = 1 - s} give {@code (v * 2^30 + 2^(s+29)) >> (s + 30) = (v + 2^(s-1)) >> s} for {@code v = a' + b'}
 * (|v| < 2^30, so the int32 sum cannot wrap).
 */
final class XnnpackPrepare {
    private XnnpackPrepare() {}

    /** XNNPACK's qs8 add multipliers (signed, SUB's second one negated) and right shift. */
    record AddParams(int multiplierA, int multiplierB, int shift) {}

    /** Whether the delegate hands an int8 ADD/SUB of these scales to XNNPACK (both ratios in [2^-10, 2^8)). */
    static boolean delegatesAdd(float scaleA, float scaleB, float outputScale) {
        return inRange(scaleA / outputScale) && inRange(scaleB / outputScale);
    }

    private static boolean inRange(float ratio) { return ratio >= 0x1.0p-10f && ratio < 0x1.0p+8f; }

    /** The parameters of {@code xnn_init_qs8_add_minmax_scalar_params} for these scales. */
    static AddParams addParams(float scaleA, float scaleB, float outputScale, boolean subtract) {
        if (!delegatesAdd(scaleA, scaleB, outputScale))
            throw new IllegalArgumentException("scale ratios " + scaleA / outputScale + ", " + scaleB / outputScale + " outside [2^-10, 2^8)");
        float ra = scaleA / outputScale, rb = scaleB / outputScale;
        float max = Math.max(ra, rb);
        int shift = 20 - Math.getExponent(max);
        int ma = scaledToInt(ra, shift), mb = scaledToInt(rb, shift);
        return new AddParams(ma, subtract ? -mb : mb, shift);
    }

    /** {@code lrintf(r * 2^shift)}: the float scaled exactly by its exponent, rounded half to even. */
    private static int scaledToInt(float r, int shift) {
        return (int) Math.rint(Math.scalb(r, shift));
    }

    /**
     * XNNPACK's int8 ADD (SUB with {@code subtract}) as a QAdd in single rounding (see the class comment); the clamp
     * bounds are the fused activation's.
     */
    static QAdd add(long zeroPointA, long zeroPointB, float scaleA, float scaleB, float outputScale, long outputZp,
                    DType outType, int actMin, int actMax, boolean subtract) {
        AddParams p = addParams(scaleA, scaleB, outputScale, false);
        return new QAdd(zeroPointA, zeroPointB, INPUT_LEFT_SHIFT, p.multiplierA() << 9, 0, p.multiplierB() << 9, 0,
                1 << 30, 1 - p.shift(), outputZp, outputScale, outType, actMin, actMax, Rounding.SINGLE_ROUND, subtract);
    }

    /**
     * Whether the delegate hands an int8 MEAN to XNNPACK's global average pooling: a rank-4 input reduced over both
     * spatial axes (NHWC 1 and 2), the scale ratio in [2^-8, 2^8) ({@code xnn_create_global_average_pooling_nwc_qs8}).
     */
    static boolean delegatesMean(int rank, long[] axes, float inputScale, float outputScale) {
        if (rank != 4 || axes.length != 2) return false;
        long a0 = axes[0] < 0 ? axes[0] + 4 : axes[0], a1 = axes[1] < 0 ? axes[1] + 4 : axes[1];
        if (Math.min(a0, a1) != 1 || Math.max(a0, a1) != 2) return false;
        float ratio = inputScale / outputScale;
        return ratio >= 0x1.0p-8f && ratio < 0x1.0p+8f;
    }

    /**
     * XNNPACK's qs8 global average pooling scale ({@code update_params_qs8}: {@code sx / (sy * (float) n)} in float32);
     * its kernel computes {@code rint(float(sum(x) - n * zx) * scale) + zy}, clamped, which is QMean's
     * {@code onnx_float32} form (the same expression as ONNX Runtime's QLinearGlobalAveragePool).
     */
    static float meanScale(float inputScale, float outputScale, long n) {
        return inputScale / (outputScale * (float) n);
    }

    /** The left shift that, with a multiplier of {@code m * 2^9} and shift 0, multiplies an input by {@code m} exactly. */
    static final int INPUT_LEFT_SHIFT = 22;
}
