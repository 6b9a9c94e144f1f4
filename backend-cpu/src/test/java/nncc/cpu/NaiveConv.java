package nncc.cpu;

/**
 * Textbook N-d convolution and transposed convolution straight from the ONNX definitions, one output (or
 * input) element at a time in double precision: the independent reference the fast kernels are checked against.
 */
final class NaiveConv {
    private NaiveConv() {}

    /** y[n][m][o...] = b[m] + sum over c in m's group and taps k of x[n][c][o*s - pb + k*d] * w[m][c'][k]. */
    static double[] conv(float[] x, int[] xs, float[] w, int[] ws, float[] b, int[] ys, int[] s, int[] pb, int[] d, int group) {
        int r = xs.length - 2;
        int cg = xs[1] / group, mg = ys[1] / group;
        double[] y = new double[NdArray.sizeOf(ys)];
        int[] outSp = slice(ys), inSp = slice(xs), kSp = slice(ws);
        int outSize = NdArray.sizeOf(outSp), inSize = NdArray.sizeOf(inSp), kSize = NdArray.sizeOf(kSp);
        for (int n = 0; n < ys[0]; n++)
            for (int m = 0; m < ys[1]; m++) {
                int grp = m / mg;
                int[] o = new int[r];
                for (int p = 0; p < outSize; p++) {
                    double acc = b == null ? 0 : b[m];
                    for (int c = 0; c < cg; c++) {
                        int[] k = new int[r];
                        for (int t = 0; t < kSize; t++) {
                            int off = 0;
                            for (int i = 0; i < r && off >= 0; i++) {
                                int ic = o[i] * s[i] - pb[i] + k[i] * d[i];
                                off = ic < 0 || ic >= inSp[i] ? -1 : off * inSp[i] + ic;
                            }
                            if (off >= 0)
                                acc += (double) x[(n * xs[1] + grp * cg + c) * inSize + off] * w[(m * cg + c) * kSize + t];
                            WindowGeometry.increment(k, kSp);
                        }
                    }
                    y[(n * ys[1] + m) * outSize + p] = acc;
                    WindowGeometry.increment(o, outSp);
                }
            }
        return y;
    }

    /** ConvTranspose: every x[n][c][i...] * w[c][m'][k...] adds into y[n][m][i*s - pb + k*d]. */
    static double[] convTranspose(float[] x, int[] xs, float[] w, int[] ws, float[] b, int[] ys, int[] s, int[] pb, int[] d, int group) {
        int r = xs.length - 2;
        int cg = xs[1] / group, mg = ys[1] / group;
        double[] y = new double[NdArray.sizeOf(ys)];
        int[] outSp = slice(ys), inSp = slice(xs), kSp = slice(ws);
        int outSize = NdArray.sizeOf(outSp), inSize = NdArray.sizeOf(inSp), kSize = NdArray.sizeOf(kSp);
        for (int n = 0; n < ys[0]; n++)
            for (int m = 0; m < ys[1]; m++)
                for (int p = 0; p < outSize; p++) y[(n * ys[1] + m) * outSize + p] = b == null ? 0 : b[m];
        for (int n = 0; n < xs[0]; n++)
            for (int c = 0; c < xs[1]; c++) {
                int grp = c / cg;
                int[] i = new int[r];
                for (int p = 0; p < inSize; p++) {
                    int[] k = new int[r];
                    for (int t = 0; t < kSize; t++) {
                        int off = 0;
                        for (int q = 0; q < r && off >= 0; q++) {
                            int oc = i[q] * s[q] - pb[q] + k[q] * d[q];
                            off = oc < 0 || oc >= outSp[q] ? -1 : off * outSp[q] + oc;
                        }
                        if (off >= 0)
                            for (int mm = 0; mm < mg; mm++)
                                y[(n * ys[1] + grp * mg + mm) * outSize + off] +=
                                        (double) x[(n * xs[1] + c) * inSize + p] * w[(c * mg + mm) * kSize + t];
                        WindowGeometry.increment(k, kSp);
                    }
                    WindowGeometry.increment(i, inSp);
                }
            }
        return y;
    }

    private static int[] slice(int[] shape) {
        int[] r = new int[shape.length - 2];
        System.arraycopy(shape, 2, r, 0, r.length);
        return r;
    }
}
