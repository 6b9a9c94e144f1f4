package nncc.passes.quant;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.op.Conv;

/**
 * Running means of a layer's input patches: for a Gemm the mean of each input column; for a 2-D Conv the mean,
 * over samples and output positions, of the input element under each (input channel, kernel row, kernel
 * column) of the window, counting zero padding as zeros. Thread-confined; used by {@link CorrectBiasPass}.
 */
final class PatchMeans {
    private final Conv conv;
    private final int kh;
    private final int kw;
    private final double[] sums;
    private long count;

    /** Means for a Gemm with {@code k} input columns. */
    PatchMeans(long k) {
        this.conv = null;
        this.kh = 1;
        this.kw = 1;
        this.sums = new double[Math.toIntExact(k)];
    }

    /** Means for a 2-D Conv with input {@code x} and weights {@code w} [M, C/g, kh, kw]. */
    PatchMeans(Shape x, Shape w, Conv conv) {
        this.conv = conv;
        this.kh = (int) w.dim(2);
        this.kw = (int) w.dim(3);
        this.sums = new double[Math.toIntExact(x.dim(1) * kh * kw)];
    }

    void add(float[] v, Shape shape) {
        if (conv == null) {
            int k = sums.length, n = v.length / k;
            for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) sums[j] += v[i * k + j];
            count += n;
            return;
        }
        int n = (int) shape.dim(0), c = (int) shape.dim(1), h = (int) shape.dim(2), w = (int) shape.dim(3);
        List<Integer> s = conv.strides(), p = conv.pads(), d = conv.dilations();
        int oh = (h + p.get(0) + p.get(2) - ((kh - 1) * d.get(0) + 1)) / s.get(0) + 1;
        int ow = (w + p.get(1) + p.get(3) - ((kw - 1) * d.get(1) + 1)) / s.get(1) + 1;
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++) {
                int base = (b * c + ch) * h * w;
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++) {
                        double acc = 0;
                        for (int y = 0; y < oh; y++) {
                            int iy = y * s.get(0) - p.get(0) + i * d.get(0);
                            if (iy < 0 || iy >= h) continue;
                            for (int x = 0; x < ow; x++) {
                                int ix = x * s.get(1) - p.get(1) + j * d.get(1);
                                if (ix >= 0 && ix < w) acc += v[base + iy * w + ix];
                            }
                        }
                        sums[(ch * kh + i) * kw + j] += acc;
                    }
            }
        count += (long) n * oh * ow;
    }

    /** The means, indexed [channel][kernel row][kernel column] (Gemm: [column]). */
    double[] mean() {
        double[] m = new double[sums.length];
        for (int i = 0; i < m.length; i++) m[i] = count == 0 ? 0 : sums[i] / count;
        return m;
    }
}
