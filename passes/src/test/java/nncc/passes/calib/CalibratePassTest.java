package nncc.passes.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.Verifier;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;
import nncc.passes.PassResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The calibrate pass on a small Conv-Relu-Flatten-Gemm graph: every float activation annotated, minmax ranges
 * checked against the data by hand, streaming (batch size, threads, a batch fixed at 1) not changing results.
 */
class CalibratePassTest {
    @TempDir Path dir;

    /** y = conv1x1(x) with channel 0 = x and channel 1 = 0.5 - 2x; r = relu(y); logits = gemm(flatten(r)). */
    static Graph model(String batch) {
        StringBuilder fc = new StringBuilder();
        for (int i = 0; i < 24; i++) fc.append(i == 0 ? "" : ", ").append((i % 5 - 2) * 0.25);
        return IrParser.parse("""
                graph @tiny {
                  input %x : f32[@BATCH,1,2,2]
                  const %w : f32[2,1,1,1] = [1.0, -2.0]
                  const %b : f32[2] = [0.0, 0.5]
                  const %fc : f32[3,8] = [FC]
                  node @conv = Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1} (%x, %w, %b) -> (%y : f32[@BATCH,2,2,2])
                  node @relu = Relu (%y) -> (%r : f32[@BATCH,2,2,2])
                  node @flat = Flatten {axis = 1} (%r) -> (%f : f32[@BATCH,8])
                  node @gemm = Gemm {alpha = 1.0, beta = 1.0, transA = false, transB = true} (%f, %fc) -> (%logits : f32[@BATCH,3])
                  output %logits
                }
                """.replace("@BATCH", batch).replace("FC", fc), "tiny.nnir");
    }

    float[] data;

    CalibrationData samples(Graph g, int n, long seed) throws IOException {
        Random r = new Random(seed);
        data = new float[n * 4];
        for (int i = 0; i < data.length; i++) data[i] = r.nextFloat() * 2 - 1;
        Path f = dir.resolve("calib" + seed + ".npy");
        Npy.write(f, Tensor.ofFloats(Shape.of(n, 1, 2, 2), data));
        return CalibrationData.fromNpy(g, f);
    }

    static Map<String, Range> calibrate(Graph g, CalibratePass.Options o) {
        CalibratePass p = new CalibratePass(o);
        p.run(g);
        Verifier.verify(g);
        return p.result().ranges();
    }

    static QuantParams quantOf(Graph g, String name) { return g.valuesByName().get(name).type().quant(); }

    @Test void minmaxAnnotatesEveryFloatActivation() throws IOException {
        Graph g = model("?N");
        CalibratePass pass = new CalibratePass(CalibratePass.Options.of(samples(g, 40, 1), ObserverKind.MINMAX));
        PassResult res = pass.run(g);
        Verifier.verify(g);
        double lo = 1, hi = -1;
        for (float v : data) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        Map<String, Range> ranges = pass.result().ranges();
        assertEquals(List.of("x", "y", "r", "f", "logits"), List.copyOf(ranges.keySet()));
        assertEquals(new Range(lo, hi), ranges.get("x"));
        // channel 0 is x, channel 1 is 0.5 - 2x (exact in float for these inputs up to one rounding of 2x + 0.5)
        Range y = ranges.get("y");
        assertEquals(Math.min(lo, 0.5 - 2 * hi), y.min(), 1e-6);
        assertEquals(Math.max(hi, 0.5 - 2 * lo), y.max(), 1e-6);
        assertEquals(new Range(0, y.max()), ranges.get("r"));
        assertEquals(ranges.get("r"), ranges.get("f"));
        for (String v : ranges.keySet()) assertEquals(QuantChoice.forActivation(ranges.get(v), DType.I8), quantOf(g, v), v);
        assertNull(quantOf(g, "w"));
        assertNull(quantOf(g, "fc"));
        // the uses see the new types: relu's input is the annotated %y, and so is the graph output
        Value reluInput = g.nodesByName().get("relu").input(0);
        assertEquals(quantOf(g, "y"), reluInput.type().quant());
        assertNotNull(g.outputs().get(0).type().quant());
        assertEquals(Map.of("values annotated", 5L, "samples seen", 40L, "data passes", 1L), res.statistics());
        assertTrue(res.changed());
        assertTrue(IrPrinter.print(g).contains("-> (%r : f32[?N,2,2,2]{scale = "), IrPrinter.print(g));
        assertNull(pass.result().value("x").histogram(), "minmax builds no histogram unless asked");
    }

