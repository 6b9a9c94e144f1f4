package nncc.passes.train;

import java.util.List;
import nncc.ir.op.Activation;

/**
 * Gemm (alpha = beta = 1, no transA) and MatMul with a 2-D weight: {@code y[n] = x[n] * W (transB: W^T) + b}, with
 * the fused activation's clamp, forward and backward.
 */
final class DenseLayer extends TrainLayer {
    private final int in, out;
    private final boolean transB;
    private final float lo, hi;
    private float[] weightKM;

    DenseLayer(String node, List<TrainValue> inputs, TrainValue output, boolean transB, Activation activation) {
        super(node, inputs, output);
        this.in = inputs.get(0).perImage;
        this.out = output.perImage;
        this.transB = transB;
        this.lo = activation.min();
        this.hi = activation.max();
    }

    @Override void forward(Chunks ch, boolean training) {
        float[] wt = in(1).data, b = inputs.size() > 2 ? in(2).data : null, x = in(0).data, y = output.data;
        weightKM = transB ? ConvLayer.transpose(wt, 0, out, in, new float[wt.length]) : wt;
        ch.run(chunk -> {
            int n0 = ch.start(chunk), rows = ch.end(chunk) - n0;
            java.util.Arrays.fill(y, n0 * out, (n0 + rows) * out, 0f);
            ConvLayer.matMulAdd(x, n0 * in, weightKM, 0, y, n0 * out, rows, in, out);
            for (int r = n0; r < n0 + rows; r++)
                for (int j = 0; j < out; j++) {
                    int i = r * out + j;
                    y[i] = Math.max(lo, Math.min(hi, y[i] + (b == null ? 0f : b[j])));
                }
        });
    }

    @Override void backward(Chunks ch) {
        float[] x = in(0).data, y = output.data, gy = output.grad, wt = in(1).data;
        boolean clamped = lo > Float.NEGATIVE_INFINITY || hi < Float.POSITIVE_INFINITY;
        ch.run(chunk -> {
            int n0 = ch.start(chunk), rows = ch.end(chunk) - n0;
            float[] gw = in(1).gradFor(chunk), gb = inputs.size() > 2 ? in(2).gradFor(chunk) : null, gx = in(0).grad;
            if (clamped)
                for (int i = n0 * out; i < (n0 + rows) * out; i++) if (!(y[i] > lo && y[i] < hi)) gy[i] = 0f;
            for (int r = n0; r < n0 + rows; r++) {
                if (gb != null) for (int j = 0; j < out; j++) gb[j] += gy[r * out + j];
                if (transB) { // W [out, in]: gW[j, q] += gy[r, j] * x[r, q]
                    for (int j = 0; j < out; j++) {
                        float g = gy[r * out + j];
                        if (g == 0f) continue;
                        for (int q = 0; q < in; q++) gw[j * in + q] += g * x[r * in + q];
                    }
                } else { // W [in, out]: gW[q, j] += x[r, q] * gy[r, j]
                    for (int q = 0; q < in; q++) {
                        float xv = x[r * in + q];
                        if (xv == 0f) continue;
                        for (int j = 0; j < out; j++) gw[q * out + j] += xv * gy[r * out + j];
                    }
                }
            }
            if (gx != null) { // gx[r, q] += sum_j gy[r, j] * W_KM[q, j]: with W [out, in] = W_KM^T that is gy * W
                float[] wOutIn = transB ? wt : ConvLayer.transpose(wt, 0, in, out, new float[wt.length]);
                ConvLayer.matMulAdd(gy, n0 * out, wOutIn, 0, gx, n0 * in, rows, out, in);
            }
        });
    }
}
