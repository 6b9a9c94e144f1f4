package nncc.javagen;

import com.palantir.javapoet.CodeBlock;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Node;
import nncc.ir.op.MaxPool;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QMean;
import nncc.ir.op.ReduceMean;

/**
 * Window and reduction layers: MaxPool and QAveragePool over 2-D windows (in-bounds taps only; the average divides
 * by the in-bounds count, rounding half away from zero as TFLite does), and QMean (int32 sums through an index map,
 * then the op's multiplier, shift and zero point, saturated).
 */
final class PoolLayers {
    private PoolLayers() {}

    static void max(JavaTargetGenerator gen, int index, Node n, MaxPool op) {
        window(gen, index, n, op.kernel(), op.strides(), op.pads(), op.dilations(), true, 0, 0);
    }

    static void average(JavaTargetGenerator gen, int index, Node n, QAveragePool op) {
        window(gen, index, n, op.kernel(), op.strides(), op.pads(), List.of(1, 1), false, op.actMin(), op.actMax());
    }

    private static void window(JavaTargetGenerator gen, int index, Node n, List<Integer> kernel, List<Integer> strides, List<Integer> pads,
                               List<Integer> dilations, boolean max, int lo, int hi) {
        JavaTargetGenerator.Buffer x = gen.buffer(n, 0);
        if (x.shape().length != 4) throw JavaTargetGenerator.refuse(n, "only 2-D pooling (rank-4 input) is emitted, got rank " + x.shape().length);
        if (x.floats()) throw JavaTargetGenerator.refuse(n, "input " + n.input(0).name() + " is not an integer type");
        JavaTargetGenerator.Buffer y = gen.output(n);
        int[] xs = x.shape(), ys = y.shape();
        int planes = xs[0] * xs[1], ih = xs[2], iw = xs[3], oh = ys[2], ow = ys[3];
        int kh = kernel.get(0), kw = kernel.get(1), sh = strides.get(0), sw = strides.get(1), dh = dilations.get(0), dw = dilations.get(1);
        int pt = pads.get(0), pl = pads.get(1);
        CodeBlock.Builder b = CodeBlock.builder();
        b.addStatement("final int[] x = $L, y = $L", x.field(), y.field());
        b.beginControlFlow("for (int plane = 0; plane < $L; plane++)", planes);
        b.addStatement("final int xb = plane * $L, yb = plane * $L", ih * iw, oh * ow);
        b.beginControlFlow("for (int oh = 0; oh < $L; oh++)", oh);
        b.beginControlFlow("for (int ow = 0; ow < $L; ow++)", ow);
        if (max) b.addStatement("int best = Integer.MIN_VALUE");
        else b.addStatement("int sum = 0, count = 0");
        b.beginControlFlow("for (int kh = 0; kh < $L; kh++)", kh);
        b.addStatement("final int ih = oh * $L - $L + kh * $L", sh, pt, dh);
        b.addStatement("if (ih < 0 || ih >= $L) continue", ih);
        b.beginControlFlow("for (int kw = 0; kw < $L; kw++)", kw);
        b.addStatement("final int iw = ow * $L - $L + kw * $L", sw, pl, dw);
        b.addStatement("if (iw < 0 || iw >= $L) continue", iw);
        if (max) b.addStatement("best = Math.max(best, x[xb + ih * $L + iw])", iw);
        else b.addStatement("sum += x[xb + ih * $L + iw]", iw).addStatement("count++");
        b.endControlFlow().endControlFlow();
        if (max) b.addStatement("y[yb + oh * $L + ow] = best", ow);
        else {
            b.addStatement("if (count == 0) throw new IllegalStateException($S)", "average pool window covers no input element");
            b.addStatement("final int avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count");
            b.addStatement("y[yb + oh * $L + ow] = Fixed.clamp(avg, $L, $L)", ow, lo, hi);
        }
        b.endControlFlow().endControlFlow().endControlFlow();
        gen.layer(index, n, b.build());
    }

    static void mean(JavaTargetGenerator gen, int index, Node n, QMean op) {
        JavaTargetGenerator.Buffer x = gen.buffer(n, 0);
        if (x.floats()) throw JavaTargetGenerator.refuse(n, "input " + n.input(0).name() + " is not an integer type");
        JavaTargetGenerator.Buffer y = gen.output(n);
        int r = x.shape().length;
        List<Integer> axes = new ReduceMean(op.axes(), op.keepDims()).reducedAxes(r);
        StringBuilder reduced = new StringBuilder("new boolean[] {");
        for (int d = 0; d < r; d++) reduced.append(d == 0 ? "" : ", ").append(axes.contains(d));
        reduced.append('}');
        String map = gen.mapField(index, "", "Fixed.reduceMap(" + JavaTargetGenerator.ints(x.shape()) + ", " + reduced + ")");
        gen.scratchInts = Math.max(gen.scratchInts, y.size());
        DType t = op.outType();
        CodeBlock.Builder b = CodeBlock.builder();
        b.addStatement("final int[] x = $L, y = $L, sums = scratch", x.field(), y.field());
        b.addStatement("java.util.Arrays.fill(sums, 0, $L, 0)", y.size());
        b.addStatement("for (int i = 0; i < $L; i++) sums[$L[i]] += x[i] - ($L)", x.size(), map, op.inputZp());
        b.beginControlFlow("for (int o = 0; o < $L; o++)", y.size());
        b.addStatement("final long v = (long) $L(sums[o], $L, $L) + ($LL)", EmittedArithmetic.requantize(op.rounding()), op.multiplier(), op.shift(), op.outputZp());
        b.addStatement("y[o] = (int) Math.max($LL, Math.min($LL, v))", t.minValue(), t.maxValue());
        b.endControlFlow();
        gen.layer(index, n, b.build());
    }
}
