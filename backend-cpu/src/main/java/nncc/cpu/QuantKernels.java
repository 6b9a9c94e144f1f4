package nncc.cpu;

import nncc.ir.DType;
import nncc.ir.FloatBits;
import nncc.ir.op.DequantizeLinear;
import nncc.ir.op.QuantizeLinear;
import nncc.ir.op.Shapes;

/**
 * ONNX QuantizeLinear and DequantizeLinear, per tensor or per axis, bit-exact with ONNX's numpy reference:
 * q = saturate(rint(x / scale) + zp) with the division in float32 (float16 when x and scale both are) and
 * ties to even;
 * x = (float(q) - zp) * scale rounded to float32.
 */
final class QuantKernels {
    private QuantKernels() {}

    static Kernel quantizeLinear(QuantizeLinear op, NodeContext ctx) {
        ctx.requireDType(0, "input x", DType.F32, DType.F16, DType.BF16, DType.F64, DType.I32);
        ctx.requireDType(1, "scale", DType.F32, DType.F16, DType.BF16);
        if (!op.outType().isInteger()) throw ctx.error("output type " + op.outType().text() + " is not an integer type");
        DType outType = op.outType();
        return (in, outTypes) -> {
            NdArray x = in[0];
            float[] scales = in[1].floatView();
            long[] zeroPoints = in.length > 2 ? in[2].longView() : new long[scales.length];
            int inner = innerSize(x, op.axis(), scales.length);
            // numpy divides in the common type of x and scale: float16 when both are, float32 otherwise
            boolean halfQuotient = x.dtype == DType.F16 && in[1].dtype == DType.F16;
            long[] q = new long[x.size()];
            for (int i = 0; i < q.length; i++) {
                int c = scales.length == 1 ? 0 : (i / inner) % scales.length;
                double v = switch (x.storage()) {
                    case FLOAT -> halfQuotient ? FloatBits.roundToF16(x.floats[i] / scales[c]) : x.floats[i] / scales[c];
                    case DOUBLE -> x.doubles[i] / scales[c];
                    case LONG -> (double) x.longs()[i] / scales[c];
                };
                q[i] = IntegerMath.roundHalfEvenAndSaturate(v, zeroPoints[c], outType);
            }
            return ActivationKernels.one(NdArray.ofLongs(outType, x.shape, q));
        };
    }

    static Kernel dequantizeLinear(DequantizeLinear op, NodeContext ctx) {
        ctx.requireDType(0, "input x", DType.U8, DType.I8, DType.I16, DType.I32, DType.I4, DType.I64);
        ctx.requireDType(1, "scale", DType.F32, DType.F16, DType.BF16);
        if (ctx.hasInput(2)) ctx.requireDType(2, "zero point", ctx.dtype(0));
        return (in, outTypes) -> {
            NdArray x = in[0];
            float[] scales = in[1].floatView();
            long[] zeroPoints = in.length > 2 ? in[2].longView() : new long[scales.length];
            int inner = innerSize(x, op.axis(), scales.length);
            float[] y = new float[x.size()];
            for (int i = 0; i < y.length; i++) {
                int c = scales.length == 1 ? 0 : (i / inner) % scales.length;
                // numpy: float32(x) - zp, in float64 when zp is 32/64-bit, then times the float32 scale
                double d = (double) (float) x.longs()[i] - (double) zeroPoints[c];
                y[i] = (float) (d * scales[c]);
            }
            return ActivationKernels.one(NdArray.ofFloats(DType.F32, x.shape, y));
        };
    }

    /** Elements per step of the quantization axis (the product of the dims after it); 1 when per tensor. */
    static int innerSize(NdArray x, int axis, int channels) {
        if (channels == 1) return 1;
        int a = Shapes.axis(axis, x.rank());
        return NdArray.product(x.shape, a + 1, x.rank());
    }
}
