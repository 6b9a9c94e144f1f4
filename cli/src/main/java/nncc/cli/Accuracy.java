package nncc.cli;

import nncc.ir.ModelException;
import nncc.ir.Tensor;

/** Top-1 and top-5 accuracy of [N, classes] scores against integer labels. */
record Accuracy(double top1, double top5, int count) {
    static Accuracy of(Tensor scores, long[] labels) {
        if (scores.shape().rank() < 2 || scores.shape().dim(0) != labels.length)
            throw new ModelException("model output " + scores + " is not [N, classes] for " + labels.length + " labels");
        int n = labels.length;
        int classes = (int) (scores.numElements() / n);
        float[] s = scores.toFloats();
        int hit1 = 0, hit5 = 0;
        for (int i = 0; i < n; i++) {
            long label = labels[i];
            if (label < 0 || label >= classes) throw new ModelException("label " + label + " at sample " + i + " is not a class in [0," + classes + ")");
            float mine = s[i * classes + (int) label];
            int better = 0;
            for (int c = 0; c < classes; c++) {
                float v = s[i * classes + c];
                if (v > mine || (v == mine && c < label)) better++;
            }
            if (better == 0) hit1++;
            if (better < 5) hit5++;
        }
        return new Accuracy((double) hit1 / n, (double) hit5 / n, n);
    }
}
