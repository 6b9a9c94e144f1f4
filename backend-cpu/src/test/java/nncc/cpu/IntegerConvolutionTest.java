package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import org.junit.jupiter.api.Test;

/**
 * The int32 convolution core on both of its paths, the int32 product and the exact float product, against the
 * accumulators of {@link NaiveQuantized} on random grouped, strided, dilated and padded shapes; tolerance 0.
 */
class IntegerConvolutionTest {

    @Test
    void bothProductPathsMatchNaiveAccumulators() {
        Random r = new Random(23);
        int checked = 0;
        for (int trial = 0; trial < 40; trial++) {
            int group = 1 + r.nextInt(3), cg = 1 + r.nextInt(4), mg = 1 + r.nextInt(3), batch = 1 + r.nextInt(3);
            int k = 1 + r.nextInt(3), s = 1 + r.nextInt(2), d = 1 + r.nextInt(2), pb = r.nextInt(2), pe = r.nextInt(2);
            int h = 4 + r.nextInt(5), w = 3 + r.nextInt(6);
            int oh = (h + pb + pe - (k - 1) * d - 1) / s + 1, ow = (w + pb + pe - (k - 1) * d - 1) / s + 1;
            if (oh <= 0 || ow <= 0 || h + pb + pe < (k - 1) * d + 1 || w + pb + pe < (k - 1) * d + 1) continue;
            int[] xs = {batch, cg * group, h, w}, ws = {mg * group, cg, k, k}, ys = {batch, mg * group, oh, ow};
            long zp = r.nextInt(256) - 128;
            long[] x = QuantizedLinearKernelsTest.randomInts(r, NdArray.sizeOf(xs), DType.I8);
            long[] wt = QuantizedLinearKernelsTest.randomInts(r, NdArray.sizeOf(ws), DType.I8);
            int[] bias = new int[ys[1]];
            long[] biasL = new long[ys[1]];
            for (int i = 0; i < bias.length; i++) biasL[i] = bias[i] = r.nextInt(100000) - 50000;
            WindowGeometry g = WindowGeometry.of(xs, ys, new int[] {k, k}, List.of(s, s), List.of(pb, pb, pe, pe), List.of(d, d));
            IntegerConvolution.Weights exact = IntegerConvolution.Weights.of(wt, cg * k * k, IntegerConvolution.maxAbsInput(DType.I8, zp));
            assertTrue(exact.exactFloats() != null, "small kernels must qualify for the float product");
            IntegerConvolution.Weights intOnly = new IntegerConvolution.Weights(exact.ints(), null);
            long[] want = NaiveQuantized.convAccumulators(x, xs, zp, wt, ws, biasL, ys, new int[] {s, s}, new int[] {pb, pb},
                    new int[] {d, d}, group);
            assertArrayEquals(want, toLongs(IntegerConvolution.accumulate32(IntegerConvolution.Input.of(x, zp, exact), xs, exact, bias, ys, group, g)), "float, trial " + trial);
            assertArrayEquals(want, toLongs(IntegerConvolution.accumulate32(IntegerConvolution.Input.of(x, zp, intOnly), xs, intOnly, bias, ys, group, g)), "int, trial " + trial);
            checked++;
        }
        assertTrue(checked >= 20, "only " + checked + " shapes checked");
    }

    private static long[] toLongs(int[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i];
        return r;
    }
}
