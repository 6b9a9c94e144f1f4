package nncc.cpu;

import java.util.List;
import nncc.ir.FixedPoint;
import nncc.ir.Rounding;

/**
 * Textbook integer convolution and requantization straight from the QConv/QGemm definitions, one output element at
 * a time in 64-bit arithmetic: the independent reference the fast integer kernels are checked against.
 */
final class NaiveQuantized {
    private NaiveQuantized() {}

    /** acc[n][m][o...] = bias[m] + sum over c in m's group and taps k of (x[n][c][o*s - pb + k*d] - xZp) * w[m][c'][k]. */
    static long[] convAccumulators(long[] x, int[] xs, long xZp, long[] w, int[] ws, long[] bias, int[] ys,
                                   int[] s, int[] pb, int[] d, int group) {
        int r = xs.length - 2;
        int cg = xs[1] / group, mg = ys[1] / group;
        long[] y = new long[NdArray.sizeOf(ys)];
        int[] outSp = slice(ys), inSp = slice(xs), kSp = slice(ws);
        int outSize = NdArray.sizeOf(outSp), inSize = NdArray.sizeOf(inSp), kSize = NdArray.sizeOf(kSp);
        for (int n = 0; n < ys[0]; n++)
            for (int m = 0; m < ys[1]; m++) {
                int grp = m / mg;
                int[] o = new int[r];
                for (int p = 0; p < outSize; p++) {
                    long acc = bias == null ? 0 : bias[m];
                    for (int c = 0; c < cg; c++) {
                        int[] k = new int[r];
                        for (int t = 0; t < kSize; t++) {
                            int off = 0;
                            for (int i = 0; i < r && off >= 0; i++) {
                                int ic = o[i] * s[i] - pb[i] + k[i] * d[i];
                                off = ic < 0 || ic >= inSp[i] ? -1 : off * inSp[i] + ic;
                            }
                            if (off >= 0) acc += (x[(n * xs[1] + grp * cg + c) * inSize + off] - xZp) * w[(m * cg + c) * kSize + t];
                            WindowGeometry.increment(k, kSp);
                        }
                    }
                    y[(n * ys[1] + m) * outSize + p] = acc;
                    WindowGeometry.increment(o, outSp);
                }
            }
        return y;
    }

    /** Output element i of channel (i / inner) % channels, through the 32-bit (or, when {@code wide}, 64-bit) multiplier. */
    static long[] requantize(long[] acc, int channels, int inner, List<Integer> multiplier, List<Integer> shift,
                             Rounding rounding, long outZp, int lo, int hi, boolean wide) {
        long[] y = new long[acc.length];
        for (int i = 0; i < acc.length; i++) {
            int c = (i / inner) % channels;
            int m = multiplier.get(multiplier.size() == 1 ? 0 : c), sh = shift.get(shift.size() == 1 ? 0 : c);
            long v = (wide ? FixedPoint.multiplyByQuantizedMultiplier(acc[i], m, sh)
                    : FixedPoint.multiplyByQuantizedMultiplier((int) acc[i], m, sh, rounding)) + outZp;
            y[i] = Math.max(lo, Math.min(hi, v));
        }
        return y;
    }

    private static int[] slice(int[] shape) {
        int[] r = new int[shape.length - 2];
        System.arraycopy(shape, 2, r, 0, r.length);
        return r;
    }
}
