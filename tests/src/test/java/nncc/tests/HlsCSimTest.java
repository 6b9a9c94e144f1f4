package nncc.tests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import nncc.hls.HlsGenerator;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated HLS project's C simulation (g++ against the ap_int C-simulation headers) against nncc's integer
 * reference, every element of every sample, tolerance 0: the bundled CNN compiled by the CLI in int8 (double
 * rounding, parallel IO), int8 with single rounding, stream IO and reuse factor 4, and int16x8 (int64
 * accumulators); and small hand-built graphs that exercise the kernels the CNN does not (grouped and depthwise
 * conv with stride and padding, average pool, mean, broadcast add and mul, LUT, requantize, pad, concat).
 */
class HlsCSimTest {
    @TempDir Path dir;

    private static final int IMAGES = 100;

    @Test void fashionCnnInt8MatchesReference() throws Exception {
        fashionCnn();
    }

    @Test void fashionCnnSingleRoundingStreamReuse4MatchesReference() throws Exception {
        fashionCnn("--rounding", "single", "--io", "stream",
                "--reuse-factor", "4", "--strategy", "resource");
    }

    @Test void fashionCnnInt16x8MatchesReference() throws Exception {
        fashionCnn("--scheme", "int16x8");
    }

    /** {@code nncc compile fashion_cnn.onnx --target hls ARGS -o OUT}, then OUT/csim.sh against the reference on OUT/model.nnir. */
    private void fashionCnn(String... options) throws Exception {
        HlsCSim.compileAndCompare(dir.resolve("out"), TestPaths.example().resolve("fashion_cnn.onnx"), IMAGES, options);
    }

    @Test void convolutionsPoolsAndElementwiseKernelsMatchReference() throws Exception {
        LoweredGraphs b = LoweredGraphs.kernelCoverage(false);
        Graph g = b.g;
        nncc.ir.Verifier.verify(g);
        List<List<Tensor>> samples = new ArrayList<>();
        for (int s = 0; s < 40; s++) samples.add(List.of(b.randomInt8(1, 6, 9, 9)));
        // parallel IO with the latency kernels; stream IO (DATAFLOW: fan-out of @grouped to three readers, two-input
        // processes, a multi-layer Concat process, two output ports) with the resource kernels at reuse factor 3
        for (HlsGenerator.Options o : List.of(HlsGenerator.Options.defaults(),
                new HlsGenerator.Options(HlsGenerator.Io.STREAM, 3, HlsGenerator.Strategy.RESOURCE))) {
            Path out = dir.resolve("kernels_" + o.io());
            HlsCSim.write(g, o, out);
            assertSame(HlsCSim.reference(g, samples), HlsCSim.run(out, g, samples));
        }
    }

    /**
     * QSoftmax (TFLite's gemmlowp softmax): int8 rows cut off below diffMin, uint8 and int16 outputs, softmax over a
     * middle axis, a uint8 input and a 1000-wide row whose sum passes 512; random samples and an edge sample, both IO modes.
     */
    @Test void softmaxKernelMatchesReference() throws Exception {
        LoweredGraphs b = LoweredGraphs.softmaxCoverage();
        Graph g = b.g;
        nncc.ir.Verifier.verify(g);
        List<List<Tensor>> samples = new ArrayList<>();
        samples.add(b.softmaxSample(true));
        for (int s = 0; s < 30; s++) samples.add(b.softmaxSample(false));
        for (HlsGenerator.Options o : List.of(HlsGenerator.Options.defaults(),
                new HlsGenerator.Options(HlsGenerator.Io.STREAM, 2, HlsGenerator.Strategy.RESOURCE))) {
            Path out = dir.resolve("softmax_" + o.io());
            HlsCSim.write(g, o, out);
            List<List<long[]>> expected = HlsCSim.reference(g, samples);
            assertSoftmaxCasesOccur(g, expected);
            assertSame(expected, HlsCSim.run(out, g, samples));
        }
    }

    /** The cases the softmax test is for do occur in the reference's outputs: cut-off entries and all-minimum rows. */
    static void assertSoftmaxCasesOccur(Graph g, List<List<long[]>> expected) {
        long cutInRandomRows = expected.subList(1, expected.size()).stream().flatMapToLong(s -> java.util.Arrays.stream(s.get(0)))
                .filter(v -> v == -128).count();
        org.junit.jupiter.api.Assertions.assertTrue(cutInRandomRows > 100, "int8 outputs at the minimum: " + cutInRandomRows);
        org.junit.jupiter.api.Assertions.assertTrue(expected.stream().allMatch(s -> java.util.Arrays.stream(s.get(3)).allMatch(v -> v == -128)),
                "the 1000-wide row's sum passes 512: every output at the minimum");
        org.junit.jupiter.api.Assertions.assertTrue(java.util.Arrays.stream(expected.get(1).get(2)).anyMatch(v -> v > 0), "int16 outputs above zero");
        org.junit.jupiter.api.Assertions.assertEquals(List.of(DType.I8, DType.U8, DType.I16, DType.I8, DType.U8),
                g.outputs().stream().map(v -> v.type().dtype()).toList());
    }

    private static void assertSame(List<List<long[]>> expected, List<List<long[]>> actual) {
        HlsCSim.assertSame(expected, actual);
    }
}
