package nncc.passes.train;

import java.util.List;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Activation;
import nncc.ir.op.Conv;

/**
 * One {@link ConvBnForm} chain in training (Krishnamoorthi 2018, section 3.2). Each step folds the BatchNorm into the
 * weights with the running variance, {@code wf = w * f}, {@code f = gamma / sqrt(var + eps)}, and quantizes them by
 * the weight fake-quant. With batch statistics (before {@code --freeze-bn-after}) it computes
 * {@code BN_batch(conv(x, fq(wf)) / f + b)}, updating the running statistics, which equals the paper's
 * {@code conv(x, fq(wf)) * sigma / sigma_B + beta - gamma * mu_B / sigma_B} correction; frozen (and in inference)
 * it computes the folded conv {@code conv(x, fq(wf)) + bf}, {@code bf = beta + f * (b - mean)} snapped to the int32
 * grid {@code s_x * s_w[c]} as the lowering rounds it, with no statistics update: exactly the graph
 * {@link ConvBnForm#fold} and {@link QuantAwareGraph#finish} write. Gradients flow to w, b, gamma (through f and
 * the batch norm) and beta; the running statistics are not trained.
 */
final class ConvBnLayer extends TrainLayer {
    final ConvBnForm.Chain chain;
    private final TrainValue weight, bias, gamma, beta, mean, var, folded, quantized, raw, unfolded, foldedBias;
    private final FakeQuantLayer weightQuant;
    private final TrainValue inputScale;
    private final ConvLayer convTraining, convFrozen;
    private final BatchNormLayer batchNorm;
    private final int channels, plane, perChannel;
    private final float eps;
    private final double[][] partialG, partialGy;
    private float[] f = new float[0];
    private boolean lastTraining;

    /**
     * {@code x}, {@code weight} (w), {@code bias} (b as [1,C,1,1] or null), the four batch-norm values; {@code folded}
     * and {@code quantized} (the same value when there is no weight fake-quant) hold wf and fq(wf); {@code raw} the
     * conv output, {@code unfolded} {@code raw / f + b} (computed in place in raw's buffer), {@code foldedBias} bf; {@code inputScale} the scale of the
     * FakeQuant before the conv (null: no bias snapping).
     */
    ConvBnLayer(ConvBnForm.Chain chain, TrainValue x, TrainValue weight, TrainValue bias, TrainValue gamma, TrainValue beta,
                TrainValue mean, TrainValue var, TrainValue folded, TrainValue quantized, FakeQuantLayer weightQuant,
                TrainValue raw, TrainValue unfolded, TrainValue foldedBias, TrainValue output, TrainValue inputScale, int chunks) {
        super(chain.conv().name(), bias == null ? List.of(x, weight, gamma, beta, mean, var) : List.of(x, weight, bias, gamma, beta, mean, var),
                output);
        this.chain = chain;
        this.weight = weight;
        this.bias = bias;
        this.gamma = gamma;
        this.beta = beta;
        this.mean = mean;
        this.var = var;
        this.folded = folded;
        this.quantized = quantized;
        this.weightQuant = weightQuant;
        this.raw = raw;
        this.unfolded = unfolded;
        this.foldedBias = foldedBias;
        this.inputScale = inputScale;
        this.eps = chain.epsilon();
        Conv op = (Conv) chain.conv().op();
        convTraining = new ConvLayer(node, List.of(x, quantized), raw, op.strides(), op.pads(), op.dilations(), op.group(), Activation.NONE);
        convFrozen = new ConvLayer(node, List.of(x, quantized, foldedBias), output, op.strides(), op.pads(), op.dilations(), op.group(),
                Activation.NONE);
        batchNorm = new BatchNormLayer(chain.batchNorm().name(), List.of(unfolded, gamma, beta, mean, var), output, eps, chunks);
        channels = weight.dims[0];
        plane = raw.perImage / channels;
        perChannel = weight.perImage / channels;
        partialG = new double[chunks][channels];
        unfolded.aliased = true; // raw / f + b is computed in place: one buffer (and one gradient) for both
        partialGy = new double[chunks][channels];
    }

    /** Folds and fake-quantizes the weights from the current w, gamma and running variance. */
    void refreshWeights() {
        f = ConvBnForm.factor(gamma.data, var.data, eps);
        ConvBnForm.foldWeights(weight.data, f, folded.data);
        if (weightQuant != null) weightQuant.forward(null, false);
    }

