package nncc.passes.train;

import java.util.List;

/**
 * BatchNormalization over NCHW (per channel): in training mode it normalizes with the batch's mean and biased
 * variance and updates the running statistics ({@code running = momentum * running + (1 - momentum) * batch},
 * ONNX's momentum 0.9, with the unbiased variance as PyTorch does); in inference mode it uses the running ones.
 * Inputs: x, scale, bias, running mean, running variance (the last two are updated, not trained).
 */
final class BatchNormLayer extends TrainLayer {
    static final float MOMENTUM = 0.9f;
    private final int c, plane;
    private final float eps;
    private final double[] mean, invStd;
    private final double[][] sum, sumSq;
    private boolean lastTraining;

    BatchNormLayer(String node, List<TrainValue> inputs, TrainValue output, float eps, int chunks) {
        super(node, inputs, output);
        c = inputs.get(0).dims[0];
        plane = inputs.get(0).perImage / c;
        this.eps = eps;
        mean = new double[c];
        invStd = new double[c];
        sum = new double[chunks][c];
        sumSq = new double[chunks][c];
    }

    @Override void forward(Chunks ch, boolean training) {
        float[] x = in(0).data, y = output.data, gamma = in(1).data, beta = in(2).data;
        float[] runMean = in(3).data, runVar = in(4).data;
        lastTraining = training;
        if (training) {
            ch.run(chunk -> {
                java.util.Arrays.fill(sum[chunk], 0);
                java.util.Arrays.fill(sumSq[chunk], 0);
                for (int n = ch.start(chunk); n < ch.end(chunk); n++)
                    for (int k = 0; k < c; k++) {
                        double s = 0, s2 = 0;
                        int base = (n * c + k) * plane;
                        for (int i = 0; i < plane; i++) {
                            double v = x[base + i];
                            s += v;
                            s2 += v * v;
                        }
                        sum[chunk][k] += s;
                        sumSq[chunk][k] += s2;
                    }
            });
            long count = (long) ch.batch() * plane;
            for (int k = 0; k < c; k++) {
                double s = 0, s2 = 0;
                for (int chunk = 0; chunk < sum.length; chunk++) {
                    s += sum[chunk][k];
                    s2 += sumSq[chunk][k];
                }
                double mu = s / count, var = Math.max(0, s2 / count - mu * mu);
                mean[k] = mu;
                invStd[k] = 1 / Math.sqrt(var + eps);
                double unbiased = count > 1 ? var * count / (count - 1) : var;
                runMean[k] = (float) (MOMENTUM * runMean[k] + (1 - MOMENTUM) * mu);
                runVar[k] = (float) (MOMENTUM * runVar[k] + (1 - MOMENTUM) * unbiased);
            }
        } else {
            for (int k = 0; k < c; k++) {
                mean[k] = runMean[k];
                invStd[k] = 1 / Math.sqrt((double) runVar[k] + eps);
            }
        }
        ch.run(chunk -> {
            for (int n = ch.start(chunk); n < ch.end(chunk); n++)
                for (int k = 0; k < c; k++) {
                    float a = (float) (gamma[k] * invStd[k]), b = (float) (beta[k] - gamma[k] * invStd[k] * mean[k]);
                    int base = (n * c + k) * plane;
                    for (int i = 0; i < plane; i++) y[base + i] = a * x[base + i] + b;
                }
        });
    }

    @Override void backward(Chunks ch) {
        float[] x = in(0).data, gy = output.grad, gamma = in(1).data;
        // per chunk: sum(gy) and sum(gy * xhat) per channel, reduced in chunk order
        ch.run(chunk -> {
            java.util.Arrays.fill(sum[chunk], 0);
            java.util.Arrays.fill(sumSq[chunk], 0);
            for (int n = ch.start(chunk); n < ch.end(chunk); n++)
                for (int k = 0; k < c; k++) {
                    double s = 0, sx = 0;
                    int base = (n * c + k) * plane;
                    for (int i = 0; i < plane; i++) {
                        s += gy[base + i];
                        sx += gy[base + i] * (x[base + i] - mean[k]) * invStd[k];
                    }
                    sum[chunk][k] += s;
                    sumSq[chunk][k] += sx;
                }
        });
        double[] sg = new double[c], sgx = new double[c];
        for (int chunk = 0; chunk < sum.length; chunk++)
            for (int k = 0; k < c; k++) {
                sg[k] += sum[chunk][k];
                sgx[k] += sumSq[chunk][k];
            }
        float[] gGamma = in(1).chunkGrad[0], gBeta = in(2).chunkGrad[0];
        for (int k = 0; k < c; k++) {
            gGamma[k] += (float) sgx[k];
            gBeta[k] += (float) sg[k];
        }
        float[] gx = in(0).grad;
        if (gx == null) return;
        long count = (long) ch.batch() * plane;
        ch.run(chunk -> {
            for (int n = ch.start(chunk); n < ch.end(chunk); n++)
                for (int k = 0; k < c; k++) {
                    int base = (n * c + k) * plane;
                    double g = gamma[k] * invStd[k];
                    if (!lastTraining) {
                        for (int i = 0; i < plane; i++) gx[base + i] += (float) (g * gy[base + i]);
                        continue;
                    }
                    double mg = sg[k] / count, mgx = sgx[k] / count;
                    for (int i = 0; i < plane; i++) {
                        double xhat = (x[base + i] - mean[k]) * invStd[k];
                        gx[base + i] += (float) (g * (gy[base + i] - mg - xhat * mgx));
                    }
                }
        });
    }
}
