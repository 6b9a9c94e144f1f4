package nncc.passes.train;

/** The classification loss: mean softmax cross-entropy over a batch of logits, and its gradient. */
final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {}

    /**
     * Returns {mean loss, number of correct top-1 predictions} for logits [batch, classes]; when {@code grad} is not
     * null it receives {@code (softmax - onehot) / batch}.
     */
    static double[] lossAndGradient(float[] logits, float[] grad, int[] labels, int classes) {
        int batch = labels.length;
        double loss = 0;
        long correct = 0;
        for (int n = 0; n < batch; n++) {
            int o = n * classes, label = labels[n];
            if (label < 0 || label >= classes)
                throw new IllegalArgumentException("label " + label + " of example " + n + " is outside [0, " + classes + ")");
            double max = Double.NEGATIVE_INFINITY;
            int best = 0;
            for (int k = 0; k < classes; k++)
                if (logits[o + k] > max) {
                    max = logits[o + k];
                    best = k;
                }
            if (best == label) correct++;
            double sum = 0;
            for (int k = 0; k < classes; k++) sum += Math.exp(logits[o + k] - max);
            loss += Math.log(sum) + max - logits[o + label];
            if (grad != null)
                for (int k = 0; k < classes; k++) {
                    double p = Math.exp(logits[o + k] - max) / sum;
                    grad[o + k] = (float) ((p - (k == label ? 1 : 0)) / batch);
                }
        }
        return new double[] {loss / batch, correct};
    }
}