    @Override void forward(Chunks ch, boolean training) {
        lastTraining = training;
        refreshWeights();
        if (training) {
            convTraining.forward(ch, true);
            unfolded.data = raw.data;
            unfolded.grad = raw.grad;
            float[] y = raw.data, u = unfolded.data, b = bias == null ? null : bias.data;
            ch.run(chunk -> {
                for (int n = ch.start(chunk); n < ch.end(chunk); n++)
                    for (int c = 0; c < channels; c++) {
                        float fc = f[c], bc = b == null ? 0f : b[c];
                        int base = (n * channels + c) * plane;
                        for (int i = base; i < base + plane; i++) u[i] = y[i] / fc + bc;
                    }
            });
            batchNorm.forward(ch, true);
            return;
        }
        float[] bf = foldedBias.data;
        for (int c = 0; c < channels; c++) {
            bf[c] = ConvBnForm.foldedBias(beta.data[c], f[c], bias == null ? 0f : bias.data[c], mean.data[c]);
            if (inputScale != null && weightQuant != null) {
                float[] sw = weightQuant.scale.data;
                bf[c] = QuantAwareGraph.snapBias(bf[c], inputScale.data[0] * sw[sw.length == 1 ? 0 : c]);
            }
        }
        convFrozen.forward(ch, false);
    }

    @Override void backward(Chunks ch) {
        double[] df = new double[channels];
        if (lastTraining) {
            batchNorm.backward(ch);
            // gu and the conv output's gradient share a buffer (so do u and the conv output): the conv output is
            // (u - b) * f, and gu becomes gu / f in place
            float[] gu = unfolded.grad, u = unfolded.data, b = bias == null ? null : bias.data;
            ch.run(chunk -> {
                java.util.Arrays.fill(partialG[chunk], 0);
                java.util.Arrays.fill(partialGy[chunk], 0);
                for (int n = ch.start(chunk); n < ch.end(chunk); n++)
                    for (int c = 0; c < channels; c++) {
                        double s = 0, sy = 0;
                        float inv = 1f / f[c], bc = b == null ? 0f : b[c];
                        int base = (n * channels + c) * plane;
                        for (int i = base; i < base + plane; i++) {
                            s += gu[i];
                            sy += (double) gu[i] * (u[i] - bc);
                            gu[i] *= inv;
                        }
                        partialG[chunk][c] += s;
                        partialGy[chunk][c] += sy;
                    }
            });
            for (int chunk = 0; chunk < partialG.length; chunk++)
                for (int c = 0; c < channels; c++) {
                    if (bias != null) bias.chunkGrad[0][c] += (float) partialG[chunk][c];
                    df[c] -= partialGy[chunk][c] / f[c];
                }
            convTraining.backward(ch);
        } else {
            convFrozen.backward(ch);
            foldedBias.reduceChunks();
            float[] g = foldedBias.grad;
            for (int c = 0; c < channels; c++) {
                beta.chunkGrad[0][c] += g[c];
                float bc = bias == null ? 0f : bias.data[c];
                if (bias != null) bias.chunkGrad[0][c] += g[c] * f[c];
                df[c] += g[c] * ((double) bc - mean.data[c]);
            }
        }
        quantized.reduceChunks();
        if (weightQuant != null) {
            weightQuant.backward(ch);
            folded.reduceChunks();
        }
        float[] gwf = folded.grad, w = weight.data, gw = weight.chunkGrad[0];
        for (int i = 0; i < w.length; i++) {
            int c = i / perChannel;
            gw[i] += gwf[i] * f[c];
            df[c] += (double) gwf[i] * w[i];
        }
        float[] gg = gamma.chunkGrad[0];
        for (int c = 0; c < channels; c++) gg[c] += (float) (df[c] / Math.sqrt((double) var.data[c] + eps));
    }

    /** Writes the current factor f into the chain's two scaling constants (after the statistics were written back). */
    void writeFactors(Graph g) {
        float[] now = ConvBnForm.factor(gamma.data, var.data, eps);
        g.addConstant(chain.scale().input(1).name(), Tensor.ofFloats(Shape.of(channels, 1, 1, 1), now));
        g.addConstant(chain.divide().input(1).name(), Tensor.ofFloats(Shape.of(1, channels, 1, 1), now));
    }
}
