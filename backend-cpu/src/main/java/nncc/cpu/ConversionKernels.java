package nncc.cpu;

import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.op.Cast;
import nncc.ir.op.Dequantize;
import nncc.ir.op.QLut;
import nncc.ir.op.Quantize;
import nncc.ir.op.Requantize;

/**
 * Element-type conversions of the lowered graph, elementwise and bit-exact with TFLite's reference kernels:
 * Quantize (float32 division, round half away from zero, saturate), Dequantize, Requantize (integer to integer
 * through the fixed-point multiplier), QLut (table lookup) and Cast between float formats (round to nearest even,
 * without double rounding when narrowing from f64).
 */
final class ConversionKernels {
    private ConversionKernels() {}

    private static final DType[] FLOATS = {DType.F32, DType.F16, DType.BF16, DType.F64};

    /** TFLite AffineQuantize: {@code q = clamp(round(x / scale) + zp)}, the division in float32 (f64 input: double). */
    static Kernel quantize(Quantize op, NodeContext ctx) {
        ctx.requireDType(0, "input x", FLOATS);
        DType t = op.outType();
        float scale = op.scale();
        long zp = op.zeroPoint();
        boolean narrow = ctx.vector(); // the vector set keeps i8/u8/i16 in bytes/shorts
        return (in, outTypes) -> {
            NdArray x = in[0];
            long[] q = new long[x.size()];
            if (x.storage() == NdArray.Storage.DOUBLE)
                for (int i = 0; i < q.length; i++) q[i] = quantizeValue(x.doubles[i] / scale, zp, t);
            else
                for (int i = 0; i < q.length; i++) q[i] = quantizeValue(x.floats[i] / scale, zp, t);
            return ActivationKernels.one(NdArray.ofIntegers(t, x.shape, q, narrow));
        };
    }

    /**
     * FakeQuant: {@link nncc.ir.op.FakeQuant#apply} per element, the slice's scale picked along the op's axis (f32
     * only; the rounding is Quantize's, float32 division and ties away from zero).
     */
    static Kernel fakeQuant(nncc.ir.op.FakeQuant op, NodeContext ctx) {
        ctx.requireDType(0, "input x", DType.F32);
        return (in, outTypes) -> {
            NdArray x = in[0];
            float[] y = new float[x.size()];
            int inner = 1, count = op.scales().size();
            if (op.axis() >= 0) for (int d = op.axis() + 1; d < x.shape.length; d++) inner *= x.shape[d];
            for (int i = 0; i < y.length; i++) y[i] = op.apply(x.floats[i], op.axis() < 0 ? 0 : (i / inner) % count);
            return ActivationKernels.one(NdArray.ofFloats(DType.F32, x.shape, y));
        };
    }

    /** {@code v} rounded half away from zero, plus the zero point, saturated to {@code t}; NaN gives the zero point. */
    static long quantizeValue(double v, long zp, DType t) {
        return FixedPoint.quantizeScaled(v, zp, t);
    }

    /** TFLite Dequantize: {@code float(scale * (q - zp))}, the product in double and rounded once to float32. */
    static Kernel dequantize(Dequantize op, NodeContext ctx) {
        ctx.requireDType(0, "input q", DType.I8, DType.U8, DType.I16, DType.I32, DType.I4, DType.I64);
        double scale = op.scale();
        long zp = op.zeroPoint();
        return (in, outTypes) -> {
            NdArray q = in[0];
            float[] y = new float[q.size()];
            for (int i = 0; i < y.length; i++) y[i] = (float) (scale * (q.longs()[i] - zp));
            return ActivationKernels.one(NdArray.ofFloats(DType.F32, q.shape, y));
        };
    }

    /** TFLite Requantize: {@code y = clamp(mbqm(x - inputZp, multiplier, shift) + outputZp)} to the output type. */
    static Kernel requantize(Requantize op, NodeContext ctx) {
        ctx.requireDType(0, "input x", DType.I8, DType.U8, DType.I16, DType.I32);
        DType t = op.outType();
        long inZp = op.inputZp(), outZp = op.outputZp();
        return (in, outTypes) -> {
            NdArray x = in[0];
            long[] y = new long[x.size()];
            for (int i = 0; i < y.length; i++) {
                int v = FixedPoint.multiplyByQuantizedMultiplier((int) (x.longs()[i] - inZp), op.multiplier(), op.shift(), op.rounding());
                y[i] = IntegerMath.saturate(t, v + outZp);
            }
            return ActivationKernels.one(NdArray.ofIntegers(t, x.shape, y, x.isNarrow()));
        };
    }

    /** {@code y = table[x - min(input type)]}. */
    static Kernel lookup(QLut op, NodeContext ctx) {
        ctx.requireDType(0, "input x", DType.I8, DType.U8, DType.I16);
        ctx.requireDType(1, "table", op.outType());
        long[] constTable = ctx.constant(1) == null ? null : ctx.constant(1).longs();
        long offset = ctx.dtype(0).minValue();
        return (in, outTypes) -> {
            NdArray x = in[0];
            long[] table = constTable != null ? constTable : in[1].longs();
            long[] y = new long[x.size()];
            for (int i = 0; i < y.length; i++) y[i] = table[(int) (x.longs()[i] - offset)];
            return ActivationKernels.one(NdArray.ofIntegers(op.outType(), x.shape, y, x.isNarrow()));
        };
    }

    /** Float format conversion, rounding to nearest even. */
    static Kernel cast(Cast op, NodeContext ctx) {
        ctx.requireDType(0, "input x", FLOATS);
        DType to = op.to();
        if (!to.isFloat()) throw ctx.error("Cast converts between float types, not to " + to.text());
        return (in, outTypes) -> {
            NdArray x = in[0];
            if (to == DType.F64) {
                double[] y = new double[x.size()];
                for (int i = 0; i < y.length; i++) y[i] = x.getDouble(i);
                return ActivationKernels.one(NdArray.ofDoubles(x.shape, y));
            }
            float[] y = new float[x.size()];
            if (x.storage() == NdArray.Storage.DOUBLE)
                // to f32 directly; to f16/bf16 via round-to-odd float32, so the final rounding is the only one that counts
                for (int i = 0; i < y.length; i++) y[i] = to == DType.F32 ? (float) x.doubles[i] : roundToOddFloat(x.doubles[i]);
            else System.arraycopy(x.floats, 0, y, 0, y.length);
            return ActivationKernels.one(NdArray.ofFloats(to, x.shape, y)); // rounds to f16/bf16, ties to even
        };
    }

    /**
     * {@code d} rounded to float32 with round-to-odd (truncate, then set the last bit when inexact). Narrowing that
     * result to a format with at least two fewer significand bits (f16, bf16) rounds exactly as rounding {@code d}
     * directly would.
     */
    static float roundToOddFloat(double d) {
        float f = (float) d;
        if (Double.isNaN(d) || (double) f == d || Float.isInfinite(f)) return f;
        if ((Float.floatToRawIntBits(f) & 1) == 0) f = Math.nextAfter(f, d); // the odd one of the two neighbours
        return f;
    }
}
