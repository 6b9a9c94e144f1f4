package nncc.ir;

/**
 * What ONNX Runtime's CPU kernels (MLAS on x86-64) compute for the quantized ops nncc's QDQ export becomes, for
 * {@link Rounding#ONNX_FLOAT32}: the float32 effective scales (computed once, by a pass, and stored in the op's
 * {@code onnxScales}) and the per-element formula (used by the CPU reference). Every operation is a float32 operation
 * in the order ORT performs it; {@code rint} is round half to even ({@code _mm_cvtps_epi32}, {@code nearbyintf}).
 * {@code offset} is the shift of ORT's storage domain: 128 when int8 activations are stored as uint8 (values and
 * zero points + 128), else 0; it matters where ORT adds a zero point in float.
 *
 * <ul>
 * <li>QLinearConv, QGemm, QLinearGlobalAveragePool ({@code MlasRequantizeOutput}):
 *     {@code y = clamp(rint(float(acc) * scale) + zp)}, scale {@code fl(fl(sx * sw) / sy)} (global pool:
 *     {@code fl(sx / fl(sy * float(n)))}, acc = {@code sum(x) - n * zx}).</li>
 * <li>QLinearAdd ({@code MlasQLinearAddKernelAvx2Helper}): {@code rA = fl(sA / sC)}, {@code rB = fl(sB / sC)},
 *     {@code c = fl(zC - fma(rA, zA, fl(rB * zB)))} in the storage domain, then
 *     {@code y = sat(rint(fma(a, rA, fma(b, rB, c))))}. Where one input is a single value per span (a broadcast
 *     input), ORT first folds it into the constant ({@code c + b * rB}); that order is not modelled (no zoo model has
 *     such an add).</li>
 * <li>QLinearMul ({@code MlasQLinearMulKernel}, SSE2): {@code r = fl(fl(sA * sB) / sC)},
 *     {@code y = sat(rint(fl(fl(float((a - zA) * (b - zB)) * r) + float(zC))))}.</li>
 * <li>QLinearAveragePool ({@code qlinear_pool.cc}): each input dequantized {@code fl(s * float(x - z))}, summed in
 *     float over the in-bounds window (rows, then columns), {@code fl(sum / float(count))}, then
 *     {@code sat(nearbyintf(fl(fl(avg / s) + float(z))))}. A window covering the whole (unpadded) input takes the
 *     global pool's integer form instead.</li>
 * </ul>
 */
public final class OnnxArithmetic {
    private OnnxArithmetic() {}

    /** ORT's QLinearConv / QGemm output scale of one channel: {@code fl(fl(sx * sw) / sy)}. */
    public static float linearScale(float sx, float sw, float sy) { return sx * sw / sy; }

    /** QLinearGlobalAveragePool's scale over {@code n} elements: {@code fl(sx / fl(sy * float(n)))}. */
    public static float globalPoolScale(float sx, float sy, long n) { return sx / (sy * (float) n); }

    /** QLinearMul's scale ratio {@code fl(fl(sA * sB) / sC)}. */
    public static float mulScale(float sa, float sb, float sc) { return sa * sb / sc; }

    /** QLinearAdd's {@code [rA, rB, c]} for zero points in the storage domain. */
    public static float[] addParams(float sa, float sb, float sc, long za, long zb, long zc) {
        float ra = sa / sc, rb = sb / sc;
        // GCC contracts ORT's rA * zA + rB * zB into one fused multiply-add (found element by element on ResNet-18)
        float c = (float) zc - Math.fma(ra, (float) za, rb * (float) zb);
        return new float[] {ra, rb, c};
    }

    /** {@code clamp(rint(float(acc) * scale) + zp, lo, hi)}: MlasRequantizeOutput (conv, gemm, global pool). */
    public static int requantize(int acc, float scale, long zp, int lo, int hi) {
        double v = Math.rint((float) acc * scale) + zp;
        return (int) Math.max(lo, Math.min(hi, v));
    }

    /** QLinearAdd of one element pair (IR values; {@code p} = {@link #addParams} in the storage domain). */
    public static int add(long a, long b, float ra, float rb, float c, int offset, int lo, int hi) {
        float v = Math.fma((float) (a + offset), ra, Math.fma((float) (b + offset), rb, c));
        return (int) Math.max(lo, Math.min(hi, Math.rint(v) - offset));
    }

    /** QLinearMul of one element pair. */
    public static int mul(long a, long b, long za, long zb, float r, long zc, int offset, int lo, int hi) {
        float v = (float) ((a - za) * (b - zb)) * r + (float) (zc + offset);
        return (int) Math.max(lo, Math.min(hi, Math.rint(v) - offset));
    }

    /** QLinearAveragePool's dequantized input {@code fl(s * float(x - z))}. */
    public static float dequantize(long x, long z, float s) { return s * (float) (x - z); }

    /** QLinearAveragePool's output of a window whose dequantized inputs sum (in float, in order) to {@code sum}. */
    public static int averagePoolOutput(float sum, int count, float s, long z, int offset, int lo, int hi) {
        float avg = sum / (float) count;
        float q = avg / s + (float) (z + offset);
        return (int) Math.max(lo, Math.min(hi, Math.rint(q) - offset));
    }

    /** Whether {@code op} computes in ONNX Runtime's float arithmetic ({@code onnx_float32} or ONNX scales). */
    public static boolean uses(nncc.ir.op.Op op) {
        return switch (op) {
            case nncc.ir.op.QConv q -> q.rounding() == Rounding.ONNX_FLOAT32;
            case nncc.ir.op.QGemm q -> q.rounding() == Rounding.ONNX_FLOAT32;
            case nncc.ir.op.QAdd q -> q.rounding() == Rounding.ONNX_FLOAT32;
            case nncc.ir.op.QMul q -> q.rounding() == Rounding.ONNX_FLOAT32;
            case nncc.ir.op.QMean q -> q.rounding() == Rounding.ONNX_FLOAT32;
            case nncc.ir.op.QAveragePool q -> !q.onnxScales().isEmpty();
            default -> false;
        };
    }

    /** The one-line refusal of a backend without ONNX Runtime's float arithmetic, naming the node. */
    public static ModelException refusal(String node, String backend) {
        return new ModelException(null, node, "uses ONNX Runtime's float requantization (onnx_float32), which " + backend
                + " does not compute; quantize for this target (compile --target " + backend + " --calib ..., or --rounding double|single)");
    }

    /** The zero-point shift of ORT's storage of {@code t}: 128 for i8 stored as u8, else 0. */
    public static int offset(DType t, boolean int8AsUint8) { return int8AsUint8 && t == DType.I8 ? 128 : 0; }
}
