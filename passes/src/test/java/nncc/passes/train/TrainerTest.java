package nncc.passes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

/**
 * Training end to end on a tiny model: the loss falls, a seed gives bit-identical weights with one and two threads
 * (and again with one), SGD and Adam and every schedule run, and a graph with an op that has no derivative is
 * refused by name.
 */
class TrainerTest {
    /** Five classes: class c < 4 brightens channel c, class 4 darkens every channel; Gaussian noise on top. */
    static TrainingSet data(int n, long seed) {
        Random r = new Random(seed);
        int per = 4 * 7 * 7;
        float[] x = new float[n * per];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(5);
            for (int j = 0; j < per; j++) {
                int channel = j / 49;
                double shift = y[i] == 4 ? -1.0 : channel == y[i] ? 1.5 : 0.0;
                x[i * per + j] = (float) (r.nextGaussian() * 0.5 + shift);
            }
        }
        return new TrainingSet(x, y, new int[] {4, 7, 7});
    }

    private static TrainingOptions options(LearningRateSchedule.Kind s, Optimizer.Kind o, int threads) {
        return new TrainingOptions(3, 16, o == Optimizer.Kind.ADAM ? 0.01 : 0.05, o, s, 1e-4, 0.9, 7, threads, 2, false,
                Integer.MAX_VALUE, new TrainingOptions.Augmentation(1, true));
    }

    private static float[] trainedWeights(Graph g, TrainingOptions o, TrainingSet set, double[] losses) {
        try (Trainer t = new Trainer(g, o)) {
            for (int e = 0; e < o.epochs(); e++) losses[e] = t.trainEpoch(set, e + 1, null).loss();
            StringBuilder all = new StringBuilder();
            java.util.List<Float> w = new java.util.ArrayList<>();
            for (TrainValue p : t.net().parameters.values()) for (float v : p.data) w.add(v);
            float[] out = new float[w.size()];
            for (int i = 0; i < out.length; i++) out[i] = w.get(i);
            return out;
        }
    }

    @Test void lossFallsAndOneAndTwoThreadsGiveTheSameWeights() {
        TrainingSet set = data(96, 3);
        double[] l1 = new double[3], l2 = new double[3], l3 = new double[3];
        float[] one = trainedWeights(TrainGraphs.convNet(4), options(LearningRateSchedule.Kind.COSINE, Optimizer.Kind.SGD, 1), set, l1);
        float[] two = trainedWeights(TrainGraphs.convNet(4), options(LearningRateSchedule.Kind.COSINE, Optimizer.Kind.SGD, 2), set, l2);
        float[] again = trainedWeights(TrainGraphs.convNet(4), options(LearningRateSchedule.Kind.COSINE, Optimizer.Kind.SGD, 1), set, l3);
        assertTrue(l1[2] < l1[0] * 0.7, "loss per epoch " + java.util.Arrays.toString(l1));
        assertArrayEquals(one, two, "1 and 2 threads");
        assertArrayEquals(one, again, "the same seed twice");
        assertArrayEquals(l1, l2);
    }

    @Test void adamOneCycleAndBatchNormTrain() {
        TrainingSet set = data(64, 9);
        double[] losses = new double[3];
        trainedWeights(TrainGraphs.convNet(5), options(LearningRateSchedule.Kind.ONECYCLE, Optimizer.Kind.ADAM, 2), set, losses);
        assertTrue(losses[2] < losses[0], java.util.Arrays.toString(losses));
    }

    @Test void lsqLearnsTheStepSizesOfAFakeQuantGraph() {
        Random r = new Random(3);
        Graph g = IrParser.parse("""
                graph @fq {
                  input %x : f32[?N,4,7,7]
                  const %w : f32[5,4] = W
                  node @xq = FakeQuant {scales = [0.05], zeroPoints = [0], bits = 8, narrowRange = false, signed = true, axis = -1} (%x) -> (%xf : f32[?N,4,7,7])
                  node @gap = GlobalAveragePool (%xf) -> (%p : f32[?N,4,1,1])
                  node @flat = Flatten {axis = 1} (%p) -> (%f : f32[?N,4])
                  node @wq = FakeQuant {scales = [0.1, 0.1, 0.1, 0.1, 0.1], zeroPoints = [0, 0, 0, 0, 0], bits = 4, narrowRange = true, signed = true, axis = 0} (%w) -> (%wf : f32[5,4])
                  node @fc = Gemm {alpha = 1.0, beta = 1.0, transA = false, transB = true} (%f, %wf) -> (%y : f32[?N,5])
                  output %y
                }
                """.replace("W", TrainGraphs.floats(r, 20, 0.5)), "fq.nnir");
        TrainingOptions o = new TrainingOptions(3, 16, 0.01, Optimizer.Kind.ADAM, LearningRateSchedule.Kind.CONSTANT, 0, 0.9, 1, 2, 2,
                true, Integer.MAX_VALUE, TrainingOptions.Augmentation.NONE);
        double[] losses = new double[3];
        try (Trainer t = new Trainer(g, o)) {
            for (int e = 0; e < 3; e++) losses[e] = t.trainEpoch(data(64, 4), e + 1, null).loss();
            t.writeBack();
        }
        assertTrue(losses[2] < losses[0], java.util.Arrays.toString(losses));
        nncc.ir.op.FakeQuant xq = (nncc.ir.op.FakeQuant) g.nodes().get(0).op();
        assertTrue(xq.scales().get(0) != 0.05f && xq.scales().get(0) > 0, "learned input step " + xq.scales());
        nncc.ir.op.FakeQuant wq = (nncc.ir.op.FakeQuant) g.nodes().get(3).op();
        assertTrue(wq.scales().stream().anyMatch(s -> s != 0.1f), "learned weight steps " + wq.scales());
        nncc.ir.Verifier.verify(g);
    }

    @Test void schedules() {
        LearningRateSchedule cos = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0.1, 100);
        assertEquals(0.1, cos.at(0), 1e-12);
        assertEquals(0.05, cos.at(50), 1e-12);
        assertEquals(0.0, cos.at(100), 1e-12);
        LearningRateSchedule one = new LearningRateSchedule(LearningRateSchedule.Kind.ONECYCLE, 0.1, 100);
        assertEquals(0.004, one.at(0), 1e-12);
        assertEquals(0.1, one.at(30), 1e-12);
        assertEquals(1e-5, one.at(100), 1e-12);
    }

    @Test void opsWithoutDerivativeAreRefusedByName() {
        Graph g = IrParser.parse("""
                graph @g {
                  input %x : f32[?N,4]
                  node @s = Sigmoid (%x) -> (%y : f32[?N,4])
                  output %y
                }
                """, "g.nnir");
        ModelException e = assertThrows(ModelException.class, () -> new Trainer(g, TrainingOptions.defaults()));
        assertTrue(e.getMessage().contains("cannot train node 's' (Sigmoid)"), e.getMessage());
    }
}
