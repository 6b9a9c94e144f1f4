package nncc.cpu;

import java.util.Collections;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.FixedPointMath;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QMean;
import nncc.ir.op.QSoftmax;
import nncc.ir.op.ReduceMean;
import nncc.ir.op.Shapes;

/**
 * Integer ops that combine many inputs into one output: QMean (int32 sum, then the fixed-point multiplier),
 * QAveragePool (TFLite AVERAGE_POOL_2D: in-bounds sum divided by the in-bounds count, rounded half away from zero)
 * and QSoftmax (TFLite's 8-bit reference softmax in gemmlowp fixed point, through {@link FixedPointMath}).
 */
final class QuantizedReductionKernels {
    private QuantizedReductionKernels() {}

    private static final DType[] INPUTS = {DType.I8, DType.U8, DType.I16};

    /** {@code y = saturate(mbqm(sum(x - inputZp), multiplier, shift) + outputZp)} over the reduced axes. */
    static Kernel qMean(QMean op, NodeContext ctx) {
        ctx.requireDType(0, "input x", INPUTS);
        DType t = op.outType();
        return (in, outTypes) -> {
            NdArray x = in[0];
            int r = x.rank();
            List<Integer> axes = new ReduceMean(op.axes(), op.keepDims()).reducedAxes(r);
            int[] keptShape = new int[r];
            for (int i = 0; i < r; i++) keptShape[i] = axes.contains(i) ? 1 : x.dim(i);
            int[] keptStrides = NdArray.strides(keptShape);
            for (int i = 0; i < r; i++) if (axes.contains(i)) keptStrides[i] = 0;
            int[] sums = new int[NdArray.sizeOf(keptShape)];
            int[] pos = new int[r];
            int zp = (int) op.inputZp();
            int inner = trailingRun(axes, x.shape);
            if (inner > 0 && x.holdsBytes()) { // the same sums on the bytes
                byte[] b = x.int8Bytes();
                int mask = x.dtype == DType.U8 ? 0xFF : -1;
                for (int o = 0, i = 0; o < sums.length; o++) {
                    int sum = 0;
                    for (int end = i + inner; i < end; i++) sum += b[i] & mask;
                    sums[o] = sum - zp * inner;
                }
            } else if (inner > 0) // the reduced axes are the last ones (a global pool): each output sums one contiguous run
                for (int o = 0, i = 0; o < sums.length; o++) {
                    int sum = 0;
                    for (int end = i + inner; i < end; i++) sum += (int) x.longs()[i] - zp;
                    sums[o] = sum;
                }
            else for (int i = 0; i < x.size(); i++) {
                int o = 0;
                for (int d = 0; d < r; d++) o += pos[d] * keptStrides[d];
                sums[o] += (int) x.longs()[i] - zp;
                WindowGeometry.increment(pos, x.shape);
            }
            long[] y = new long[sums.length];
            if (op.rounding() == nncc.ir.Rounding.ONNX_FLOAT32) { // ONNX Runtime's QLinearGlobalAveragePool
                for (int i = 0; i < y.length; i++)
                    y[i] = nncc.ir.OnnxArithmetic.requantize(sums[i], op.onnxScales().get(0), op.outputZp(), (int) t.minValue(), (int) t.maxValue());
                return ActivationKernels.one(NdArray.ofIntegers(t, outTypes[0].shape().toIntArray(), y, x.isNarrow()));
            }
            for (int i = 0; i < y.length; i++)
                y[i] = IntegerMath.saturate(t, (long) FixedPoint.multiplyByQuantizedMultiplier(sums[i], op.multiplier(), op.shift(),
                        op.rounding()) + op.outputZp());
            return ActivationKernels.one(NdArray.ofIntegers(t, outTypes[0].shape().toIntArray(), y, x.isNarrow()));
        };
    }

    /** The element count of the reduced axes when they are exactly the trailing axes of {@code shape}, else 0. */
    private static int trailingRun(List<Integer> axes, int[] shape) {
        int r = shape.length;
        for (int k = 0; k < axes.size(); k++) if (!axes.contains(r - 1 - k)) return 0;
        return axes.isEmpty() ? 0 : NdArray.product(shape, r - axes.size(), r);
    }

