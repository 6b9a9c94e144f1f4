package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Conv;
import nncc.ir.op.QConv;
import org.junit.jupiter.api.Test;

/**
 * Without {@code jdk.incubator.vector} the interpreter must pick the scalar kernels and never touch a Vector API class:
 * a child JVM started without {@code --add-modules} runs a float and an int8 convolution ({@link #main}) and prints the
 * kernel set and the outputs, which must equal this JVM's scalar results.
 */
class ScalarFallbackTest {
    @Test
    void childJvmWithoutTheVectorModuleRunsTheScalarKernels() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ScalarFallbackTest.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        assertEquals("SCALAR " + results(KernelSet.SCALAR), out);
    }

    /** Entry point of the child JVM. */
    public static void main(String[] args) {
        System.out.println(KernelSet.best() + " " + results(KernelSet.best()));
    }

    /** A float and an int8 depthwise-and-pointwise workload run with {@code kernels}, as text. */
    private static String results(KernelSet kernels) {
        Random r = new Random(5);
        float[] x = new float[2 * 4 * 9 * 9], w = new float[8 * 4 * 3 * 3];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        Conv conv = new Conv(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 1);
        Tensor yf = run(kernels, conv, Tensor.ofFloats(Shape.of(2, 4, 9, 9), x), Tensor.ofFloats(Shape.of(8, 4, 3, 3), w));
        QConv qconv = new QConv(List.of(2, 2), List.of(1, 1, 1, 1), List.of(1, 1), 4, 3, List.of(1 << 30), List.of(-4), -2, 0.1f,
                DType.I8, -128, 127, Rounding.DOUBLE_ROUND);
        Tensor yq = run(kernels, qconv, Tensor.ofLongs(DType.I8, Shape.of(2, 4, 9, 9), r.longs(2 * 4 * 81, -128, 128).toArray()),
                Tensor.ofLongs(DType.I8, Shape.of(4, 1, 3, 3), r.longs(36, -127, 128).toArray()));
        return java.util.Arrays.toString(yf.toFloats()) + " " + java.util.Arrays.toString(yq.toLongs());
    }

    private static Tensor run(KernelSet kernels, nncc.ir.op.Op op, Tensor x, Tensor w) {
        TestGraphs.Builder b = new TestGraphs.Builder();
        var g = b.output(b.node(op, "y", b.input("x", x.dtype(), x.shape()), b.constant("w", w)));
        return new Interpreter(g, kernels).run(List.of(x)).get(0);
    }
}
