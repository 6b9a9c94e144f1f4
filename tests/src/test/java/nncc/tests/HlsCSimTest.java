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
        LoweredGraphs b = new LoweredGraphs("kernels", 81);
        Value x = b.input("x", 0.05f, 7, 1, 6, 9, 9);
        Value c1 = b.conv("conv_s2", x, 8, 3, 2, 1, 3, 0, 127);            // [1,8,5,5], relu
        Value dw = b.conv("depthwise", c1, 8, 3, 1, 1, 8, -5, -128, 127);  // group = channels
        Value grouped = b.conv("grouped", dw, 4, 1, 1, 0, 2, 2, -100, 100);  // [1,4,5,5], 2 groups
        Value avg = b.node("avg", new nncc.ir.op.QAveragePool(List.of(3, 3), List.of(2, 2), List.of(1, 1, 1, 1), false, -128, 127), grouped);
        Value max = b.node("max", new nncc.ir.op.MaxPool(List.of(2, 2), List.of(1, 1), List.of(1, 1, 0, 0), List.of(1, 1), false, 0), grouped);
        Value mean = b.mean("mean", grouped, List.of(2, 3), true, 0.04f, 3);                 // [1,4,1,1]
        Value sum = b.add("add_broadcast", max, mean, 0.1f, -4);                              // [1,4,5,5] + [1,4,1,1]
        Value prod = b.mul("mul", sum, max, 0.3f, 9);
        Value lut = b.lut("tanh", prod, nncc.ir.op.LutFunction.TANH, 0, 0, Math::tanh, 1 / 128f, 0);
        Value rq = b.requantize("requant", avg, nncc.ir.QuantParams.perTensor(0.07f, -20));
        Value padded = b.node("pad", new nncc.ir.op.Pad(List.of(0L, 0L, 1L, 0L, 0L, 0L, 0L, 2L), nncc.ir.op.Pad.Mode.CONSTANT, -20f), rq);
        Value flatLut = b.node("flat_lut", new nncc.ir.op.Flatten(1), lut);
        Value flatPad = b.node("flat_pad", new nncc.ir.op.Flatten(1), padded);
        // Concat keeps no quantization of inputs that differ in it (lowering requantizes them first): state the output's
        Value cat = new Value("concat_out", new nncc.ir.TensorType(DType.I8, Shape.of(1, 180), nncc.ir.QuantParams.perTensor(0.05f, 0)));
        b.g.addNode(new nncc.ir.Node("concat", new nncc.ir.op.Concat(1), List.of(flatLut, flatPad), List.of(cat)));
        Value fc = b.gemm("fc", cat, 10, 3, -128, 127);
        b.output(fc);
        b.output(lut);
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