    @Test void batchSizeAndThreadsDoNotChangeRanges() throws IOException {
        Graph g = model("?N");
        CalibrationData d = samples(g, 70, 2);
        for (ObserverKind kind : new ObserverKind[] {ObserverKind.MINMAX, ObserverKind.PERCENTILE, ObserverKind.ENTROPY, ObserverKind.MSE}) {
            CalibratePass.Options o = CalibratePass.Options.of(d, kind).withPercentile(99);
            Map<String, Range> one = calibrate(model("?N"), o.withBatchSize(1).withThreads(1));
            assertEquals(one, calibrate(model("?N"), o.withBatchSize(32).withThreads(2)), kind.text());
            assertEquals(one, calibrate(model("?N"), o.withBatchSize(7).withThreads(2)), kind.text());
        }
    }

    @Test void batchFixedAtOneRunsSampleBySample() throws IOException {
        CalibrationData d = samples(model("?N"), 24, 3);
        for (ObserverKind kind : new ObserverKind[] {ObserverKind.MINMAX, ObserverKind.MOVING_AVERAGE, ObserverKind.PERCENTILE}) {
            CalibratePass.Options o = CalibratePass.Options.of(d, kind).withBatchSize(8);
            assertEquals(calibrate(model("?N"), o), calibrate(model("1"), o), kind.text());
        }
        // moving average over batches of 8 is not the same as over batches of 1
        CalibratePass.Options o = CalibratePass.Options.of(d, ObserverKind.MOVING_AVERAGE);
        assertTrue(!calibrate(model("1"), o.withBatchSize(8)).equals(calibrate(model("1"), o.withBatchSize(1))));
    }

    @Test void fixedBatchNeedsAMultipleOfSamples() throws IOException {
        Graph g = model("4");
        CalibrationData d = samples(g, 10, 4);
        ModelException e = assertThrows(ModelException.class,
                () -> new CalibratePass(CalibratePass.Options.of(d, ObserverKind.MINMAX)).run(g));
        assertTrue(e.getMessage().endsWith("holds 10 calibration samples but the model's batch is fixed at 4; give a multiple of 4 samples"),
                e.getMessage());
        CalibrationData twelve = samples(g, 12, 5);
        assertEquals(calibrate(model("?N"), CalibratePass.Options.of(twelve, ObserverKind.MINMAX)),
                calibrate(g, CalibratePass.Options.of(twelve, ObserverKind.MINMAX).withBatchSize(5)));
    }

    @Test void skippedValuesKeepNoParameters() throws IOException {
        Graph g = model("?N");
        CalibrationData d = samples(g, 8, 6);
        Map<String, Range> r = calibrate(g, CalibratePass.Options.of(d, ObserverKind.MINMAX).withSkip(Set.of("y", "logits")));
        assertEquals(List.of("x", "r", "f"), List.copyOf(r.keySet()));
        assertNull(quantOf(g, "y"));
        assertNull(g.outputs().get(0).type().quant());
        ModelException e = assertThrows(ModelException.class, () -> new CalibratePass(
                CalibratePass.Options.of(d, ObserverKind.MINMAX).withSkip(Set.of("nope"))).run(model("?N")));
        assertEquals("cannot skip value %nope in calibration: the graph has no such value", e.getMessage());
    }

