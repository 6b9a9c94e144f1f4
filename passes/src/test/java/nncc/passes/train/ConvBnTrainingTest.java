package nncc.passes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Verifier;
import nncc.ir.io.Npy;
import nncc.ir.op.BatchNormalization;
import nncc.ir.op.Conv;
import nncc.ir.op.FakeQuant;
import nncc.ir.op.QConv;
import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;
import nncc.passes.calib.CalibrationData;
import nncc.passes.quant.LowerQdqPass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ConvBn training form ({@link ConvBnForm}, {@link ConvBnLayer}): gradients against central finite differences
 * with batch statistics and frozen (tolerance as {@link GradientCheckTest}: float32 forward, step 1e-3, 2e-3 absolute
 * plus 2 % relative); freezing stops the running statistics; a trained fake-quant ConvBn graph, folded for export,
 * gives bit for bit the logits the training graph gives in inference mode (also with learned step sizes), and lowers
 * fully at 4-bit weights.
 */
class ConvBnTrainingTest {
    @TempDir Path tmp;

    /** Conv with bias + BN + Relu, depthwise conv without bias + BN, global pool, Gemm. */
    static Graph model(long seed) {
        Random r = new Random(seed);
        String text = """
                graph @convbn {
                  input %x : f32[?N,3,6,6]
                  const %w1 : f32[4,3,3,3] = $W1
                  const %b1 : f32[4] = $B1
                  const %g1 : f32[4] = $G1
                  const %be1 : f32[4] = $BE1
                  const %m1 : f32[4] = $M1
                  const %v1 : f32[4] = $V1
                  const %w2 : f32[4,1,3,3] = $W2
                  const %g2 : f32[4] = $G2
                  const %be2 : f32[4] = $BE2
                  const %m2 : f32[4] = $M2
                  const %v2 : f32[4] = $V2
                  const %wg : f32[3,4] = $WG
                  const %bg : f32[3] = $BG
                  node @c1 = Conv {strides = [1, 1], pads = [1, 1, 1, 1], dilations = [1, 1], group = 1} (%x, %w1, %b1) -> (%c1 : f32[?N,4,6,6])
                  node @bn1 = BatchNormalization {epsilon = 1.0E-5} (%c1, %g1, %be1, %m1, %v1) -> (%n1 : f32[?N,4,6,6])
                  node @relu = Relu (%n1) -> (%r : f32[?N,4,6,6])
                  node @c2 = Conv {strides = [2, 2], pads = [1, 1, 1, 1], dilations = [1, 1], group = 4} (%r, %w2) -> (%c2 : f32[?N,4,3,3])
                  node @bn2 = BatchNormalization {epsilon = 1.0E-5} (%c2, %g2, %be2, %m2, %v2) -> (%n2 : f32[?N,4,3,3])
                  node @gap = GlobalAveragePool (%n2) -> (%p : f32[?N,4,1,1])
                  node @flat = Flatten {axis = 1} (%p) -> (%f : f32[?N,4])
                  node @fc = Gemm {alpha = 1.0, beta = 1.0, transA = false, transB = true} (%f, %wg, %bg) -> (%logits : f32[?N,3])
                  output %logits
                }
                """;
        text = text.replace("$W1", TrainGraphs.floats(r, 108, 0.5)).replace("$B1", TrainGraphs.floats(r, 4, 0.3))
                .replace("$G1", TrainGraphs.positive(r, 4)).replace("$BE1", TrainGraphs.floats(r, 4, 0.3))
                .replace("$M1", TrainGraphs.floats(r, 4, 0.3)).replace("$V1", TrainGraphs.positive(r, 4))
                .replace("$W2", TrainGraphs.floats(r, 36, 0.7)).replace("$G2", TrainGraphs.positive(r, 4))
                .replace("$BE2", TrainGraphs.floats(r, 4, 0.3)).replace("$M2", TrainGraphs.floats(r, 4, 0.3))
                .replace("$V2", TrainGraphs.positive(r, 4)).replace("$WG", TrainGraphs.floats(r, 12, 0.8))
                .replace("$BG", TrainGraphs.floats(r, 3, 0.1));
        return IrParser.parse(text, "convbn.nnir");
    }

