package nncc.cpu;

import java.util.Arrays;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.op.DynamicQuantConv;
import nncc.ir.op.DynamicQuantGemm;

/**
 * The hybrid ("dynamic range") ops DynamicQuantConv and DynamicQuantGemm: float input and output, int8 weights.
 * Each sample (an image of the convolution, a row of the matrix product) is quantized on the fly to asymmetric
 * int8 as TFLite's AsymmetricQuantizeFloats does: range [min, max] widened to include 0, {@code scale = (max -
 * min) / 255}, {@code zp = clamp(round(-128 - min / scale))}, {@code q = clamp(round(zp + x / scale))}; the
 * product {@code sum((q - zp) * w)} is exact in int32 and {@code y = acc * (scale * weightScale[c]) + bias[c]}
 * in float32.
 */
final class DynamicQuantKernels {
    private DynamicQuantKernels() {}

    /** The largest |q - zp| of an int8 sample. */
    private static final long MAX_ABS_INPUT = 255;

    /** The int8 quantization of one sample: values minus their zero point, and the scale. */
    record QuantizedSample(float scale, int zeroPoint) {}

    static Kernel conv(DynamicQuantConv op, NodeContext ctx) {
        ctx.requireFloat32(0, "input x");
        ctx.requireDType(1, "weight w", DType.I8);
        if (ctx.hasInput(2)) ctx.requireFloat32(2, "bias");
        int outChannels = Math.toIntExact(ctx.inputTypes().get(1).shape().dim(0));
        float[] weightScales = channelScales(op.weightScales(), outChannels);
        IntegerConvolution.Weights constW = ctx.constant(1) == null ? null : QuantizedLinearKernels.weights(ctx.constant(1), MAX_ABS_INPUT);
        return (in, outTypes) -> {
            NdArray x = in[0];
            int[] yShape = outTypes[0].shape().toIntArray();
            WindowGeometry g = WindowGeometry.of(x.shape, yShape, WindowGeometry.kernelOf(in[1].shape), op.strides(),
                    op.pads(), op.dilations());
            IntegerConvolution.Weights w = constW != null ? constW : QuantizedLinearKernels.weights(in[1], MAX_ABS_INPUT);
            float[] bias = in.length > 2 ? in[2].floatView() : null;
            int batch = x.dim(0), sample = x.size() / Math.max(1, batch);
            int[] q = new int[x.size()];
            float[] scales = new float[batch];
            for (int n = 0; n < batch; n++) scales[n] = quantizeSample(x.floats, n * sample, sample, q).scale();
            float[] y = new float[NdArray.sizeOf(yShape)];
            IntegerConvolution.Input input = w.usesFloats() ? new IntegerConvolution.Input(null, toFloats(q)) : new IntegerConvolution.Input(q, null);
            IntegerConvolution.convolve32(input, x.shape, w, yShape, op.group(), g, new IntegerConvolution.PlaneSink() {
                @Override public void ints(int n, int c, int[] acc, int from, int positions, int dst) {
                    float s = scales[n] * weightScales[c], b = bias == null ? 0f : bias[c];
                    for (int p = 0; p < positions; p++) y[dst + p] = acc[from + p] * s + b;
                }

                @Override public void floats(int n, int c, float[] acc, int from, int positions, int dst) {
                    float s = scales[n] * weightScales[c], b = bias == null ? 0f : bias[c];
                    for (int p = 0; p < positions; p++) y[dst + p] = (int) acc[from + p] * s + b;
                }
            });
            return ActivationKernels.one(NdArray.ofFloats(outTypes[0].dtype(), yShape, y));
        };
    }

    static Kernel gemm(DynamicQuantGemm op, NodeContext ctx) {
        ctx.requireFloat32(0, "input x");
        ctx.requireDType(1, "weight w", DType.I8);
        if (ctx.hasInput(2)) ctx.requireFloat32(2, "bias");
        int outputs = Math.toIntExact(ctx.inputTypes().get(1).shape().dim(0));
        float[] weightScales = channelScales(op.weightScales(), outputs);
        IntegerConvolution.Weights constW = ctx.constant(1) == null ? null : QuantizedLinearKernels.weights(ctx.constant(1), MAX_ABS_INPUT);
        return (in, outTypes) -> {
            NdArray x = in[0];
            int n = x.dim(0), k = x.dim(1), m = outputs;
            IntegerConvolution.Weights w = constW != null ? constW : QuantizedLinearKernels.weights(in[1], MAX_ABS_INPUT);
            float[] bias = in.length > 2 ? in[2].floatView() : null;
            int[] q = new int[n * k];
            float[] scales = new float[n];
            for (int i = 0; i < n; i++) scales[i] = quantizeSample(x.floats, i * k, k, q).scale();
            int[] qt = new int[n * k];
            for (int i = 0; i < n; i++) for (int p = 0; p < k; p++) qt[p * n + i] = q[i * k + p];
            int[] acc = IntegerConvolution.multiply32(w, m, k, qt, n, null);
            float[] y = new float[n * m];
            for (int j = 0; j < m; j++) {
                float b = bias == null ? 0f : bias[j];
                for (int i = 0; i < n; i++) y[i * m + j] = acc[j * n + i] * (scales[i] * weightScales[j]) + b;
            }
            return ActivationKernels.one(NdArray.ofFloats(outTypes[0].dtype(), outTypes[0].shape().toIntArray(), y));
        };
    }

    /**
     * Quantizes {@code x[from, from + count)} to int8 and writes {@code q - zp} into the same positions of {@code out}.
     * An all-zero sample gets scale 1 and zero point 0.
     */
    static QuantizedSample quantizeSample(float[] x, int from, int count, int[] out) {
        float min = 0f, max = 0f;
        for (int i = from; i < from + count; i++) { min = Math.min(min, x[i]); max = Math.max(max, x[i]); }
        if (min == max) {
            Arrays.fill(out, from, from + count, 0);
            return new QuantizedSample(1f, 0);
        }
        double scale = ((double) max - min) / 255.0;
        double zpFromMin = -128 - min / scale;
        int zp = zpFromMin <= -128 ? -128 : zpFromMin >= 127 ? 127 : (int) FixedPoint.roundHalfAway(zpFromMin);
        float floatScale = (float) scale;
        float inverse = 1f / floatScale;
        for (int i = from; i < from + count; i++) {
            long v = FixedPoint.roundHalfAway(zp + x[i] * inverse);
            out[i] = (int) Math.max(-128, Math.min(127, v)) - zp;
        }
        return new QuantizedSample(floatScale, zp);
    }

    private static float[] toFloats(int[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = a[i];
        return f;
    }

    private static float[] channelScales(List<Float> scales, int channels) {
        float[] r = new float[channels];
        for (int c = 0; c < channels; c++) r[c] = scales.get(scales.size() == 1 ? 0 : c);
        return r;
    }
}