    @Test void progressCountsSamplesOfEveryPass() throws IOException {
        Graph g = model("?N");
        List<Long> seen = new ArrayList<>();
        CalibratePass.Options o = CalibratePass.Options.of(samples(g, 50, 7), ObserverKind.PERCENTILE)
                .withBatchSize(16).withProgress(n -> { synchronized (seen) { seen.add(n); } });
        calibrate(g, o);
        assertEquals(100, o.progressTotal());
        assertEquals(14, seen.size()); // batches of 16, 16, 16, 2 in chunks of 8 for the 2 threads: 7 per pass, 2 passes
        for (int i = 1; i < seen.size(); i++) assertTrue(seen.get(i) > seen.get(i - 1), seen.toString());
        assertEquals(100L, seen.get(seen.size() - 1));
    }

    @Test void histogramSummariesCoverEveryElement() throws IOException {
        Graph g = model("?N");
        CalibrationData d = samples(g, 30, 8);
        CalibratePass p = new CalibratePass(CalibratePass.Options.of(d, ObserverKind.MINMAX).withHistograms(true));
        PassResult res = p.run(g);
        assertEquals(2L, res.statistics().get("data passes"));
        CalibrationResult.HistogramSummary h = p.result().value("y").histogram();
        assertEquals(30 * 8, h.total());
        assertEquals(0, h.below() + h.above(), "minmax keeps every value inside the grid");
        assertEquals(CalibrationResult.SUMMARY_BINS, h.counts().length);
        Range grid = QuantChoice.representable(quantOf(g, "y"), DType.I8);
        assertEquals(grid.min() - quantOf(g, "y").scale(0) / 2.0, h.lo(), 0);
        CalibratePass pct = new CalibratePass(CalibratePass.Options.of(d, ObserverKind.PERCENTILE).withPercentile(90));
        pct.run(model("?N"));
        CalibrationResult.HistogramSummary clipped = pct.result().value("x").histogram();
        assertEquals(30 * 4, clipped.total());
        assertTrue(clipped.below() > 0 && clipped.above() > 0, clipped.toString());
    }

    @Test void int16TargetIsSymmetric() throws IOException {
        Graph g = model("?N");
        calibrate(g, CalibratePass.Options.of(samples(g, 8, 9), ObserverKind.MINMAX).withActivationType(DType.I16));
        for (String v : List.of("x", "y", "r", "f", "logits")) assertEquals(0, quantOf(g, v).zeroPoint(0), v);
        assertThrows(ModelException.class, () -> CalibratePass.Options.of(samples(g, 8, 9), ObserverKind.MINMAX).withActivationType(DType.I32));
    }

    @Test void dataThatDoesNotFitTheGraph() throws IOException {
        Graph other = IrParser.parse("""
                graph @other {
                  input %x : f32[?N,3]
                  node @relu = Relu (%x) -> (%r : f32[?N,3])
                  output %r
                }
                """, "other.nnir");
        CalibrationData d = samples(model("?N"), 4, 10);
        ModelException e = assertThrows(ModelException.class,
                () -> new CalibratePass(CalibratePass.Options.of(d, ObserverKind.MINMAX)).run(other));
        assertTrue(e.getMessage().contains("does not fit input 'x' of type f32[?N,3]"), e.getMessage());
    }

    @Test void nonFiniteActivationsAreAnError() throws IOException {
        Graph g = model("?N");
        Path f = dir.resolve("inf.npy");
        float[] v = new float[8];
        v[5] = Float.POSITIVE_INFINITY;
        Npy.write(f, Tensor.ofFloats(Shape.of(2, 1, 2, 2), v));
        ModelException e = assertThrows(ModelException.class, () -> new CalibratePass(
                CalibratePass.Options.of(CalibrationData.fromNpy(g, f), ObserverKind.ENTROPY)).run(g));
        assertTrue(e.getMessage().startsWith(f + ": value %x is not finite on the calibration data"), e.getMessage());
    }
}
