package nncc.passes.train;

import java.util.List;

/** MaxPool, AveragePool and GlobalAveragePool over NCHW, forward and backward. */
final class PoolLayers {
    private PoolLayers() {}

    /** A 2-D pooling window's geometry. */
    record Window(int c, int h, int w, int oh, int ow, int kh, int kw, int sy, int sx, int padTop, int padLeft) {}

    /** Max pooling; the gradient goes to the first maximum of each window (as it was in the forward pass). */
    static final class Max extends TrainLayer {
        private final Window g;
        private int[] argmax;

        Max(String node, TrainValue x, TrainValue y, Window g) {
            super(node, List.of(x), y);
            this.g = g;
        }

        @Override void forward(Chunks ch, boolean training) {
            float[] x = in(0).data, y = output.data;
            if (argmax == null || argmax.length != y.length) argmax = new int[y.length];
            ch.run(chunk -> {
                for (int n = ch.start(chunk); n < ch.end(chunk); n++)
                    for (int c = 0; c < g.c(); c++) {
                        int xo = (n * g.c() + c) * g.h() * g.w(), yo = (n * g.c() + c) * g.oh() * g.ow();
                        for (int oy = 0; oy < g.oh(); oy++)
                            for (int ox = 0; ox < g.ow(); ox++) {
                                float best = Float.NEGATIVE_INFINITY;
                                int at = -1;
                                for (int ky = 0; ky < g.kh(); ky++) {
                                    int iy = oy * g.sy() - g.padTop() + ky;
                                    if (iy < 0 || iy >= g.h()) continue;
                                    for (int kx = 0; kx < g.kw(); kx++) {
                                        int ix = ox * g.sx() - g.padLeft() + kx;
                                        if (ix < 0 || ix >= g.w()) continue;
                                        int i = xo + iy * g.w() + ix;
                                        if (at < 0 || x[i] > best) {
                                            best = x[i];
                                            at = i;
                                        }
                                    }
                                }
                                y[yo + oy * g.ow() + ox] = best;
                                argmax[yo + oy * g.ow() + ox] = at;
                            }
                    }
            });
        }

        @Override void backward(Chunks ch) {
            float[] gy = output.grad, gx = in(0).grad;
            if (gx == null) return;
            int per = output.perImage;
            ch.run(chunk -> {
                for (int i = ch.start(chunk) * per; i < ch.end(chunk) * per; i++) if (argmax[i] >= 0) gx[argmax[i]] += gy[i];
            });
        }
    }

    /** Average pooling; {@code includePad} counts padding cells in the divisor (ONNX count_include_pad). */
    static final class Average extends TrainLayer {
        private final Window g;
        private final boolean includePad;

        Average(String node, TrainValue x, TrainValue y, Window g, boolean includePad) {
            super(node, List.of(x), y);
            this.g = g;
            this.includePad = includePad;
        }

        private int count(int oy, int ox) {
            if (includePad) return g.kh() * g.kw();
            int n = 0;
            for (int ky = 0; ky < g.kh(); ky++) {
                int iy = oy * g.sy() - g.padTop() + ky;
                if (iy < 0 || iy >= g.h()) continue;
                for (int kx = 0; kx < g.kw(); kx++) {
                    int ix = ox * g.sx() - g.padLeft() + kx;
                    if (ix >= 0 && ix < g.w()) n++;
                }
            }
            return Math.max(n, 1);
        }

        private void each(Chunks ch, boolean forward) {
            float[] x = in(0).data, y = output.data, gx = in(0).grad, gy = output.grad;
            if (!forward && gx == null) return;
            ch.run(chunk -> {
                for (int n = ch.start(chunk); n < ch.end(chunk); n++)
                    for (int c = 0; c < g.c(); c++) {
                        int xo = (n * g.c() + c) * g.h() * g.w(), yo = (n * g.c() + c) * g.oh() * g.ow();
                        for (int oy = 0; oy < g.oh(); oy++)
                            for (int ox = 0; ox < g.ow(); ox++) {
                                float inv = 1f / count(oy, ox), s = 0f, d = forward ? 0f : gy[yo + oy * g.ow() + ox] * inv;
                                for (int ky = 0; ky < g.kh(); ky++) {
                                    int iy = oy * g.sy() - g.padTop() + ky;
                                    if (iy < 0 || iy >= g.h()) continue;
                                    for (int kx = 0; kx < g.kw(); kx++) {
                                        int ix = ox * g.sx() - g.padLeft() + kx;
                                        if (ix < 0 || ix >= g.w()) continue;
                                        if (forward) s += x[xo + iy * g.w() + ix];
                                        else gx[xo + iy * g.w() + ix] += d;
                                    }
                                }
                                if (forward) y[yo + oy * g.ow() + ox] = s * inv;
                            }
                    }
            });
        }

        @Override void forward(Chunks ch, boolean training) { each(ch, true); }

        @Override void backward(Chunks ch) { each(ch, false); }
    }

    /** Mean over each channel's plane: [N,C,H,W] to [N,C,1,1]. */
    static final class GlobalAverage extends TrainLayer {
        private final int c, plane;

        GlobalAverage(String node, TrainValue x, TrainValue y) {
            super(node, List.of(x), y);
            c = x.dims[0];
            plane = x.perImage / c;
        }

        @Override void forward(Chunks ch, boolean training) {
            float[] x = in(0).data, y = output.data;
            ch.run(chunk -> {
                for (int i = ch.start(chunk) * c; i < ch.end(chunk) * c; i++) {
                    float s = 0f;
                    for (int j = 0; j < plane; j++) s += x[i * plane + j];
                    y[i] = s / plane;
                }
            });
        }

        @Override void backward(Chunks ch) {
            float[] gy = output.grad, gx = in(0).grad;
            if (gx == null) return;
            ch.run(chunk -> {
                for (int i = ch.start(chunk) * c; i < ch.end(chunk) * c; i++) {
                    float d = gy[i] / plane;
                    for (int j = 0; j < plane; j++) gx[i * plane + j] += d;
                }
            });
        }
    }
}
