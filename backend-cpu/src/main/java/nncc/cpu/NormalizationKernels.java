package nncc.cpu;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.op.BatchNormalization;
import nncc.ir.op.ReduceMean;

/**
 * Normalizations and reductions: inference BatchNormalization (per channel of dim 1, computed in the same
 * float32 steps as ONNX's reference: scale * (x - mean) / sqrt(var + eps) + bias) and ReduceMean over any
 * axes (float types summed in double; integer types summed in 64 bits, the mean truncated toward zero).
 */
final class NormalizationKernels {
    private NormalizationKernels() {}

    static Kernel batchNormalization(BatchNormalization op, NodeContext ctx) {
        ctx.requireDType(0, "input X", DType.F32, DType.F16, DType.BF16, DType.F64);
        for (int i = 1; i < 5; i++) ctx.requireDType(i, "parameter " + i, DType.F32, DType.F16, DType.BF16, DType.F64);
        return (in, outTypes) -> {
            NdArray x = in[0];
            int batch = x.dim(0), channels = x.dim(1), size = NdArray.product(x.shape, 2, x.rank());
            if (x.storage() == NdArray.Storage.DOUBLE) {
                double[] y = new double[x.size()];
                for (int c = 0; c < channels; c++) {
                    double scale = in[1].getDouble(c), bias = in[2].getDouble(c), mean = in[3].getDouble(c);
                    double sd = Math.sqrt(in[4].getDouble(c) + op.epsilon());
                    for (int n = 0; n < batch; n++)
                        for (int i = 0, o = (n * channels + c) * size; i < size; i++, o++)
                            y[o] = scale * (x.doubles[o] - mean) / sd + bias;
                }
                return ActivationKernels.one(NdArray.ofDoubles(x.shape, y));
            }
            float[] y = new float[x.size()];
            for (int c = 0; c < channels; c++) {
                float scale = (float) in[1].getDouble(c), bias = (float) in[2].getDouble(c), mean = (float) in[3].getDouble(c);
                float sd = (float) Math.sqrt((float) in[4].getDouble(c) + op.epsilon());
                for (int n = 0; n < batch; n++)
                    for (int i = 0, o = (n * channels + c) * size; i < size; i++, o++)
                        y[o] = scale * (x.floats[o] - mean) / sd + bias;
            }
            return ActivationKernels.one(NdArray.ofFloats(x.dtype, x.shape, y));
        };
    }

    static Kernel reduceMean(ReduceMean op, NodeContext ctx) {
        ctx.requireDType(0, "input X", DType.F32, DType.F16, DType.BF16, DType.F64, DType.I64, DType.I32);
        return (in, outTypes) -> {
            NdArray x = in[0];
            int r = x.rank();
            List<Integer> axes = op.reducedAxes(r);
            int[] keptShape = new int[r];
            for (int i = 0; i < r; i++) keptShape[i] = axes.contains(i) ? 1 : x.dim(i);
            int[] keptStrides = NdArray.strides(keptShape);
            for (int i = 0; i < r; i++) if (axes.contains(i)) keptStrides[i] = 0;
            int outSize = NdArray.sizeOf(keptShape);
            int count = outSize == 0 ? 0 : x.size() / outSize;
            int[] shape = outTypes[0].shape().toIntArray();
            int[] pos = new int[r];
            if (x.storage() == NdArray.Storage.LONG) {
                long[] sums = new long[outSize];
                for (int i = 0; i < x.size(); i++) {
                    sums[offset(pos, keptStrides)] += x.longs()[i];
                    WindowGeometry.increment(pos, x.shape);
                }
                for (int i = 0; i < outSize; i++) sums[i] = IntegerMath.wrap(x.dtype, sums[i] / count);
                return ActivationKernels.one(NdArray.ofLongs(x.dtype, shape, sums));
            }
            double[] sums = new double[outSize];
            for (int i = 0; i < x.size(); i++) {
                sums[offset(pos, keptStrides)] += x.getDouble(i);
                WindowGeometry.increment(pos, x.shape);
            }
            for (int i = 0; i < outSize; i++) sums[i] /= count;
            if (x.storage() == NdArray.Storage.DOUBLE) return ActivationKernels.one(NdArray.ofDoubles(shape, sums));
            float[] y = new float[outSize];
            for (int i = 0; i < outSize; i++) y[i] = (float) sums[i];
            return ActivationKernels.one(NdArray.ofFloats(x.dtype, shape, y));
        };
    }

    private static int offset(int[] pos, int[] strides) {
        int o = 0;
        for (int i = 0; i < pos.length; i++) o += pos[i] * strides[i];
        return o;
    }
}
