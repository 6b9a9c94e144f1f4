package nncc.passes.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.ir.op.Conv;
import nncc.ir.text.IrPrinter;
import nncc.passes.calib.CalibrationData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streamed statistics of quantization give the same numbers however the work is cut: the column-sum mean of
 * {@link PatchMoments} is the same bit for bit fed in one call, chunk by chunk or from a prefix of a longer array, and
 * equals the patch-by-patch one (with second moments on) up to the rounding of doubles, for strided, dilated, padded
 * and grouped convolutions; and bias correction writes identical biases on 1, 2 and 3 threads.
 */
class StreamedStatisticsTest {
    @TempDir Path tmp;

    @Test void columnSumMeansEqualPatchByPatchMeans() {
        Random r = new Random(11);
        Conv[] convs = {
                new Conv(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 1),
                new Conv(List.of(2, 2), List.of(1, 0, 2, 1), List.of(1, 1), 1),
                new Conv(List.of(1, 2), List.of(2, 2, 2, 2), List.of(2, 2), 2),
                new Conv(List.of(2, 1), List.of(0, 0, 0, 0), List.of(1, 1), 4),
        };
        // 12 and 28: eight- and four-channel blocks and single channels left over, in every group count below
        for (int channels : new int[] {4, 12, 28})
            for (Conv conv : convs) {
                int per = channels * 9 * 8;
                Shape x = Shape.of(5, channels, 9, 8), w = Shape.of(8, channels / conv.group(), 3, 3);
                PatchMoments fast = new PatchMoments(x, w, conv, false), full = new PatchMoments(x, w, conv, true);
                PatchMoments whole = new PatchMoments(x, w, conv, false), prefix = new PatchMoments(x, w, conv, false);
                float[] v = new float[5 * per];
                for (int i = 0; i < v.length; i++) v[i] = i % 17 == 0 ? -0.0f : (float) r.nextGaussian();
                full.add(v, new int[] {5, channels, 9, 8});
                whole.add(v, new int[] {5, channels, 9, 8});
                prefix.add(v, new int[] {3, channels, 9, 8}); // the first three samples of a longer array
                prefix.add(java.util.Arrays.copyOfRange(v, 3 * per, 5 * per), new int[] {2, channels, 9, 8});
                for (int b = 0; b < 5; b++) { // chunk by chunk, as the streamed runs feed it
                    float[] one = java.util.Arrays.copyOfRange(v, b * per, (b + 1) * per);
                    fast.add(one, new int[] {1, channels, 9, 8});
                }
                for (int g = 0; g < conv.group(); g++) {
                    String what = conv + " " + channels + " channels, group " + g;
                    assertArrayEquals(whole.mean(g), fast.mean(g), 0.0, what + ": chunks change nothing");
                    assertArrayEquals(whole.mean(g), prefix.mean(g), 0.0, what + ": a prefix of the array");
                    double[] want = full.mean(g), got = fast.mean(g);
                    for (int k = 0; k < want.length; k++) // the same sums in another order: the rounding of doubles
                        assertEquals(want[k], got[k], 1e-13 * Math.max(1, Math.abs(want[k])), what + ", tap " + k);
                }
            }
    }

    @Test void chunksKeepTheLargestTensorUnderTheTarget() {
        Graph big = nncc.ir.text.IrParser.parse("""
                graph @g {
                  input %x : f32[?N,64,112,112]
                  node @r = Relu (%x) -> (%y : f32[?N,64,112,112])
                  output %y
                }
                """, "big.nnir");
        // 64 * 112 * 112 * 4 bytes = 3.06 MiB per sample: 5 samples stay under 16 MiB
        assertEquals(5, nncc.passes.calib.StreamChunk.of(big, 32));
        assertEquals(3, nncc.passes.calib.StreamChunk.of(big, 3));
        assertEquals(32, nncc.passes.calib.StreamChunk.of(new CorrectBiasPassTest().graph(), 32));
    }

    @Test void balancedChunksShareTheSamplesEvenlyOverTheThreads() {
        assertEquals(4, nncc.passes.calib.StreamChunk.balanced(5, 32, 2)); // 8 chunks of 4, not 6 of 5 and one of 2
        assertEquals(5, nncc.passes.calib.StreamChunk.balanced(5, 32, 1)); // one thread: the largest chunks
        assertEquals(16, nncc.passes.calib.StreamChunk.balanced(32, 32, 2)); // a small model's batch on both threads
        assertEquals(3, nncc.passes.calib.StreamChunk.balanced(3, 37, 3));
        assertEquals(1, nncc.passes.calib.StreamChunk.balanced(5, 1, 2));
        for (int max = 1; max <= 9; max++)
            for (int total = 1; total <= 70; total++)
                for (int threads = 1; threads <= 4; threads++) {
                    int c = nncc.passes.calib.StreamChunk.balanced(max, total, threads);
                    int chunks = (total + c - 1) / c, plain = (total + max - 1) / max;
                    assertTrue(c >= 1 && c <= max, max + " " + total + " " + threads);
                    assertTrue(chunks <= ((plain + threads - 1) / threads) * threads, "no more chunks than a multiple of the threads");
                }
    }

    @Test void biasCorrectionIsTheSameOnAnyNumberOfThreads() throws Exception {
        CorrectBiasPassTest base = new CorrectBiasPassTest();
        base.tmp = tmp;
        Graph g = base.graph();
        Random r = new Random(5);
        float[] x = new float[37 * 108];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.5 + r.nextGaussian());
        Path p = tmp.resolve("calib.npy");
        Npy.write(p, Tensor.ofFloats(Shape.of(37, 3, 6, 6), x));
        CalibrationData data = CalibrationData.fromNpy(g, p);
        String one = null;
        for (int threads = 1; threads <= 3; threads++) {
            for (int batch : new int[] {1, 8, 32}) {
                Graph copy = g.copy();
                new CorrectBiasPass(new CorrectBiasPass.Options(data, 8, false, 1024, batch, CorrectBiasPass.WeightRounding.NEAREST, threads)).run(copy);
                String printed = IrPrinter.print(copy);
                if (one == null) one = printed;
                assertEquals(one, printed, threads + " threads, batch " + batch);
            }
        }
    }
}
