package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorWideGemm} against the scalar int64 product {@link IntegerConvolution#multiplyAddWide}, bit for bit, on
 * the shapes its paths split on (one column, column tails, rows not a multiple of 4) and on operands at the extremes of
 * 16x8 arithmetic, where an int32 sum over a longer block than {@link VectorWideGemm#blockLength} would overflow.
 */
class VectorWideGemmTest {
    @Test
    void equalsTheScalarInt64ProductOnEveryShapeAndAtTheExtremes() {
        Random r = new Random(5);
        int[][] shapes = {{1, 1, 1}, {5, 1, 2000}, {4, 16, 9}, {7, 3, 600}, {9, 17, 1100}, {32, 196, 144}, {3, 40, 2500}};
        for (int[] s : shapes)
            for (boolean extreme : new boolean[] {false, true}) {
                int m = s[0], n = s[1], k = s[2];
                int[] a = new int[m * k + 3], b = new int[k * n];
                for (int i = 0; i < a.length; i++) a[i] = extreme ? -128 : r.nextInt(256) - 128;
                for (int i = 0; i < b.length; i++) b[i] = extreme ? -32768 : r.nextInt(65536) - 32768;
                long[] expected = new long[m * n], actual = new long[m * n];
                for (int i = 0; i < expected.length; i++) expected[i] = actual[i] = r.nextInt(1000) - 500;
                IntegerConvolution.multiplyAddWide(m, n, k, a, 3, k, b, n, expected);
                VectorWideGemm.multiplyAdd(m, n, k, a, 3, k, b, n, actual);
                assertArrayEquals(expected, actual, "m, n, k = " + m + ", " + n + ", " + k + (extreme ? " at the extremes" : ""));
            }
    }

    @Test
    void blocksAreAsLongAsInt32AllowsAndNoLonger() {
        assertEquals(511, VectorWideGemm.blockLength(128, 32768, 5000)); // 511 * 2^22 < 2^31 <= 512 * 2^22
        assertEquals(100, VectorWideGemm.blockLength(128, 32768, 100));
        assertEquals(7, VectorWideGemm.blockLength(0, 32768, 7));
        assertEquals(1, VectorWideGemm.blockLength(1L << 20, 1L << 20, 50));
    }
}