    /** Three classes, each brightening one channel, with Gaussian noise. */
    static TrainingSet data(int n, long seed) {
        Random r = new Random(seed);
        int per = 3 * 36;
        float[] x = new float[n * per];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(3);
            for (int j = 0; j < per; j++) x[i * per + j] = (float) (r.nextGaussian() * 0.5 + (j / 36 == y[i] ? 1.0 : 0.0));
        }
        return new TrainingSet(x, y, new int[] {3, 6, 6});
    }

    @Test void rewriteMakesTheTrainingFormAndTheInterpreterAgrees() {
        Graph g = model(1);
        Tensor x = Tensor.ofFloats(Shape.of(8, 3, 6, 6), data(8, 2).images());
        float[] before = new nncc.cpu.Interpreter(g).run(List.of(x)).get(0).toFloats();
        assertEquals(2, ConvBnForm.rewrite(g));
        Verifier.verify(g);
        assertEquals(2, ConvBnForm.chains(g).size());
        float[] after = new nncc.cpu.Interpreter(g).run(List.of(x)).get(0).toFloats();
        // the same function in float32: w * f, then / f, differ by rounding only
        for (int i = 0; i < before.length; i++) assertEquals(before[i], after[i], 1e-4, "logit " + i);
    }

    @Test void gradientsMatchFiniteDifferencesWithBatchStatistics() {
        gradientCheck(true);
    }

    @Test void gradientsMatchFiniteDifferencesFrozen() {
        gradientCheck(false);
    }

    private static void gradientCheck(boolean batchStatistics) {
        Graph g = model(3);
        ConvBnForm.rewrite(g);
        int batch = 4;
        TrainingSet set = data(batch, 5);
        float[] x = set.images();
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = set.label(i);
        try (Trainer t = new Trainer(g, TrainingOptions.defaults().withThreads(1))) {
            assertEquals(2, t.net().convBns.size());
            List<float[]> stats = new ArrayList<>();
            for (TrainValue s : t.net().statistics.values()) stats.add(s.data.clone());
            Runnable restore = () -> {
                int k = 0;
                for (TrainValue s : t.net().statistics.values()) System.arraycopy(stats.get(k++), 0, s.data, 0, s.data.length);
            };
            t.load(x, batch);
            t.gradients(labels, batchStatistics);
            Random r = new Random(17);
            int checked = 0;
            double worst = 0;
            for (TrainValue p : t.net().parameters.values()) {
                float[] analytic = p.grad.clone();
                for (int probe = 0; probe < Math.min(12, p.data.length); probe++) {
                    int i = probe < 4 ? probe : r.nextInt(p.data.length);
                    float keep = p.data[i], h = 1e-3f;
                    p.data[i] = keep + h;
                    restore.run();
                    t.load(x, batch);
                    double up = t.loss(labels, batchStatistics);
                    p.data[i] = keep - h;
                    restore.run();
                    t.load(x, batch);
                    double down = t.loss(labels, batchStatistics);
                    p.data[i] = keep;
                    double fd = (up - down) / (2 * h), err = Math.abs(fd - analytic[i]);
                    worst = Math.max(worst, err);
                    assertTrue(err <= 2e-3 + 0.02 * Math.abs(fd), p.name + "[" + i + "]: analytic " + analytic[i] + ", finite difference " + fd);
                    checked++;
                }
            }
            // w1, b1, g1, be1, w2, g2, be2, wg, bg
            assertEquals(9, t.net().parameters.size(), t.net().parameters.keySet().toString());
            assertTrue(checked >= 59, "only " + checked + " coordinates checked");
            System.out.printf("ConvBn gradient check (%s): %d coordinates, worst absolute error %.2e%n",
                    batchStatistics ? "batch statistics" : "frozen", checked, worst);
        }
    }

    @Test void freezingStopsTheStatisticsUpdate() {
        Graph g = model(4);
        ConvBnForm.rewrite(g);
        TrainingOptions o = new TrainingOptions(1, 8, 0.05, Optimizer.Kind.SGD, LearningRateSchedule.Kind.CONSTANT, 0, 0.9, 1, 2, 2,
                false, 2, TrainingOptions.Augmentation.NONE);
        List<float[]> snapshots = new ArrayList<>();
        try (Trainer t = new Trainer(g, o)) {
            snapshots.add(statistics(t));
            t.trainEpoch(data(40, 6), 1, (done, total, loss) -> snapshots.add(statistics(t)));
        }
        assertEquals(6, snapshots.size(), "5 steps");
        assertFalse(java.util.Arrays.equals(snapshots.get(0), snapshots.get(1)), "step 1 updates the running statistics");
        assertFalse(java.util.Arrays.equals(snapshots.get(1), snapshots.get(2)), "step 2 updates them");
        for (int s = 3; s <= 5; s++) assertArrayEquals(snapshots.get(2), snapshots.get(s), "frozen after 2 steps, step " + s);
    }

    private static float[] statistics(Trainer t) {
        List<Float> all = new ArrayList<>();
        for (TrainValue s : t.net().statistics.values()) for (float v : s.data) all.add(v);
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) out[i] = all.get(i);
        return out;
    }

    @Test void exportedGraphIsTheTrainingGraphInInferenceMode() throws Exception {
        exportMatchesTraining(false);
    }

    @Test void exportedGraphIsTheTrainingGraphWithLearnedStepSizes() throws Exception {
        exportMatchesTraining(true);
    }

    private void exportMatchesTraining(boolean lsq) throws Exception {
        Graph model = model(7);
        TrainingSet train = data(64, 8), eval = data(24, 9);
        Path calib = tmp.resolve("calib.npy");
        Npy.write(calib, Tensor.ofFloats(Shape.of(32, 3, 6, 6), java.util.Arrays.copyOf(train.images(), 32 * 108)));
        assertTrue(QuantAwareGraph.suitsConvBn(model));
        Graph g = QuantAwareGraph.build(model, CalibrationData.fromNpy(model, calib), new QuantAwareGraph.Options(4, false, 1, true));
        String ir = IrPrinter.print(g);
        assertEquals(2, ConvBnForm.chains(g).size(), ir);
        for (ConvBnForm.Chain c : ConvBnForm.chains(g)) {
            FakeQuant wq = (FakeQuant) c.weightQuant().op();
            assertTrue(wq.bits() == 4 && wq.axis() == 0, c.weightQuant().name());
        }
        // the chains' inner values carry no fake-quant (nor does the BatchNorm output a Relu reads): only the values
        // the folded graph holds do
        java.util.Set<String> inner = new java.util.HashSet<>(List.of("n1"));
        for (ConvBnForm.Chain c : ConvBnForm.chains(g))
            for (Node n : List.of(c.conv(), c.divide())) inner.add(n.output().name());
        for (Node n : g.nodes())
            if (n.op() instanceof FakeQuant) assertFalse(inner.contains(n.input(0).name()), n.name() + " reads " + n.input(0).name());
        TrainingOptions o = new TrainingOptions(2, 8, 0.02, Optimizer.Kind.SGD, LearningRateSchedule.Kind.COSINE, 1e-4, 0.9, 3, 2, 2,
                lsq, 10, TrainingOptions.Augmentation.NONE);
        float[] trained, snappedTraining;
        try (Trainer t = new Trainer(g, o)) {
            for (int e = 1; e <= 2; e++) t.trainEpoch(train, e, null);
            t.writeBack();
            trained = t.logits(eval, eval.size());
        }
        // the training graph as written back, its plain layers' biases on their int32 grid as the export puts them
        // (the ConvBn layers snap their folded bias themselves in inference mode)
        Graph trainingGraph = g.copy();
        assertEquals(1, QuantAwareGraph.snapBiases(trainingGraph), "only the Gemm has a bias outside the chains");
        try (Trainer t = new Trainer(trainingGraph, o)) {
            snappedTraining = t.logits(eval, eval.size());
        }
        QuantAwareGraph.finish(g);
        String folded = IrPrinter.print(g);
        assertFalse(folded.contains("BatchNormalization") || folded.contains("= Mul") || folded.contains("= Div"), folded);
        assertTrue(folded.contains("activation = relu"), "the Relu after the first BatchNorm is fused into its conv again");
        try (Trainer t = new Trainer(g, o)) {
            float[] exported = t.logits(eval, eval.size());
            assertArrayEquals(snappedTraining, exported, "exported graph vs training graph in inference mode");
            for (int i = 0; i < trained.length; i++) assertEquals(trained[i], exported[i], 0.02, "logit " + i + " before the Gemm bias snap");
        }
        Graph lowered = IrParser.parse(folded, "qat.nnir");
        LowerQdqPass.lowerIfPreQuantized(lowered);
        Verifier.requireFullyLowered(lowered);
        List<QConv> convs = lowered.nodes().stream().filter(n -> n.op() instanceof QConv).map(n -> (QConv) n.op()).toList();
        assertEquals(2, convs.size());
        for (QConv q : convs) assertEquals(4, q.weightBits());
    }

    @Test void batchNormWithoutConvIsRefusedByName() throws Exception {
        Graph model = IrParser.parse("""
                graph @lone {
                  input %x : f32[?N,2,4,4]
                  const %g : f32[2] = [1.0, 2.0]
                  const %b : f32[2] = [0.0, 0.5]
                  const %m : f32[2] = [0.0, 0.0]
                  const %v : f32[2] = [1.0, 1.0]
                  const %wg : f32[2,2] = [1.0, 0.0, 0.0, 1.0]
                  node @bn = BatchNormalization {epsilon = 1.0E-5} (%x, %g, %b, %m, %v) -> (%n : f32[?N,2,4,4])
                  node @gap = GlobalAveragePool (%n) -> (%p : f32[?N,2,1,1])
                  node @flat = Flatten {axis = 1} (%p) -> (%f : f32[?N,2])
                  node @fc = Gemm {alpha = 1.0, beta = 1.0, transA = false, transB = true} (%f, %wg) -> (%y : f32[?N,2])
                  output %y
                }
                """, "lone.nnir");
        assertFalse(QuantAwareGraph.suitsConvBn(model));
        Path calib = tmp.resolve("c.npy");
        Npy.write(calib, Tensor.ofFloats(Shape.of(2, 2, 4, 4), new float[64]));
        ModelException e = assertThrows(ModelException.class,
                () -> QuantAwareGraph.build(model, CalibrationData.fromNpy(model, calib), new QuantAwareGraph.Options(8, false, 1, true)));
        assertTrue(e.getMessage().contains("'bn'"), e.getMessage());
        assertNotEquals(null, QuantAwareGraph.build(model, CalibrationData.fromNpy(model, calib), new QuantAwareGraph.Options(8, false, 1)));
    }
}
