package nncc.javagen;

import com.palantir.javapoet.CodeBlock;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;

/**
 * QConv and QGemm as specialized loops. A convolution whose groups have several input channels is a set of patch dot
 * products over a zero-bordered channels-last copy of its input ({@link #patchConv}); a depthwise (or few-channel)
 * convolution, and a pointwise one on large planes, offsets the input by its zero point once per layer, then per
 * output channel runs a direct convolution into an accumulator plane (int32, or int64 for {@code i64} accumulators) whose loop bounds
 * skip the padding, and the output stage {@code clamp(requantize(acc + bias) + outputZp, actMin, actMax)} in the op's
 * rounding. Weights are int8 bytes from the resource; per-tensor multiplier and shift are literals.
 */
final class LinearLayers {
    private LinearLayers() {}

    static void conv(JavaTargetGenerator gen, int index, Node n, QConv op) {
        JavaTargetGenerator.Buffer x = gen.buffer(n, 0);
        if (x.shape().length != 4) throw JavaTargetGenerator.refuse(n, "only 2-D convolutions (rank-4 input) are emitted, got rank " + x.shape().length);
        JavaTargetGenerator.Buffer y = gen.output(n);
        boolean wide = op.accumulator() == DType.I64;
        String bias = bias(gen, index, n, wide);
        int[] xs = x.shape(), ys = y.shape();
        int[] k = JavaTargetGenerator.shapeOf(n, n.input(1));
        int batch = xs[0], c = xs[1], ih = xs[2], iw = xs[3], oc = ys[1], oh = ys[2], ow = ys[3], kh = k[2], kw = k[3];
        int group = op.group(), cg = c / group, mg = oc / group;
        int sh = op.strides().get(0), sw = op.strides().get(1), dh = op.dilations().get(0), dw = op.dilations().get(1);
        int pt = op.pads().get(0), pl = op.pads().get(1);
        int planeIn = c * ih * iw, planeOut = oh * ow;
        boolean pointwise = kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && ih == oh && iw == ow;
        if (cg >= PATCH_MIN_CHANNELS && !(pointwise && planeOut >= PLANE_MIN_PIXELS)) {
            patchConv(gen, index, n, op, x, y, k, wide, bias);
            return;
        }
        String w = weights(gen, index, n, false, ParameterFile.Kind.BYTES);
        gen.scratchInts = Math.max(gen.scratchInts, planeIn);
        if (wide) gen.scratchLongs = Math.max(gen.scratchLongs, planeOut);
        else gen.accumulatorInts = Math.max(gen.accumulatorInts, planeOut);
        Requant rq = Requant.of(gen, index, op.multiplier(), op.shift(), op.rounding());
        CodeBlock.Builder b = CodeBlock.builder();
        b.addStatement("final int[] x = $L, y = $L, xs = scratch", x.field(), y.field());
        b.addStatement(wide ? "final long[] acc = wide" : "final int[] acc = accumulators");
        b.beginControlFlow("for (int n = 0; n < $L; n++)", batch);
        b.addStatement("for (int i = 0; i < $L; i++) xs[i] = x[n * $L + i] - ($L)", planeIn, planeIn, op.inputZp());
        b.beginControlFlow("for (int oc = 0; oc < $L; oc++)", oc);
        b.addStatement("final int g = oc / $L", mg);
        String zero = bias == null ? "0" : bias + "[oc]";
        if (wide) b.addStatement("java.util.Arrays.fill(acc, 0, $L, $L)", planeOut, zero);
        else b.addStatement("java.util.Arrays.fill(acc, 0, $L, $L)", planeOut, zero);
        if (pointwise) { // whole planes
            b.beginControlFlow("for (int ic = 0; ic < $L; ic++)", cg);
            b.addStatement("final int wv = $L[oc * $L + ic]", w, cg);
            b.addStatement("if (wv == 0) continue");
            b.addStatement("final int xb = (g * $L + ic) * $L", cg, planeOut);
            b.addStatement("for (int p = 0; p < $L; p++) acc[p] += wv * xs[xb + p]", planeOut);
            b.endControlFlow();
        } else {
            b.beginControlFlow("for (int ic = 0; ic < $L; ic++)", cg);
            b.addStatement("final int xb = (g * $L + ic) * $L, wb = (oc * $L + ic) * $L", cg, ih * iw, cg, kh * kw);
            b.beginControlFlow("for (int kh = 0; kh < $L; kh++)", kh);
            b.addStatement("final int ohLo = Math.max(0, Math.floorDiv($L - kh * $L + $L, $L))", pt, dh, sh - 1, sh);
            b.addStatement("final int ohHi = Math.min($L, Math.floorDiv($L - kh * $L, $L) + 1)", oh, ih - 1 + pt, dh, sh);
            b.beginControlFlow("for (int kw = 0; kw < $L; kw++)", kw);
            b.addStatement("final int wv = $L[wb + kh * $L + kw]", w, kw);
            b.addStatement("if (wv == 0) continue");
            b.addStatement("final int owLo = Math.max(0, Math.floorDiv($L - kw * $L + $L, $L))", pl, dw, sw - 1, sw);
            b.addStatement("final int owHi = Math.min($L, Math.floorDiv($L - kw * $L, $L) + 1)", ow, iw - 1 + pl, dw, sw);
            b.beginControlFlow("for (int oh = ohLo; oh < ohHi; oh++)");
            b.addStatement("final int xo = xb + (oh * $L - $L + kh * $L) * $L - $L + kw * $L, ao = oh * $L", sh, pt, dh, iw, pl, dw, ow);
            String xIndex = sw == 1 ? "xo + ow" : "xo + ow * " + sw;
            b.addStatement("for (int ow = owLo; ow < owHi; ow++) acc[ao + ow] += wv * xs[$L]", xIndex);
            b.endControlFlow().endControlFlow().endControlFlow().endControlFlow();
        }
        b.add(rq.load("oc"));
        b.addStatement("final int yb = (n * $L + oc) * $L", oc, planeOut);
        b.addStatement("for (int p = 0; p < $L; p++) y[yb + p] = Fixed.clamp($L + ($L), $L, $L)", planeOut,
                rq.call("acc[p]"), op.outputZp(), op.actMin(), op.actMax());
        b.endControlFlow().endControlFlow();
        gen.layer(index, n, b.build());
    }

