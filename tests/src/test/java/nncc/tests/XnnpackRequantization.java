package nncc.tests;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.Conv2DOptionsT;
import org.tensorflow.lite.schema.DepthwiseConv2DOptionsT;
import org.tensorflow.lite.schema.FullyConnectedOptionsT;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorT;

/**
 * A model of what XNNPACK's QS8/QC8 convolution and fully connected kernels compute (the delegate tflite-run's runtime
 * applies to every int8 layer): the int32 accumulator converted to float, times the float32 scale
 * {@code sIn * sW[c] / sOut} (formed in float32 as the delegate forms it), rounded half to even, plus the output zero
 * point, clamped. Written from the file alone (NHWC input, OHWI or [1,H,W,C] filters), independent of nncc's kernels,
 * so a test can show which arithmetic the runtime follows.
 */
final class XnnpackRequantization {
    private XnnpackRequantization() {}

    /** The outputs of CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED {@code op} for {@code n} NHWC int8 inputs in {@code x}. */
    static long[] run(ModelT m, OperatorT op, String kind, byte[] x, int n) {
        SubGraphT sg = m.getSubgraphs()[0];
        TensorT xt = sg.getTensors()[op.getInputs()[0]], wt = sg.getTensors()[op.getInputs()[1]], yt = sg.getTensors()[op.getOutputs()[0]];
        byte[] w = bytes(m.getBuffers()[(int) wt.getBuffer()].getData());
        int[] bias = null;
        if (op.getInputs().length > 2 && op.getInputs()[2] >= 0) {
            ByteBuffer bb = ByteBuffer.wrap(bytes(m.getBuffers()[(int) sg.getTensors()[op.getInputs()[2]].getBuffer()].getData())).order(ByteOrder.LITTLE_ENDIAN);
            bias = new int[bb.remaining() / 4];
            for (int i = 0; i < bias.length; i++) bias[i] = bb.getInt();
        }
        float sx = xt.getQuantization().getScale()[0], sy = yt.getQuantization().getScale()[0];
        long zx = xt.getQuantization().getZeroPoint()[0], zy = yt.getQuantization().getZeroPoint()[0];
        float[] sw = wt.getQuantization().getScale();
        int act = 0, strideH = 1, strideW = 1, padding = Padding.VALID, mult = 1;
        Object o = op.getBuiltinOptions() == null ? null : op.getBuiltinOptions().getValue();
        if (o instanceof Conv2DOptionsT c) { act = c.getFusedActivationFunction(); strideH = c.getStrideH(); strideW = c.getStrideW(); padding = c.getPadding(); }
        if (o instanceof DepthwiseConv2DOptionsT c) { act = c.getFusedActivationFunction(); strideH = c.getStrideH(); strideW = c.getStrideW(); padding = c.getPadding(); mult = c.getDepthMultiplier(); }
        if (o instanceof FullyConnectedOptionsT c) act = c.getFusedActivationFunction();
        int lo = -128, hi = 127;
        if (act == ActivationFunctionType.RELU || act == ActivationFunctionType.RELU6) lo = (int) Math.max(lo, zy);
        if (act == ActivationFunctionType.RELU6) hi = (int) Math.min(hi, zy + Math.round(6f / sy));
        int[] ys = yt.getShape();
        int outPer = 1;
        for (int d : ys) outPer *= d;
        long[] r = new long[n * outPer];
        if (kind.equals("FULLY_CONNECTED")) {
            int units = wt.getShape()[0], depth = wt.getShape()[1];
            for (int s = 0; s < n; s++)
                for (int u = 0; u < units; u++) {
                    long acc = bias == null ? 0 : bias[u];
                    for (int k = 0; k < depth; k++) acc += (x[s * depth + k] - zx) * w[u * depth + k];
                    r[s * units + u] = requantize(acc, sx, sw[sw.length == 1 ? 0 : u], sy, zy, lo, hi);
                }
            return r;
        }
        int[] xs = xt.getShape();
        int h = xs[1], wd = xs[2], c = xs[3], oh = ys[1], ow = ys[2], oc = ys[3], kh = wt.getShape()[1], kw = wt.getShape()[2];
        boolean depthwise = kind.equals("DEPTHWISE_CONV_2D");
        int padH = 0, padW = 0;
        if (padding == Padding.SAME) {
            padH = Math.max(0, (oh - 1) * strideH + kh - h) / 2;
            padW = Math.max(0, (ow - 1) * strideW + kw - wd) / 2;
        }
        for (int s = 0; s < n; s++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int ch = 0; ch < oc; ch++) {
                        long acc = bias == null ? 0 : bias[ch];
                        for (int ky = 0; ky < kh; ky++)
                            for (int kx = 0; kx < kw; kx++) {
                                int iy = oy * strideH - padH + ky, ix = ox * strideW - padW + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                int base = ((s * h + iy) * wd + ix) * c;
                                if (depthwise) acc += (x[base + ch / mult] - zx) * w[(ky * kw + kx) * oc + ch];
                                else for (int ic = 0; ic < c; ic++) acc += (x[base + ic] - zx) * w[((ch * kh + ky) * kw + kx) * c + ic];
                            }
                        r[((s * oh + oy) * ow + ox) * oc + ch] = requantize(acc, sx, sw[sw.length == 1 ? 0 : ch], sy, zy, lo, hi);
                    }
        return r;
    }

    /** XNNPACK's fp32 requantization of one accumulator. */
    static long requantize(long acc, float sx, float sw, float sy, long zy, int lo, int hi) {
        float scale = sx * sw / sy;
        long q = (long) Math.rint((float) acc * scale) + zy;
        return Math.max(lo, Math.min(hi, q));
    }

    private static byte[] bytes(int[] d) {
        byte[] r = new byte[d.length];
        for (int i = 0; i < d.length; i++) r[i] = (byte) d[i];
        return r;
    }
}
