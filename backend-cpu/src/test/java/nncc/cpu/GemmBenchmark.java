package nncc.cpu;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH micro-benchmark of the float GEMM kernels ({@link FloatGemm}: the Vector API micro-kernel on packed panels, or the
 * scalar reference), the product under every float convolution and, through exact-in-float sums, the int8 ones. Each
 * benchmark counts one operation per multiply-accumulate and reports in operations per nanosecond, so the score reads
 * directly as GMAC/s on one thread. {@code l1Peak} (64 x 64 x 64, all operands in L1) is the machine's attainable peak
 * that {@code nncc bench} compares a model against; the other shapes are layers of the bundled models (m output
 * channels, k = input channels x taps, n output positions at batch 1). Run by {@code scripts/jmh}; not a test.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {
    /** Which kernels: {@code vector} (the micro-kernel) or {@code scalar} (the reference). */
    @Param({"vector", "scalar"})
    public String kernels;

    /** One product: packed A [m, k], B [k, n], C [m, n]. */
    static final class Product {
        final int m, k, n;
        final FloatGemm.Packed a;
        final float[] b, c;

        Product(int m, int k, int n, KernelSet set, Random random) {
            this.m = m; this.k = k; this.n = n;
            float[] rows = new float[m * k];
            for (int i = 0; i < rows.length; i++) rows[i] = random.nextFloat() - 0.5f;
            a = FloatGemm.packForReuse(rows, 0, m, k, set);
            b = new float[k * n + ConvKernels.GEMM_SLACK];
            for (int i = 0; i < k * n; i++) b[i] = random.nextFloat() - 0.5f;
            c = new float[m * n + ConvKernels.GEMM_SLACK];
        }

        float run() {
            FloatGemm.multiplyAdd(a, b, 0, n, n, c, 0, n);
            return c[0];
        }
    }

    Product l1, pointwise7, pointwise14, fashionConv2;
    float[] denseRow, denseWeights, denseOut;
    KernelSet set;

    @Setup(Level.Trial)
    public void setUp() {
        set = "scalar".equals(kernels) ? KernelSet.SCALAR : KernelSet.VECTOR.supported();
        if (!"scalar".equals(kernels) && set != KernelSet.VECTOR)
            throw new IllegalStateException("the vector kernels need --add-modules jdk.incubator.vector");
        Random random = new Random(1);
        l1 = new Product(64, 64, 64, set, random);
        pointwise7 = new Product(512, 128, 49, set, random);    // MobileNetV2-style expansion on a 7x7 map
        pointwise14 = new Product(256, 64, 196, set, random);   // MobileNetV2-style expansion on a 14x14 map
        fashionConv2 = new Product(32, 16 * 9, 196, set, random); // fashion CNN conv2: 16 -> 32 channels, 3x3, 14x14
        denseRow = new float[1568];
        denseWeights = new float[1568 * 64 + ConvKernels.GEMM_SLACK];
        denseOut = new float[64 + ConvKernels.GEMM_SLACK];
        for (int i = 0; i < denseRow.length; i++) denseRow[i] = random.nextFloat();
        for (int i = 0; i < 1568 * 64; i++) denseWeights[i] = random.nextFloat() - 0.5f;
    }

    @Benchmark
    @OperationsPerInvocation(64 * 64 * 64)
    public float l1Peak() { return l1.run(); }

    @Benchmark
    @OperationsPerInvocation(512 * 128 * 49)
    public float pointwise7x7() { return pointwise7.run(); }

    @Benchmark
    @OperationsPerInvocation(256 * 64 * 196)
    public float pointwise14x14() { return pointwise14.run(); }

    @Benchmark
    @OperationsPerInvocation(32 * 144 * 196)
    public float fashionConv2() { return fashionConv2.run(); }

    /** The fashion CNN's first dense layer at batch 1: one input row [1, 1568] times the weights [1568, 64]. */
    @Benchmark
    @OperationsPerInvocation(1568 * 64)
    public float denseRow() {
        FloatGemm.multiplyAddRowMajor(denseRow, 0, 1, 1568, denseWeights, 0, 64, 64, denseOut, 0, 64, set);
        return denseOut[0];
    }
}
