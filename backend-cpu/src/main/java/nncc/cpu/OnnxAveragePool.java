package nncc.cpu;

import java.util.List;
import nncc.ir.OnnxArithmetic;
import nncc.ir.op.QAveragePool;

/**
 * QAveragePool in ONNX Runtime's QLinearAveragePool arithmetic (the op's {@code onnxScales}): each window's in-bounds
 * inputs dequantized and summed in float32 in row-major tap order, divided by their count, quantized with ties to
 * even ({@link OnnxArithmetic#averagePoolOutput}); a window of the whole unpadded input takes the global pool's
 * integer sum and float scale ({@link OnnxArithmetic#requantize}), as ORT falls back to it.
 */
final class OnnxAveragePool {
    private OnnxAveragePool() {}

    static Kernel kernel(QAveragePool op, NodeContext ctx, int[] kernel, List<Integer> noDilation) {
        float scale = op.onnxScales().get(0);
        long zp = ctx.inputTypes().get(0).quant().zeroPoint(0);
        boolean global = op.onnxGlobal(ctx.inputTypes().get(0).shape());
        int offset = op.onnxOffset(), lo = op.actMin(), hi = op.actMax();
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
                    float sum = 0;
                    int isum = 0, count = 0;
                    for (int t = p * taps; t < (p + 1) * taps; t++)
                        if (map[t] >= 0) {
                            long v = x.longs()[base + map[t]];
                            sum += OnnxArithmetic.dequantize(v, zp, scale);
                            isum += (int) (v - zp);
                            count++;
                        }
                    if (count == 0) throw ctx.error("average pool window " + p + " covers no input element");
                    y[plane * positions + p] = global ? OnnxArithmetic.requantize(isum, scale, zp, lo, hi)
                            : OnnxArithmetic.averagePoolOutput(sum, count, scale, zp, offset, lo, hi);
                }
            }
            return ActivationKernels.one(NdArray.ofLongs(x.dtype, yShape, y));
        };
    }
}
