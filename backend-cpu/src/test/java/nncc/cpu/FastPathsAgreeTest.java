package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.MaxPool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The special-case Vector API paths (2x2 pools, the small-map and direct convolutions) against the scalar reference
 * kernels on shapes chosen to hit them and their tails: floats with tolerance 0 (the same operations per element),
 * integers bit for bit.
 */
class FastPathsAgreeTest {
    @BeforeAll
    static void vectorModulePresent() {
        assertTrue(KernelSet.vectorAvailable(), "jdk.incubator.vector is missing: surefire must run with --add-modules jdk.incubator.vector");
    }

    @Test
    void pairMaxPoolAgreesWithScalarPool() {
        Random r = new Random(21);
        MaxPool pool = new MaxPool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), List.of(1, 1), false, 0);
        for (int trial = 0; trial < 40; trial++) {
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(5), h = 2 * (1 + r.nextInt(8)), w = 2 * (1 + r.nextInt(40));
            assertTrue(VectorPairPool.applies(WindowGeometry.of(new int[] {n, c, h, w}, new int[] {n, c, h / 2, w / 2}, new int[] {2, 2},
                    List.of(2, 2), List.of(0, 0, 0, 0), List.of(1, 1))));
            Tensor x = KernelSetsAgreeTest.floats(r, n, c, h, w);
            float[] f = x.toFloats();
            for (int i = 0; i < f.length; i += 1 + r.nextInt(50)) f[i] = switch (r.nextInt(3)) { case 0 -> Float.NaN; case 1 -> -0f; default -> 0f; };
            KernelSetsAgreeTest.assertAgree(pool, "f32 pool trial " + trial, Tensor.ofFloats(Shape.of(n, c, h, w), f));
            KernelSetsAgreeTest.assertAgree(pool, "i8 pool trial " + trial, KernelSetsAgreeTest.int8(r, n, c, h, w));
            KernelSetsAgreeTest.assertAgree(pool, "u8 pool trial " + trial, KernelSetsAgreeTest.uint8(r, n, c, h, w));
        }
    }
}
