package nncc.passes.train;

import java.util.Locale;
import java.util.Random;
import nncc.ir.Graph;
import nncc.ir.text.IrParser;

/** Small random graphs for the training tests, written as text IR with seeded random constants. */
final class TrainGraphs {
    private TrainGraphs() {}

    static String floats(Random r, int n, double scale) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6f", (r.nextDouble() * 2 - 1) * scale));
        return b.append(']').toString();
    }

    static String positive(Random r, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6f", 0.5 + r.nextDouble()));
        return b.append(']').toString();
    }

    /** Grouped strided conv with fused relu6, depthwise conv, Relu, residual Add, 1x1 conv, global pool, Flatten, Gemm. */
    static Graph convNet(long seed) {
        Random r = new Random(seed);
        String text = """
                graph @convnet {
                  input %x : f32[?N,4,7,7]
                  const %w1 : f32[6,2,3,3] = W1
                  const %b1 : f32[6] = B1
                  const %wd : f32[6,1,3,3] = WD
                  const %bd : f32[6] = BD
                  const %wp : f32[8,6,1,1] = WP
                  const %wg : f32[5,8] = WG
                  const %bg : f32[5] = BG
                  node @c1 = Conv {strides = [2, 2], pads = [1, 0, 0, 1], dilations = [1, 1], group = 2, activation = relu6} (%x, %w1, %b1) -> (%y1 : f32[?N,6,3,3])
                  node @dw = Conv {strides = [1, 1], pads = [1, 1, 1, 1], dilations = [1, 1], group = 6} (%y1, %wd, %bd) -> (%y2 : f32[?N,6,3,3])
                  node @relu = Relu (%y2) -> (%y3 : f32[?N,6,3,3])
                  node @add = Add (%y3, %y1) -> (%y4 : f32[?N,6,3,3])
                  node @pw = Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1} (%y4, %wp) -> (%y5 : f32[?N,8,3,3])
                  node @gap = GlobalAveragePool (%y5) -> (%y6 : f32[?N,8,1,1])
                  node @flat = Flatten {axis = 1} (%y6) -> (%y7 : f32[?N,8])
                  node @fc = Gemm {alpha = 1.0, beta = 1.0, transA = false, transB = true} (%y7, %wg, %bg) -> (%logits : f32[?N,5])
                  output %logits
                }
                """.replace("W1", floats(r, 6 * 2 * 9, 0.5)).replace("B1", floats(r, 6, 0.5)).replace("WD", floats(r, 54, 0.5))
                .replace("BD", floats(r, 6, 0.2)).replace("WP", floats(r, 48, 0.5)).replace("WG", floats(r, 40, 0.7))
                .replace("BG", floats(r, 5, 0.1));
        return IrParser.parse(text, "convnet.nnir");
    }

    /** Conv, BatchNormalization (training mode), Clip, MaxPool, AveragePool, Reshape, MatMul, Gemm without transB. */
    static Graph bnNet(long seed) {
        Random r = new Random(seed);
        String text = """
                graph @bnnet {
                  input %x : f32[?N,3,6,6]
                  const %w : f32[4,3,3,3] = $W
                  const %g : f32[4] = $G
                  const %beta : f32[4] = $BETA
                  const %mean : f32[4] = [0.0, 0.0, 0.0, 0.0]
                  const %var : f32[4] = [1.0, 1.0, 1.0, 1.0]
                  const %wm : f32[16,7] = $WM
                  const %wg : f32[7,3] = $WG
                  const %bg : f32[3] = $BG
                  node @conv = Conv {strides = [1, 1], pads = [1, 1, 1, 1], dilations = [1, 1], group = 1} (%x, %w) -> (%c : f32[?N,4,6,6])
                  node @bn = BatchNormalization {epsilon = 1.0E-5} (%c, %g, %beta, %mean, %var) -> (%n : f32[?N,4,6,6])
                  node @clip = Clip {min = -0.8, max = 1.5} (%n) -> (%a : f32[?N,4,6,6])
                  node @pool = MaxPool {kernel = [2, 2], strides = [2, 2], pads = [0, 0, 0, 0], dilations = [1, 1], ceilMode = false, storageOrder = 0} (%a) -> (%p : f32[?N,4,3,3])
                  node @avg = AveragePool {kernel = [2, 2], strides = [1, 1], pads = [0, 0, 0, 0], ceilMode = false, countIncludePad = false} (%p) -> (%q : f32[?N,4,2,2])
                  node @flat = Reshape {shape = [-1, 16], allowZero = false} (%q) -> (%f : f32[?N,16])
                  node @mm = MatMul (%f, %wm) -> (%h : f32[?N,7])
                  node @fc = Gemm {alpha = 1.0, beta = 1.0, transA = false, transB = false} (%h, %wg, %bg) -> (%logits : f32[?N,3])
                  output %logits
                }
                """.replace("$WM", floats(r, 16 * 7, 0.5)).replace("$WG", floats(r, 21, 0.7)).replace("$BG", floats(r, 3, 0.1))
                .replace("$BETA", floats(r, 4, 0.3)).replace("$W", floats(r, 108, 0.5)).replace("$G", positive(r, 4));
        return IrParser.parse(text, "bnnet.nnir");
    }
}
