package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@link GemmBenchmark} runnable: the JMH annotation processor must have listed its benchmarks when the tests
 * compiled (else {@code scripts/jmh} finds nothing), and each product it times computes what the scalar reference does.
 */
class GemmBenchmarkTest {
    @Test
    void jmhListsEveryBenchmark() throws IOException {
        String list;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/BenchmarkList")) {
            assertNotNull(in, "META-INF/BenchmarkList is missing: the JMH annotation processor did not run");
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String name : List.of("l1Peak", "pointwise7x7", "pointwise14x14", "fashionConv2", "denseRow"))
            assertTrue(list.contains("nncc.cpu.jmh_generated.GemmBenchmark_" + name + "_jmhTest"), name + " is not in the JMH benchmark list");
    }

    @Test
    void timedProductsEqualTheScalarReference() {
        for (int[] shape : new int[][] {{64, 64, 64}, {512, 128, 49}, {32, 144, 196}}) {
            GemmBenchmark.Product vector = new GemmBenchmark.Product(shape[0], shape[1], shape[2], KernelSet.VECTOR.supported(), new Random(3));
            GemmBenchmark.Product scalar = new GemmBenchmark.Product(shape[0], shape[1], shape[2], KernelSet.SCALAR, new Random(3));
            vector.run();
            scalar.run();
            assertArrayEquals(scalar.c, vector.c, 0f, "m, k, n = " + shape[0] + ", " + shape[1] + ", " + shape[2]);
        }
    }
}
