package nncc.passes.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import nncc.ir.Graph;
import org.junit.jupiter.api.Test;

/**
 * Reverse-mode gradients against central finite differences of the mean cross-entropy, for every trained
 * parameter of two small random graphs covering every op with a derivative (grouped, strided, asymmetrically
 * padded and depthwise Conv with fused Relu6, Relu, Add, 1x1 Conv, GlobalAveragePool, Flatten, Gemm both ways,
 * BatchNormalization in training mode, Clip, MaxPool, AveragePool, Reshape, MatMul). Gradients of inner layers
 * are only right when every later layer's input gradient is right, so the input gradients are checked too.
 * Tolerance: the forward runs in float32, so a difference step of 1e-3 leaves about 1e-4 of rounding noise in the
 * quotient; each coordinate must agree within 2e-3 absolute plus 2 % relative (kinks of Relu/Clip/MaxPool within a
 * step of a probed input are avoided by the random data almost surely; a kink would show as a large error).
 */
class GradientCheckTest {
    @Test void convNetGradientsMatchFiniteDifferences() {
        check(TrainGraphs.convNet(1), new int[] {4, 7, 7}, 5, 11);
    }

    @Test void batchNormNetGradientsMatchFiniteDifferences() {
        check(TrainGraphs.bnNet(2), new int[] {3, 6, 6}, 3, 12);
    }

    private static void check(Graph g, int[] dims, int classes, long seed) {
        int batch = 4, per = 1;
        for (int d : dims) per *= d;
        Random r = new Random(seed);
        float[] x = new float[batch * per];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = r.nextInt(classes);
        try (Trainer t = new Trainer(g, TrainingOptions.defaults().withThreads(1))) {
            t.load(x, batch);
            t.gradients(labels, true);
            int checked = 0;
            double worst = 0;
            for (TrainValue p : t.net().parameters.values()) {
                float[] analytic = p.grad.clone();
                for (int probe = 0; probe < Math.min(12, p.data.length); probe++) {
                    int i = probe < 3 ? probe : r.nextInt(p.data.length);
                    float keep = p.data[i];
                    float h = 1e-3f;
                    p.data[i] = keep + h;
                    t.load(x, batch);
                    double up = t.loss(labels, true);
                    p.data[i] = keep - h;
                    t.load(x, batch);
                    double down = t.loss(labels, true);
                    p.data[i] = keep;
                    double fd = (up - down) / (2 * h);
                    double err = Math.abs(fd - analytic[i]);
                    worst = Math.max(worst, err);
                    assertTrue(err <= 2e-3 + 0.02 * Math.abs(fd),
                            p.name + "[" + i + "]: analytic " + analytic[i] + ", finite difference " + fd);
                    checked++;
                }
            }
            assertTrue(checked > 40, "only " + checked + " coordinates checked");
            System.out.printf("gradient check: %d coordinates, worst absolute error %.2e%n", checked, worst);
        }
    }
}
