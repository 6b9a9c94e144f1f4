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

    private static void assertSame(List<List<long[]>> expected, List<List<long[]>> actual) {
        HlsCSim.assertSame(expected, actual);
    }
}