    static void gemm(JavaTargetGenerator gen, int index, Node n, QGemm op) {
        JavaTargetGenerator.Buffer x = gen.buffer(n, 0);
        JavaTargetGenerator.Buffer y = gen.output(n);
        boolean wide = op.accumulator() == DType.I64;
        String w = weights(gen, index, n, false, ParameterFile.Kind.WIDE_BYTES);
        String bias = bias(gen, index, n, wide);
        int rows = x.shape()[0], k = x.shape()[1], m = y.shape()[1];
        gen.scratchInts = Math.max(gen.scratchInts, k);
        Requant rq = Requant.of(gen, index, op.multiplier(), op.shift(), op.rounding());
        CodeBlock.Builder b = CodeBlock.builder();
        b.addStatement("final int[] x = $L, y = $L, xs = scratch", x.field(), y.field());
        b.beginControlFlow("for (int n = 0; n < $L; n++)", rows);
        b.addStatement("for (int i = 0; i < $L; i++) xs[i] = x[n * $L + i] - ($L)", k, k, op.inputZp());
        b.beginControlFlow("for (int m = 0; m < $L; m++)", m);
        String accType = wide ? "long" : "int";
        b.addStatement("$L acc = $L", accType, bias == null ? "0" : bias + "[m]");
        b.addStatement("final int wb = m * $L", k);
        b.addStatement("for (int i = 0; i < $L; i++) acc += $L[wb + i] * xs[i]", k, w);
        b.add(rq.load("m"));
        b.addStatement("y[n * $L + m] = Fixed.clamp($L + ($L), $L, $L)", m, rq.call("acc"), op.outputZp(), op.actMin(), op.actMax());
        b.endControlFlow().endControlFlow();
        gen.layer(index, n, b.build());
    }