    /**
     * TFLite's integer average pool: per window the int32 sum of the in-bounds inputs (no zero point involved, as
     * input and output share their parameters) over n in-bounds taps, rounded as
     * {@code sum > 0 ? (sum + n/2) / n : (sum - n/2) / n} with C's truncating division, then clamped.
     */
    static Kernel qAveragePool(QAveragePool op, NodeContext ctx) {
        ctx.requireDType(0, "input x", INPUTS);
        int[] kernel = op.kernel().stream().mapToInt(Integer::intValue).toArray();
        List<Integer> noDilation = Collections.nCopies(kernel.length, 1);
        if (!op.onnxScales().isEmpty()) return OnnxAveragePool.kernel(op, ctx, kernel, noDilation);
        return (in, outTypes) -> {
            NdArray x = in[0];
            int[] yShape = outTypes[0].shape().toIntArray();
            WindowGeometry g = WindowGeometry.of(x.shape, yShape, kernel, op.strides(), op.pads(), noDilation);
            int[] map = g.windowMap();
            int planes = x.dim(0) * x.dim(1), taps = g.kernelSize, positions = g.outSize;
            long[] y = new long[planes * positions];
            for (int plane = 0; plane < planes; plane++) {
                int base = plane * g.inSize;
                for (int p = 0; p < positions; p++) {
                    int sum = 0, count = 0;
                    for (int t = p * taps; t < (p + 1) * taps; t++)
                        if (map[t] >= 0) { sum += (int) x.longs()[base + map[t]]; count++; }
                    if (count == 0) throw ctx.error("average pool window " + p + " covers no input element");
                    int avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
                    y[plane * positions + p] = FixedPoint.clamp(avg, op.actMin(), op.actMax());
                }
            }
            return ActivationKernels.one(NdArray.ofIntegers(x.dtype, yShape, y, x.isNarrow()));
        };
    }

    /**
     * TFLite's quantized softmax (reference_ops::Softmax for 8-bit input) along {@code axis}: per row, each
     * difference to the row maximum that is at least {@code diffMin} is scaled into Q5.26 and exponentiated; the
     * exponentials are summed in Q12.19, the sum's reciprocal taken in Q0, and each output is
     * {@code RoundingDivideByPOT(reciprocal * exp, numBitsOverUnit + 31 - outputBits) + min(outputType)}, clamped;
     * differences below {@code diffMin} give {@code min(outputType)}.
     */
    static Kernel qSoftmax(QSoftmax op, NodeContext ctx) {
        ctx.requireDType(0, "input x", DType.I8, DType.U8);
        DType t = op.outType();
        if (t != DType.I8 && t != DType.U8 && t != DType.I16)
            throw ctx.error("QSoftmax output type " + t.text() + " is not supported (i8, u8 or i16)");
        if (op.outputZp() != t.minValue())
            throw ctx.error("QSoftmax output zero point must be " + t.minValue() + " for " + t.text() + ", got " + op.outputZp());
        int outMin = (int) t.minValue(), outMax = (int) t.maxValue(), bits = t.bits();
        int accumulationBits = FixedPointMath.SOFTMAX_ACCUMULATION_INTEGER_BITS;
        return (in, outTypes) -> {
            NdArray x = in[0];
            int axis = Shapes.axis(op.axis(), x.rank());
            int outer = NdArray.product(x.shape, 0, axis), n = x.dim(axis), inner = NdArray.product(x.shape, axis + 1, x.rank());
            long[] y = new long[x.size()];
            int[] exps = new int[n];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++) {
                    int base = o * n * inner + i;
                    int max = (int) x.dtype.minValue();
                    for (int k = 0; k < n; k++) max = Math.max(max, (int) x.longs()[base + k * inner]);
                    int sum = 0; // Q12.19
                    for (int k = 0; k < n; k++) {
                        int diff = (int) x.longs()[base + k * inner] - max;
                        if (diff < op.diffMin()) { exps[k] = -1; continue; }
                        int scaled = FixedPointMath.multiplyByQuantizedMultiplierGreaterThanOne(diff, op.inputMultiplier(), op.inputLeftShift());
                        exps[k] = FixedPointMath.expOnNegativeValues(scaled, FixedPointMath.SOFTMAX_SCALED_DIFF_INTEGER_BITS);
                        sum += FixedPointMath.rescale(exps[k], 0, accumulationBits);
                    }
                    FixedPointMath.Reciprocal r = FixedPointMath.reciprocal(sum, accumulationBits);
                    int exponent = r.numBitsOverUnit() + 31 - bits;
                    // a sum of 512 or more puts the shift past 31: each quotient is below half a step (see QSoftmax)
                    boolean belowHalf = exponent > 31;
                    for (int k = 0; k < n; k++) {
                        int v = exps[k] < 0 || belowHalf ? outMin : FixedPoint.roundingDivideByPOT(
                                FixedPoint.saturatingRoundingDoublingHighMul(r.scale(), exps[k]), exponent) + outMin;
                        y[base + k * inner] = FixedPoint.clamp(v, outMin, outMax);
                    }
                }
            return ActivationKernels.one(NdArray.ofIntegers(t, x.shape, y, x.isNarrow()));
        };
    }
}
