package nncc.cpu;

import java.util.Arrays;
import nncc.ir.op.ConvTranspose;

/**
 * Float transposed convolution (ONNX ConvTranspose), N-d with groups, dilations, pads and output padding.
 * Computed as a matrix product W^T * X per image and group (W^T is packed once when W is a constant) followed
 * by col2im: every kernel tap of every input position adds into output position
 * {@code in * stride - padBegin + tap * dilation}; contributions landing outside the output are dropped.
 */
final class ConvTransposeKernels {
    private ConvTransposeKernels() {}

    static Kernel convTranspose(ConvTranspose op, NodeContext ctx) {
        ctx.requireFloat32(0, "input X");
        ctx.requireDType(1, "weight W", ctx.dtype(0));
        if (ctx.hasInput(2)) ctx.requireDType(2, "bias B", ctx.dtype(0));
        int group = op.group();
        NdArray wc = ctx.constant(1);
        float[] constPacked = wc == null ? null : packTransposed(wc.floatView(), wc.shape, group);
        float[] constB = ctx.constant(2) == null ? null : ctx.constant(2).floatView();
        boolean hasBias = ctx.hasInput(2);
        return (in, outTypes) -> {
            NdArray x = in[0];
            int[] wShape = in[1].shape;
            int[] yShape = outTypes[0].shape().toIntArray();
            float[] wt = constPacked != null ? constPacked : packTransposed(in[1].floatView(), wShape, group);
            float[] b = !hasBias ? null : constB != null ? constB : in[2].floatView();
            WindowGeometry g = WindowGeometry.of(x.shape, yShape, WindowGeometry.kernelOf(wShape),
                    op.strides(), op.pads(), op.dilations());
            float[] y = transposedConvolve(x.floatView(), x.shape, wt, b, yShape, group, g);
            ActivationKernels.clampInPlace(op.activation(), y);
            return new NdArray[] {NdArray.ofFloats(outTypes[0].dtype(), yShape, y)};
        };
    }

    /**
     * W [C, M/g, k...] as, per group, the matrix W_g^T of shape [M/g * k..., C/g] (row-major), groups back to back.
     */
    static float[] packTransposed(float[] w, int[] wShape, int group) {
        int channels = wShape[0];
        int cg = channels / group;
        int rowLen = NdArray.product(wShape, 1, wShape.length); // M/g * taps
        float[] packed = new float[w.length];
        for (int grp = 0; grp < group; grp++) {
            float[] t = MatrixProduct.transpose(w, grp * cg * rowLen, cg, rowLen);
            System.arraycopy(t, 0, packed, grp * cg * rowLen, t.length);
        }
        return packed;
    }

    static float[] transposedConvolve(float[] x, int[] xShape, float[] wt, float[] bias, int[] yShape, int group,
                                      WindowGeometry g) {
        int batch = xShape[0], channels = xShape[1], outChannels = yShape[1];
        int cg = channels / group, mg = outChannels / group;
        int taps = g.kernelSize, inPositions = g.inSize, outPositions = g.outSize;
        int rows = mg * taps;
        int[] map = g.col2imMap();
        float[] y = new float[batch * outChannels * outPositions];
        if (bias != null)
            for (int n = 0; n < batch; n++)
                for (int m = 0; m < outChannels; m++) {
                    int o = (n * outChannels + m) * outPositions;
                    Arrays.fill(y, o, o + outPositions, bias[m]);
                }
        float[] cols = new float[rows * inPositions];
        for (int n = 0; n < batch; n++)
            for (int grp = 0; grp < group; grp++) {
                Arrays.fill(cols, 0f);
                MatrixProduct.multiplyAdd(rows, inPositions, cg, wt, grp * cg * rows, cg,
                        x, (n * channels + grp * cg) * inPositions, inPositions, cols, 0, inPositions);
                for (int m = 0; m < mg; m++) {
                    int dst = (n * outChannels + grp * mg + m) * outPositions;
                    for (int t = 0; t < taps; t++) {
                        int src = (m * taps + t) * inPositions;
                        int m0 = t * inPositions;
                        for (int p = 0; p < inPositions; p++) {
                            int o = map[m0 + p];
                            if (o >= 0) y[dst + o] += cols[src + p];
                        }
                    }
                }
            }
        return y;
    }
}