    /**
     * A convolution whose groups have at least {@link #PATCH_MIN_CHANNELS} input channels, as dot products over
     * patches: the sample's input offset by its zero point into a zero-bordered channels-last buffer (the border is
     * the zero point, which is what the padding means), the filters stored [oc][kh][kw][ic], then for each output
     * channel and pixel one sum per filter row whose operands are contiguous (the whole kw x ic row when there is one
     * group and no dilation). Long contiguous int loops are what the JIT vectorizes; per-plane accumulation on small
     * maps spends its time in loop overhead.
     */
    private static void patchConv(JavaTargetGenerator gen, int index, Node n, QConv op, JavaTargetGenerator.Buffer x,
                                  JavaTargetGenerator.Buffer y, int[] k, boolean wide, String bias) {
        int[] xs = x.shape(), ys = y.shape();
        int batch = xs[0], c = xs[1], ih = xs[2], iw = xs[3], oc = ys[1], oh = ys[2], ow = ys[3], kh = k[2], kw = k[3];
        int group = op.group(), cg = c / group, mg = oc / group;
        int sh = op.strides().get(0), sw = op.strides().get(1), dh = op.dilations().get(0), dw = op.dilations().get(1);
        int pt = op.pads().get(0), pl = op.pads().get(1);
        // padded extents: every tap any output reads, and the whole input
        int ph = Math.max(ih + pt, (oh - 1) * sh + (kh - 1) * dh + 1), pw = Math.max(iw + pl, (ow - 1) * sw + (kw - 1) * dw + 1);
        int planeIn = c * ih * iw, planeOut = oh * ow, padded = ph * pw * c;
        gen.scratchInts = Math.max(gen.scratchInts, padded);
        String w = weights(gen, index, n, true, ParameterFile.Kind.WIDE_BYTES);
        Requant rq = Requant.of(gen, index, op.multiplier(), op.shift(), op.rounding());
        boolean rowRuns = group == 1 && dw == 1;
        CodeBlock.Builder b = CodeBlock.builder();
        b.addStatement("final int[] x = $L, y = $L, xs = scratch", x.field(), y.field());
        b.beginControlFlow("for (int n = 0; n < $L; n++)", batch);
        b.addStatement("java.util.Arrays.fill(xs, 0, $L, 0)", padded);
        b.beginControlFlow("for (int ic = 0; ic < $L; ic++)", c);
        b.beginControlFlow("for (int h = 0; h < $L; h++)", ih);
        b.addStatement("final int src = n * $L + (ic * $L + h) * $L, dst = ((h + $L) * $L + $L) * $L + ic", planeIn, ih, iw, pt, pw, pl, c);
        b.addStatement("for (int w = 0; w < $L; w++) xs[dst + w * $L] = x[src + w] - ($L)", iw, c, op.inputZp());
        b.endControlFlow().endControlFlow();
        b.beginControlFlow("for (int oc = 0; oc < $L; oc++)", oc);
        b.addStatement("final int wb = oc * $L, xg = (oc / $L) * $L, yb = (n * $L + oc) * $L", kh * kw * cg, mg, cg, oc, planeOut);
        b.add(rq.load("oc"));
        String zero = bias == null ? "0" : bias + "[oc]";
        b.beginControlFlow("for (int oh = 0; oh < $L; oh++)", oh);
        b.beginControlFlow("for (int ow = 0; ow < $L; ow++)", ow);
        b.addStatement("$L acc = $L", wide ? "long" : "int", zero);
        b.addStatement("final int base = (oh * $L * $L + ow * $L) * $L + xg", sh, pw, sw, c);
        b.beginControlFlow("for (int kh = 0; kh < $L; kh++)", kh);
        b.addStatement("final int xr = base + kh * $L, wr = wb + kh * $L", dh * pw * c, kw * cg);
        if (rowRuns) {
            b.addStatement("for (int i = 0; i < $L; i++) acc += $L[wr + i] * xs[xr + i]", kw * cg, w);
        } else {
            b.beginControlFlow("for (int kw = 0; kw < $L; kw++)", kw);
            b.addStatement("final int xk = xr + kw * $L, wk = wr + kw * $L", dw * c, cg);
            b.addStatement("for (int i = 0; i < $L; i++) acc += $L[wk + i] * xs[xk + i]", cg, w);
            b.endControlFlow();
        }
        b.endControlFlow();
        b.addStatement("y[yb + oh * $L + ow] = Fixed.clamp($L + ($L), $L, $L)", ow, rq.call("acc"), op.outputZp(), op.actMin(), op.actMax());
        b.endControlFlow().endControlFlow().endControlFlow().endControlFlow();
        gen.layer(index, n, b.build());
    }

