package nncc.passes.quant;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Range analysis of the accumulators of QConv and QGemm: writes into {@code accumulatorBits} the fewest bits that
 * hold, as a signed integer, every value the accumulation can take, proven from the actual weights and bias and the
 * whole integer range of the input type, so hardware can accumulate that narrow and compute exactly what the
 * reference computes. Hardware backends (HLS) read the attribute and compute no widths of their own.
 *
 * <p>For output channel c with bias b and weight row w, the accumulator starts at b and adds {@code (x - zp) * w[i]}
 * for each tap, where x is any value of the input type (padding taps add 0). Each term lies in
 * {@code [min(w*(lo-zp), w*(hi-zp)), max(...)]}, so every partial sum lies in {@code [b + N, b + P]} with N and P the
 * sums of the terms' minima and maxima (both bounds include 0: the zero point lies inside the type). The accumulator
 * also holds {@code x - zp} on its own. The width is the fewest bits n with {@code -2^(n-1) <= min} and
 * {@code max <= 2^(n-1) - 1} over all channels, capped at the accumulator type's width (i32, or i64 for i16 inputs):
 * at the cap the hardware wraps exactly as the reference does. Weights or bias that are not constants leave the
 * attribute 0 (not analysed).
 *
 * <p>Cost: one pass over every weight and bias element of each QConv/QGemm, O(total weights) time and
 * O(weights of the largest layer) memory (the weights are read as one {@code long[]}).
 *
 * <pre>{@code
 * // before: 9 weights of 127, i8 input with zero point -128 (x - zp in [0, 255]), bias 0
 * node @c = QConv {..., accumulator = i32, weightBits = 8} (%x, %w, %b) -> (%y : i8[1,1,4,4]{...})
 * // after: 9 * 127 * 255 = 291465 < 2^19 needs 20 signed bits
 * node @c = QConv {..., accumulator = i32, weightBits = 8, accumulatorBits = 20} (%x, %w, %b) -> (%y : i8[1,1,4,4]{...})
 * }</pre>
 */
public final class AccumulatorBitsPass implements Pass {
    public static final String NAME = "accumulator-bits";

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.LOWERED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("accumulators narrowed", "accumulators at full width",
                "attributes changed", "skipped: weights or bias not constant");
        for (Node n : List.copyOf(g.nodes())) {
            int bits;
            switch (n.op()) {
                case QConv op -> {
                    bits = provenBits(g, n, op.inputZp(), op.accumulator());
                    if (bits > 0 && bits != op.accumulatorBits()) g.replaceNode(n, List.of(n.withOp(op.withAccumulatorBits(bits))));
                    count(stats, bits, op.accumulatorBits(), op.accumulator());
                }
                case QGemm op -> {
                    bits = provenBits(g, n, op.inputZp(), op.accumulator());
                    if (bits > 0 && bits != op.accumulatorBits()) g.replaceNode(n, List.of(n.withOp(op.withAccumulatorBits(bits))));
                    count(stats, bits, op.accumulatorBits(), op.accumulator());
                }
                default -> { }
            }
        }
        return stats.resultChangedBy("attributes changed");
    }

    private static void count(PassResult.Stats stats, int bits, int before, DType accumulator) {
        if (bits == 0) {
            stats.inc("skipped: weights or bias not constant");
            return;
        }
        stats.inc(bits < width(accumulator) ? "accumulators narrowed" : "accumulators at full width");
        if (bits != before) stats.inc("attributes changed");
    }

    private static int width(DType accumulator) { return accumulator == DType.I64 ? 64 : 32; }

    /** The proven width of node {@code n}'s accumulator, or 0 when its weights or bias are not constants. */
    private static int provenBits(Graph g, Node n, long inputZp, DType accumulator) {
        Tensor w = g.constantData(n.input(1));
        Tensor b = n.inputs().size() > 2 ? g.constantData(n.input(2)) : null;
        if (w == null || (n.inputs().size() > 2 && b == null)) return 0;
        DType in = n.input(0).type().dtype();
        long[] weights = w.toLongs();
        long[] bias = b == null ? null : b.toLongs();
        int channels = Math.toIntExact(n.input(1).type().shape().dim(0));
        return provenBits(in.minValue() - inputZp, in.maxValue() - inputZp, weights, bias, channels, width(accumulator));
    }

    /**
     * The fewest signed bits holding {@code x} in [{@code xLo}, {@code xHi}] and every partial sum of
     * {@code bias[c] + sum((x) * w[c][i])} for each of {@code channels} rows of {@code weights}, at most {@code cap}.
     */
    static int provenBits(long xLo, long xHi, long[] weights, long[] bias, int channels, int cap) {
        int row = weights.length / channels;
        long lo = Math.min(xLo, 0), hi = Math.max(xHi, 0);
        try {
            for (int c = 0; c < channels; c++) {
                long b = bias == null ? 0 : bias[c];
                long neg = Math.min(b, 0), pos = Math.max(b, 0);
                for (int i = c * row; i < (c + 1) * row; i++) {
                    long p1 = Math.multiplyExact(weights[i], xLo), p2 = Math.multiplyExact(weights[i], xHi);
                    neg = Math.addExact(neg, Math.min(Math.min(p1, p2), 0));
                    pos = Math.addExact(pos, Math.max(Math.max(p1, p2), 0));
                }
                lo = Math.min(lo, neg); // partial sums lie in [b + N, b + P], inside [min(b, 0) + N, max(b, 0) + P]
                hi = Math.max(hi, pos);
            }
        } catch (ArithmeticException e) {
            return cap;
        }
        return Math.min(cap, signedBits(lo, hi));
    }

    /** The fewest bits n (at least 2) with {@code -2^(n-1) <= lo} and {@code hi <= 2^(n-1) - 1}. */
    static int signedBits(long lo, long hi) {
        int n = 2;
        while (n < 64 && (lo < -(1L << (n - 1)) || hi > (1L << (n - 1)) - 1)) n++;
        return n;
    }
}
