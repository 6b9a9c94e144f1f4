package nncc.passes.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import nncc.cpu.FloatTraceSink;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import nncc.passes.Workers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calibration of a CNN feeds the interpreter one image at a time (the batch-1 kernel paths) and finds exactly the
 * ranges one traced run of the whole batch through the batched kernels sees, on 1 and 2 threads; a model that keeps
 * its batches whole is still fed in chunks. The first-unit gate holds helper workers back until worker 0 has finished
 * its first unit, and a failure there does not leave them waiting.
 */
class ImageByImageCalibrationTest {
    @TempDir Path dir;

    /** conv 3x3 (pad 1) + relu, conv 3x3 stride 2 + relu, global average pool, flatten, gemm: 16x16 RGB in. */
    static Graph cnn() {
        Random r = new Random(7);
        return IrParser.parse("""
                graph @cnn {
                  input %x : f32[?N,3,16,16]
                  const %w1 : f32[8,3,3,3] = W1
                  const %b1 : f32[8] = B1
                  const %w2 : f32[8,8,3,3] = W2
                  const %fc : f32[4,8] = FC
                  node @c1 = Conv {strides = [1, 1], pads = [1, 1, 1, 1], dilations = [1, 1], group = 1} (%x, %w1, %b1) -> (%y1 : f32[?N,8,16,16])
                  node @r1 = Relu (%y1) -> (%a1 : f32[?N,8,16,16])
                  node @c2 = Conv {strides = [2, 2], pads = [1, 1, 1, 1], dilations = [1, 1], group = 1} (%a1, %w2) -> (%y2 : f32[?N,8,8,8])
                  node @r2 = Relu (%y2) -> (%a2 : f32[?N,8,8,8])
                  node @gap = GlobalAveragePool (%a2) -> (%p : f32[?N,8,1,1])
                  node @flat = Flatten {axis = 1} (%p) -> (%f : f32[?N,8])
                  node @gemm = Gemm {alpha = 1.0, beta = 1.0, transA = false, transB = true} (%f, %fc) -> (%logits : f32[?N,4])
                  output %logits
                }
                """.replace("W1", floats(r, 216)).replace("B1", floats(r, 8)).replace("W2", floats(r, 576))
                .replace("FC", floats(r, 32)), "cnn.nnir");
    }

    static String floats(Random r, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) b.append(i > 0 ? ", " : "").append((float) (r.nextGaussian() * 0.4));
        return b.append(']').toString();
    }

    CalibrationData samples(Graph g, int n) throws IOException {
        Random r = new Random(3);
        float[] x = new float[n * 3 * 16 * 16];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.3 + r.nextGaussian());
        Path f = dir.resolve("calib.npy");
        Npy.write(f, Tensor.ofFloats(Shape.of(n, 3, 16, 16), x));
        return CalibrationData.fromNpy(g, f);
    }

    @Test void aCnnIsFedOneImageAtATimeAndAnMlpInChunks() {
        Graph cnn = cnn();
        assertEquals(1, StreamChunk.forRuns(new Interpreter(cnn), cnn, 32, 37, 2));
        Graph mlp = CalibratePassTest.model("?N"); // a 1x1 conv on 2x2 maps and a gemm: each weight serves ~1 MAC per image
        assertEquals(StreamChunk.balanced(StreamChunk.of(mlp, 32), 37, 2), StreamChunk.forRuns(new Interpreter(mlp), mlp, 32, 37, 2));
        assertTrue(StreamChunk.forRuns(new Interpreter(mlp), mlp, 32, 37, 2) > 1);
    }

    @Test void imageByImageRangesEqualOneBatchedTrace() throws IOException {
        Graph g = cnn();
        CalibrationData data = samples(g, 37);
        // the batched kernels, one traced run of all 37 images: each value's min and max
        Map<String, double[]> want = new HashMap<>();
        List<Tensor> all = data.batch(0, 37);
        float[] in = all.get(0).toFloats();
        want.put("x", minMax(in, new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}));
        new Interpreter(g).runTracingFloats(all, new FloatTraceSink() {
            @Override public boolean wants(Node node, int output) { return true; }

            @Override public void accept(Node node, int output, int[] shape, float[] values) {
                assertEquals(37, shape[0], "the whole batch in one run");
                want.put(node.output(output).name(), minMax(values, new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}));
            }
        });
        for (int threads = 1; threads <= 2; threads++)
            for (int batch : new int[] {8, 32}) {
                Graph copy = g.copy();
                Map<String, Range> got = CalibratePassTest.calibrate(copy, CalibratePass.Options.of(data, ObserverKind.MINMAX)
                        .withThreads(threads).withBatchSize(batch));
                assertEquals(want.keySet(), got.keySet());
                for (var e : want.entrySet()) {
                    String what = "%" + e.getKey() + ", " + threads + " threads, batch " + batch;
                    assertEquals(e.getValue()[0], got.get(e.getKey()).min(), 0.0, what);
                    assertEquals(e.getValue()[1], got.get(e.getKey()).max(), 0.0, what);
                }
            }
    }

    private static double[] minMax(float[] v, double[] into) {
        for (float f : v) {
            into[0] = Math.min(into[0], f);
            into[1] = Math.max(into[1], f);
        }
        return into;
    }

    @Test void helpersWaitForWorkerZerosFirstUnit() throws Exception {
        Workers.FirstUnitGate gate = new Workers.FirstUnitGate(5, 2);
        AtomicBoolean passed = new AtomicBoolean();
        Thread helper = Thread.ofPlatform().start(() -> {
            gate.await();
            passed.set(true);
        });
        helper.join(200);
        assertFalse(passed.get(), "the helper waits while worker 0 runs its first unit");
        gate.open();
        helper.join(10_000);
        assertTrue(passed.get());
        gate.open(); // later calls do nothing
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> new Workers.FirstUnitGate(2, 2).await(),
                "no more units than workers: nothing to wait for");
    }

    @Test void aFailedFirstUnitReleasesTheHelpers() {
        AtomicInteger helperUnits = new AtomicInteger();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            Workers.FirstUnitGate gate = new Workers.FirstUnitGate(10, 2);
            RuntimeException e = assertThrows(IllegalStateException.class, () -> {
                AtomicInteger next = new AtomicInteger();
                java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
                Workers.run("gate-test", "testing", 2, w -> {
                    try {
                        if (w > 0) gate.await();
                        for (int u; failure.get() == null && (u = next.getAndIncrement()) < 10; ) {
                            if (w == 0) throw new IllegalStateException("unit " + u + " failed");
                            helperUnits.incrementAndGet();
                        }
                    } catch (RuntimeException x) {
                        failure.compareAndSet(null, x);
                    } finally {
                        if (w == 0) gate.open();
                    }
                });
                throw failure.get();
            });
            assertEquals("unit 0 failed", e.getMessage(), "worker 0 took the first unit");
        });
        assertEquals(0, helperUnits.get(), "the helper started after the failure and took no unit");
    }
}