    /** Groups with at least this many input channels are computed as patch dot products ({@link #patchConv}). */
    static final int PATCH_MIN_CHANNELS = 4;
    /** Pointwise convolutions on planes of at least this many pixels stay whole-plane multiply-adds. */
    static final int PLANE_MIN_PIXELS = 256;

    /**
     * Constant int8 weights (input 1) from the resource, as a byte array or (WIDE_BYTES) an int array for loops whose
     * other operand is int: as the IR holds them ([oc][ic][kh][kw]), or with {@code channelsLast} as [oc][kh][kw][ic],
     * the order {@link #patchConv} reads them in.
     */
    private static String weights(JavaTargetGenerator gen, int index, Node n, boolean channelsLast, ParameterFile.Kind kind) {
        Graph g = gen.graph;
        if (!g.isConstant(n.input(1))) throw JavaTargetGenerator.refuse(n, "weights " + n.input(1).name() + " are not a constant");
        long[] v = g.constantData(n.input(1)).toLongs();
        String doc = "weights of " + n.name() + ": " + n.input(1).type();
        if (channelsLast) {
            int[] s = JavaTargetGenerator.shapeOf(n, n.input(1));
            int o = s[0], ic = s[1], taps = s[2] * s[3];
            long[] r = new long[v.length];
            for (int a = 0; a < o; a++)
                for (int i = 0; i < ic; i++)
                    for (int t = 0; t < taps; t++) r[(a * taps + t) * ic + i] = v[(a * ic + i) * taps + t];
            v = r;
            doc += ", stored [out][kh][kw][in]";
        }
        return gen.parameterField("W" + index, kind, v, null, doc);
    }

    /** The constant bias (input 2) as int or long array, or null without one. */
    private static String bias(JavaTargetGenerator gen, int index, Node n, boolean wide) {
        if (n.inputs().size() < 3) return null;
        Graph g = gen.graph;
        if (!g.isConstant(n.input(2))) throw JavaTargetGenerator.refuse(n, "bias " + n.input(2).name() + " is not a constant");
        return gen.parameterField("B" + index, wide ? ParameterFile.Kind.LONGS : ParameterFile.Kind.INTS,
                g.constantData(n.input(2)).toLongs(), null, "bias of " + n.name() + ": " + n.input(2).type());
    }

    /** Multipliers and shifts: literals when per tensor, resource arrays indexed by channel when per channel. */
    record Requant(String multiplier, String shift, boolean perChannel, String function) {
        static Requant of(JavaTargetGenerator gen, int index, List<Integer> m, List<Integer> s, nncc.ir.Rounding rounding) {
            String f = EmittedArithmetic.requantize(rounding);
            if (m.size() == 1) return new Requant(String.valueOf(m.get(0)), String.valueOf(s.get(0)), false, f);
            return new Requant(declare(gen, "M" + index, m, "multipliers"), declare(gen, "S" + index, s, "shifts"), true, f);
        }

        private static String declare(JavaTargetGenerator gen, String field, List<Integer> v, String what) {
            long[] a = new long[v.size()];
            for (int i = 0; i < a.length; i++) a[i] = v.get(i);
            return gen.parameterField(field, ParameterFile.Kind.INTS, a, null, what + " per output channel");
        }

        CodeBlock load(String channel) {
            return perChannel ? CodeBlock.builder().addStatement("final int mult = $L[$L], shift = $L[$L]", multiplier, channel, shift, channel).build()
                    : CodeBlock.builder().addStatement("final int mult = $L, shift = $L", multiplier, shift).build();
        }

        String call(String acc) { return function + "(" + acc + ", mult, shift)"; }
    }
}
