package nncc.passes.train;

import java.util.List;
import nncc.ir.op.Activation;

/**
 * 2-D convolution (NCHW, groups, dilation, asymmetric pads) forward and backward. A group with one input and one
 * output channel (depthwise) runs direct loops; other groups run im2col and a matrix product per image (a 1x1
 * stride-1 unpadded convolution reads the image itself). Matrix products are written as i-k-j loops whose inner
 * loop runs over contiguous memory, which the JIT vectorizes.
 */
final class ConvLayer extends TrainLayer {
    private final int c, h, w, m, kh, kw, oh, ow, sy, sx, dy, dx, padTop, padLeft, group;
    private final int cg, mg, k, p;
    private final boolean direct, depthwise;
    private final float lo, hi;
    private final float[][] cols, colsT, dcols;
    private float[] weightT;

    ConvLayer(String node, List<TrainValue> inputs, TrainValue output, List<Integer> strides, List<Integer> pads,
              List<Integer> dilations, int group, Activation activation) {
        super(node, inputs, output);
        int[] x = inputs.get(0).dims, wd = inputs.get(1).dims, y = output.dims;
        c = x[0]; h = x[1]; w = x[2];
        m = wd[0]; kh = wd[2]; kw = wd[3];
        oh = y[1]; ow = y[2];
        sy = strides.get(0); sx = strides.get(1);
        dy = dilations.get(0); dx = dilations.get(1);
        padTop = pads.get(0); padLeft = pads.get(1);
        this.group = group;
        cg = c / group; mg = m / group;
        k = cg * kh * kw; p = oh * ow;
        depthwise = cg == 1 && mg == 1;
        direct = kh == 1 && kw == 1 && sy == 1 && sx == 1 && padTop == 0 && padLeft == 0 && oh == h && ow == w;
        lo = activation.min();
        hi = activation.max();
        cols = new float[64][];
        colsT = new float[64][];
        dcols = new float[64][];
    }

    @Override void forward(Chunks ch, boolean training) {
        float[] wt = in(1).data, bias = inputs.size() > 2 ? in(2).data : null;
        float[] x = in(0).data, y = output.data;
        ch.run(chunk -> {
            for (int n = ch.start(chunk); n < ch.end(chunk); n++) {
                int xo = n * c * h * w, yo = n * m * p;
                java.util.Arrays.fill(y, yo, yo + m * p, 0f);
                if (depthwise) depthwiseForward(x, xo, wt, y, yo);
                else for (int g = 0; g < group; g++) {
                    float[] src = x;
                    int so = xo + g * cg * h * w;
                    if (!direct) {
                        src = im2col(x, so, scratch(cols, chunk, k * p));
                        so = 0;
                    }
                    matMulAdd(wt, g * mg * k, src, so, y, yo + g * mg * p, mg, k, p);
                }
                for (int o = 0; o < m; o++) {
                    float b = bias == null ? 0f : bias[o];
                    int base = yo + o * p;
                    for (int i = 0; i < p; i++) y[base + i] = Math.max(lo, Math.min(hi, y[base + i] + b));
                }
            }
        });
    }

    @Override void backward(Chunks ch) {
        float[] x = in(0).data, wt = in(1).data, y = output.data, gy = output.grad;
        boolean clamped = lo > Float.NEGATIVE_INFINITY || hi < Float.POSITIVE_INFINITY;
        if (!depthwise) weightT = transposeGroups(wt);
        ch.run(chunk -> {
            float[] gw = in(1).gradFor(chunk), gb = inputs.size() > 2 ? in(2).gradFor(chunk) : null;
            float[] gx = in(0).grad;
            for (int n = ch.start(chunk); n < ch.end(chunk); n++) {
                int xo = n * c * h * w, yo = n * m * p;
                if (clamped)
                    for (int i = yo; i < yo + m * p; i++) if (!(y[i] > lo && y[i] < hi)) gy[i] = 0f;
                if (gb != null)
                    for (int o = 0; o < m; o++) {
                        float s = 0f;
                        for (int i = 0; i < p; i++) s += gy[yo + o * p + i];
                        gb[o] += s;
                    }
                if (depthwise) {
                    depthwiseBackward(x, xo, wt, gy, yo, gw, gx);
                    continue;
                }
                for (int g = 0; g < group; g++) {
                    float[] src = x;
                    int so = xo + g * cg * h * w;
                    if (!direct) {
                        src = im2col(x, so, scratch(cols, chunk, k * p));
                        so = 0;
                    }
                    float[] t = transpose(src, so, k, p, scratch(colsT, chunk, k * p));
                    // gW[mg,k] += gY[mg,p] * cols^T[p,k]
                    matMulAdd(gy, yo + g * mg * p, t, 0, gw, g * mg * k, mg, p, k);
                    if (gx == null) continue;
                    if (direct) matMulAdd(weightT, g * mg * k, gy, yo + g * mg * p, gx, so, k, mg, p);
                    else {
                        float[] d = scratch(dcols, chunk, k * p);
                        java.util.Arrays.fill(d, 0f);
                        matMulAdd(weightT, g * mg * k, gy, yo + g * mg * p, d, 0, k, mg, p);
                        col2imAdd(d, gx, xo + g * cg * h * w);
                    }
                }
            }
        });
    }

    private static float[] scratch(float[][] pool, int chunk, int size) {
        float[] s = pool[chunk];
        if (s == null || s.length < size) pool[chunk] = s = new float[size];
        return s;
    }

