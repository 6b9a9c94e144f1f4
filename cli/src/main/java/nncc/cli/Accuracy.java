package nncc.cli;

import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;

/**
 * Top-1 and top-5 accuracy of [N, classes] scores against integer labels. A row whose highest score is shared by
 * several classes (common with int8 outputs, whose scores lie on a grid) counts as its first such class, as
 * numpy's and PyTorch's argmax decide; {@code tiedRows} says how many rows that was, and {@code top1TiesSplit}
 * is the top-1 when each tied row instead gives 1/k of a hit if its label is among its k tied classes (the
 * expected top-1 under a random tie-break).
 */
record Accuracy(double top1, double top5, int count, int tiedRows, double top1TiesSplit, long[] predictions) {
    static Accuracy of(Tensor scores, long[] labels) {
        if (scores.shape().rank() < 2 || scores.shape().dim(0) != labels.length)
            throw new ModelException("model output " + scores + " is not [N, classes] for " + labels.length + " labels");
        int n = labels.length;
        int classes = (int) (scores.numElements() / n);
        float[] s = scores.toFloats();
        for (float v : s) if (Float.isNaN(v)) throw new ModelException("model output holds NaN scores; no accuracy can be computed from them");
        int hit1 = 0, hit5 = 0, tied = 0;
        double split = 0;
        long[] predictions = new long[n];
        for (int i = 0; i < n; i++) {
            long label = labels[i];
            if (label < 0 || label >= classes) throw new ModelException("label " + label + " at sample " + i + " is not a class in [0," + classes + ")");
            float mine = s[i * classes + (int) label];
            int better = 0, best = 0, atBest = 0;
            for (int c = 0; c < classes; c++) {
                float v = s[i * classes + c];
                if (v > mine || (v == mine && c < label)) better++;
                if (v > s[i * classes + best]) best = c;
            }
            for (int c = 0; c < classes; c++) if (s[i * classes + c] == s[i * classes + best]) atBest++;
            predictions[i] = best;
            if (better == 0) hit1++;
            if (better < 5) hit5++;
            if (atBest > 1) tied++;
            if (mine == s[i * classes + best]) split += 1.0 / atBest;
        }
        return new Accuracy((double) hit1 / n, (double) hit5 / n, n, tied, split / n, predictions);
    }

    /** The predicted class of every row as an int64 [N] tensor (first class among ties). */
    Tensor predictionTensor() { return Tensor.ofLongs(DType.I64, Shape.of(predictions.length), predictions); }
}
