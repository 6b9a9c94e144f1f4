package nncc.passes.quant;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.op.Conv;

/**
 * Running first and second moments of a layer's input patches, per group: for a Gemm the input rows; for a 2-D
 * Conv the im2col column of every output position (zero padding included). Used by {@link CorrectBiasPass}
 * for bias correction (the mean) and adaptive weight rounding (the covariance).
 */
final class PatchMoments {
    private final Conv conv;
    private final int kh;
    private final int kw;
    private final int groups;
    private final int perGroup; // patch length of one group
    private final double[] sums; // [group][perGroup]
    private final double[] products; // [group][perGroup][perGroup], upper triangle used
    private final boolean second;
    private long count;

    PatchMoments(long k, boolean second) {
        this.conv = null;
        this.kh = 1;
        this.kw = 1;
        this.groups = 1;
        this.perGroup = Math.toIntExact(k);
        this.second = second;
        this.sums = new double[perGroup];
        this.products = second ? new double[perGroup * perGroup] : null;
    }

    PatchMoments(Shape x, Shape w, Conv conv, boolean second) {
        this.conv = conv;
        this.kh = (int) w.dim(2);
        this.kw = (int) w.dim(3);
        this.groups = conv.group();
        this.perGroup = Math.toIntExact(w.dim(1) * kh * kw);
        this.second = second;
        this.sums = new double[groups * perGroup];
        this.products = second ? new double[groups * perGroup * perGroup] : null;
    }

    int groups() { return groups; }

    int patchLength() { return perGroup; }

    /** Adds the patches of {@code v}, a layer input with dims {@code shape} (read only; its first elements if longer). */
    void add(float[] v, int[] shape) {
        if (conv == null) { // rows of k: the elements of shape, which may be a prefix of v
            long elements = 1;
            for (int d : shape) elements *= d;
            int k = perGroup, n = Math.toIntExact(elements / k);
            for (int r = 0; r < n; r++) accumulate(0, v, r * k, null);
            return;
        }
        int n = shape[0], c = shape[1], h = shape[2], w = shape[3];
        List<Integer> s = conv.strides(), p = conv.pads(), d = conv.dilations();
        int oh = (h + p.get(0) + p.get(2) - ((kh - 1) * d.get(0) + 1)) / s.get(0) + 1;
        int ow = (w + p.get(1) + p.get(3) - ((kw - 1) * d.get(1) + 1)) / s.get(1) + 1;
        int cg = c / groups;
        if (!second) {
            addMeans(v, n, c, h, w, oh, ow, cg);
            count += (long) n * oh * ow;
            return;
        }
        double[] patch = new double[perGroup];
        for (int b = 0; b < n; b++)
            for (int g = 0; g < groups; g++)
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++) {
                        int k = 0;
                        for (int ch = g * cg; ch < (g + 1) * cg; ch++) {
                            int base = (b * c + ch) * h * w;
                            for (int i = 0; i < kh; i++) {
                                int iy = y * s.get(0) - p.get(0) + i * d.get(0);
                                for (int j = 0; j < kw; j++, k++) {
                                    int ix = x * s.get(1) - p.get(1) + j * d.get(1);
                                    patch[k] = iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : v[base + iy * w + ix];
                                }
                            }
                        }
                        accumulate(g, null, 0, patch);
                    }
        count += (long) n * oh * ow;
    }

    /**
     * The first moments alone, from column sums: for each image, channel and kernel row i, the input rows that tap row
     * i reads for the output rows it covers are summed column by column (a loop the JIT vectorizes), and each tap
     * (i, j) then sums the columns it reads for its output columns; padding taps add nothing. Each image's tap sum
     * is added to the running sum in image order, so the result does not depend on how the samples are cut into
     * chunks or shared out to threads. It equals the patch-by-patch sums up to the rounding of the additions in
     * double (the order differs: a relative 1e-15 or so), at a fraction of the cost: a 3x3 convolution reads its
     * input three times instead of nine, eight doubles at a time.
     */
    private void addMeans(float[] v, int n, int c, int h, int w, int oh, int ow, int cg) {
        int s0 = conv.strides().get(0), s1 = conv.strides().get(1), p0 = conv.pads().get(0), p1 = conv.pads().get(1);
        int d0 = conv.dilations().get(0), d1 = conv.dilations().get(1);
        int plane = h * w;
        double[] cols = new double[w];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++) {
                int g = ch / cg, base = (b * c + ch) * plane;
                int kBase = g * perGroup + (ch - g * cg) * kh * kw;
                for (int i = 0; i < kh; i++) {
                    int yFrom = Math.max(0, Math.floorDiv(p0 - i * d0 + s0 - 1, s0));
                    int yTo = Math.min(oh, Math.floorDiv(h - 1 + p0 - i * d0, s0) + 1);
                    if (yFrom >= yTo) continue; // every tap of this kernel row reads padding
                    java.util.Arrays.fill(cols, 0.0);
                    for (int y = yFrom, row = base + (yFrom * s0 - p0 + i * d0) * w; y < yTo; y++, row += s0 * w)
                        for (int x = 0; x < w; x++) cols[x] += v[row + x];
                    for (int j = 0; j < kw; j++) {
                        int xLo = Math.max(0, Math.floorDiv(p1 - j * d1 + s1 - 1, s1));
                        int xHi = Math.min(ow, Math.floorDiv(w - 1 + p1 - j * d1, s1) + 1);
                        double t = 0;
                        for (int x = xLo, at = xLo * s1 - p1 + j * d1; x < xHi; x++, at += s1) t += cols[at];
                        sums[kBase + i * kw + j] += t;
                    }
                }
            }
    }

    private void accumulate(int g, float[] row, int off, double[] patch) {
        int k = perGroup, sBase = g * k, pBase = g * k * k;
        for (int i = 0; i < k; i++) {
            double xi = row != null ? row[off + i] : patch[i];
            sums[sBase + i] += xi;
            if (!second || xi == 0) continue;
            int r = pBase + i * k;
            for (int j = i; j < k; j++) products[r + j] += xi * (row != null ? row[off + j] : patch[j]);
        }
        if (conv == null) count++;
    }

    /** The mean patch of group {@code g}. */
    double[] mean(int g) {
        double[] m = new double[perGroup];
        for (int i = 0; i < perGroup; i++) m[i] = count == 0 ? 0 : sums[g * perGroup + i] / count;
        return m;
    }

    /** The patch covariance of group {@code g} (symmetric, full). */
    double[] covariance(int g) {
        int k = perGroup;
        double[] m = mean(g), c = new double[k * k];
        for (int i = 0; i < k; i++)
            for (int j = i; j < k; j++) {
                double v = (count == 0 ? 0 : products[g * k * k + i * k + j] / count) - m[i] * m[j];
                c[i * k + j] = v;
                c[j * k + i] = v;
            }
        return c;
    }
}