    /** The backend's Vector API matrix product; NNCC_TRAIN_GEMM=loops selects the plain loops below instead. */
    private static final boolean FAST = !"loops".equals(System.getenv("NNCC_TRAIN_GEMM"));

    /** C[r0.., rows x cols] += A[rows x inner] * B[inner x cols], all row-major and dense. */
    static void matMulAdd(float[] a, int ao, float[] b, int bo, float[] out, int co, int rows, int inner, int cols) {
        if (FAST) {
            nncc.cpu.FloatMatrices.multiplyAdd(rows, cols, inner, a, ao, b, bo, cols, out, co, cols);
            return;
        }
        for (int i = 0; i < rows; i++) {
            int ci = co + i * cols;
            for (int q = 0; q < inner; q++) {
                float av = a[ao + i * inner + q];
                if (av == 0f) continue;
                int bq = bo + q * cols;
                for (int j = 0; j < cols; j++) out[ci + j] += av * b[bq + j];
            }
        }
    }

    static float[] transpose(float[] src, int off, int rows, int cols, float[] dst) {
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) dst[j * rows + i] = src[off + i * cols + j];
        return dst;
    }

    /** Per group, the weight [mg, k] transposed to [k, mg]. */
    private float[] transposeGroups(float[] wt) {
        float[] t = new float[wt.length];
        for (int g = 0; g < group; g++) {
            int base = g * mg * k;
            for (int i = 0; i < mg; i++) for (int j = 0; j < k; j++) t[base + j * mg + i] = wt[base + i * k + j];
        }
        return t;
    }

    private float[] im2col(float[] x, int xo, float[] dst) {
        int row = 0;
        for (int ci = 0; ci < cg; ci++)
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++, row++) {
                    int ro = row * p;
                    int offX = kx * dx - padLeft, lo0 = firstValid(offX, sx), hi0 = lastValid(offX, sx, w, ow);
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * sy - padTop + ky * dy, o = ro + oy * ow;
                        if (iy < 0 || iy >= h || lo0 > hi0) {
                            java.util.Arrays.fill(dst, o, o + ow, 0f);
                            continue;
                        }
                        int src = xo + (ci * h + iy) * w + offX;
                        for (int ox = 0; ox < lo0; ox++) dst[o + ox] = 0f;
                        for (int ox = lo0; ox <= hi0; ox++) dst[o + ox] = x[src + ox * sx];
                        for (int ox = hi0 + 1; ox < ow; ox++) dst[o + ox] = 0f;
                    }
                }
        return dst;
    }

    private void col2imAdd(float[] d, float[] gx, int xo) {
        int row = 0;
        for (int ci = 0; ci < cg; ci++)
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++, row++) {
                    int ro = row * p;
                    int offX = kx * dx - padLeft, lo0 = firstValid(offX, sx), hi0 = lastValid(offX, sx, w, ow);
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * sy - padTop + ky * dy;
                        if (iy < 0 || iy >= h) continue;
                        int dst = xo + (ci * h + iy) * w + offX, o = ro + oy * ow;
                        for (int ox = lo0; ox <= hi0; ox++) gx[dst + ox * sx] += d[o + ox];
                    }
                }
    }

    /** The first output column whose input column {@code ox * s + off} is >= 0. */
    private static int firstValid(int off, int s) {
        return off >= 0 ? 0 : (-off + s - 1) / s;
    }

    /** The last output column whose input column {@code ox * s + off} is < width (at most outWidth - 1). */
    private static int lastValid(int off, int s, int width, int outWidth) {
        int last = width - 1 - off;
        if (last < 0) return -1;
        return Math.min(outWidth - 1, last / s);
    }

    private void depthwiseForward(float[] x, int xo, float[] wt, float[] y, int yo) {
        for (int ch = 0; ch < c; ch++)
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++) {
                    float wv = wt[(ch * kh + ky) * kw + kx];
                    int offX = kx * dx - padLeft, lo0 = firstValid(offX, sx), hi0 = lastValid(offX, sx, w, ow);
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * sy - padTop + ky * dy;
                        if (iy < 0 || iy >= h) continue;
                        int src = xo + (ch * h + iy) * w + offX, o = yo + (ch * oh + oy) * ow;
                        if (sx == 1) for (int ox = lo0; ox <= hi0; ox++) y[o + ox] += wv * x[src + ox];
                        else for (int ox = lo0; ox <= hi0; ox++) y[o + ox] += wv * x[src + ox * sx];
                    }
                }
    }

    private void depthwiseBackward(float[] x, int xo, float[] wt, float[] gy, int yo, float[] gw, float[] gx) {
        for (int ch = 0; ch < c; ch++)
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++) {
                    int wi = (ch * kh + ky) * kw + kx;
                    float wv = wt[wi], acc = 0f;
                    int offX = kx * dx - padLeft, lo0 = firstValid(offX, sx), hi0 = lastValid(offX, sx, w, ow);
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * sy - padTop + ky * dy;
                        if (iy < 0 || iy >= h) continue;
                        int src = xo + (ch * h + iy) * w + offX, o = yo + (ch * oh + oy) * ow;
                        for (int ox = lo0; ox <= hi0; ox++) {
                            float g = gy[o + ox];
                            acc += g * x[src + ox * sx];
                            if (gx != null) gx[src + ox * sx] += wv * g;
                        }
                    }
                    gw[wi] += acc;
                }
    }
}
