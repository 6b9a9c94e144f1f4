package nncc.tests.zoo;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import nncc.ir.FixedPoint;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.op.QConv;

/**
 * For {@link QdqDivergence}: recomputes the int32 accumulator of chosen output elements of a 2-D QConv from nncc's
 * own (traced) input, then applies three requantization rules to it and says which one ONNX Runtime's value and
 * nncc's value follow: nncc's (the IR's multiplier and shift), the exact real product rounded half to even, and
 * MLAS's ({@code float(acc) * float(x_scale * w_scale / y_scale)} in float32, clamped, rounded half to even, plus the
 * zero point).
 */
final class ConvRequantization {
    private ConvRequantization() {}

    static int explain(Graph g, Node n, Map<String, Tensor> traced, List<Integer> where, long[] ort, long ortShift) {
        QConv op = (QConv) n.op();
        Tensor x = traced.get(n.input(0).name());
        if (x == null) x = g.constantData(n.input(0));
        if (x == null) {
            System.out.println("QConv " + n.name() + ": input not available; no element analysis");
            return 0;
        }
        Tensor w = g.constantData(n.input(1));
        Tensor bias = n.inputs().size() > 2 ? g.constantData(n.input(2)) : null;
        long[] xs = x.toLongs(), ws = w.toLongs(), bs = bias == null ? null : bias.toLongs();
        long[] xd = x.shape().dims(), wd = w.shape().dims(), yd = n.output().type().shape().dims();
        if (xd.length != 4) {
            System.out.println("first differing QConv " + n.name() + " is not 2-D; no element analysis");
            return 0;
        }
        float sx = n.input(0).type().quant().scale(0), sy = n.output().type().quant().scale(0);
        int cin = (int) xd[1], h = (int) xd[2], wi = (int) xd[3], oh = (int) yd[2], ow = (int) yd[3];
        int cPerGroup = (int) wd[1], kh = (int) wd[2], kw = (int) wd[3], outPerGroup = (int) (yd[1] / op.group());
        int mlasMatches = 0, exactMatches = 0, nnccMatches = 0, shown = 0;
        System.out.printf("%ndiffering QConv: %s (%d differing elements); per element: acc, exact real acc*s, "
                + "ORT, nncc, MLAS rule, exact half-even rule%n", n.name(), where.size());
        for (int i : where) {
            int c = (int) (i / ((long) oh * ow)) % (int) yd[1], y0 = i / ow % oh, x0 = i % ow;
            int sample = (int) (i / (yd[1] * oh * ow)), base = sample * cin * h * wi;
            long acc = bs == null ? 0 : bs[c];
            int g0 = c / outPerGroup;
            for (int ic = 0; ic < cPerGroup; ic++)
                for (int a = 0; a < kh; a++)
                    for (int b = 0; b < kw; b++) {
                        int iy = y0 * op.strides().get(0) - op.pads().get(0) + a * op.dilations().get(0);
                        int ix = x0 * op.strides().get(1) - op.pads().get(1) + b * op.dilations().get(1);
                        if (iy < 0 || iy >= h || ix < 0 || ix >= wi) continue;
                        long xv = xs[base + ((g0 * cPerGroup + ic) * h + iy) * wi + ix];
                        acc += (xv - op.inputZp()) * ws[((c * cPerGroup + ic) * kh + a) * kw + b];
                    }
            float sw = wScale(n, c);
            double exact = acc * ((double) sx * sw / sy);
            float scale = sx * sw / sy; // float32, evaluated left to right as in ORT's QLinearConv
            float f = Math.min(Math.max((float) acc * scale, op.actMin() - op.outputZp()), op.actMax() - op.outputZp());
            long mlas = (long) Math.rint(f) + op.outputZp();
            long exactEven = Math.clamp((long) Math.rint(exact) + op.outputZp(), op.actMin(), op.actMax());
            long nncc = Math.clamp(FixedPoint.multiplyByQuantizedMultiplier(Math.toIntExact(acc), op.multiplier().get(op.multiplier().size() == 1 ? 0 : c),
                    op.shift().get(op.shift().size() == 1 ? 0 : c), op.rounding()) + op.outputZp(), op.actMin(), op.actMax());
            long theirs = ort[i] - ortShift;
            if (mlas == theirs) mlasMatches++;
            if (exactEven == theirs) exactMatches++;
            if (nncc == theirs) nnccMatches++;
            if (shown++ < 12)
                System.out.printf(Locale.ROOT, "  [c=%d,y=%d,x=%d] acc=%d exact=%.9f ORT=%d nncc=%d mlas=%d exact-even=%d%n", c, y0, x0, acc,
                        exact, theirs, nncc, mlas, exactEven);
        }
        System.out.printf("ORT's value equals: the MLAS float rule in %d of %d, the exact half-even rule in %d, nncc's rule in %d%n",
                mlasMatches, where.size(), exactMatches, nnccMatches);
        return mlasMatches;
    }

    private static float wScale(Node n, int c) {
        var q = n.input(1).type().quant();
        return q.isPerAxis() ? q.scale(c) : q.scale(0);
    }

    /**
     * For a QAdd whose inputs agree with ORT's (same shapes, no broadcasting): per differing element, the exact real
     * sum rounded half to even, and MLAS's QLinearAdd rule on ORT's uint8 values (zero points + 128): float32
     * {@code rA = sA / sC}, {@code rB = sB / sC}, {@code c = zC - (rA * zA + rB * zB)}, {@code y = rint(rA * a + rB * b + c)}.
     */
    static int explainAdd(Node n, Map<String, Tensor> traced, List<Integer> where, long[] ort, long ortShift) {
        Tensor a = traced.get(n.input(0).name()), b = traced.get(n.input(1).name());
        if (a == null || b == null || !a.shape().equals(b.shape())) {
            System.out.println("first differing QAdd " + n.name() + " reads a constant or broadcasts; no element analysis");
            return 0;
        }
        var qa = n.input(0).type().quant();
        var qb = n.input(1).type().quant();
        var qc = n.output().type().quant();
        float sa = qa.scale(0), sb = qb.scale(0), sc = qc.scale(0);
        long za = qa.zeroPoint(0) + ortShift, zb = qb.zeroPoint(0) + ortShift, zc = qc.zeroPoint(0) + ortShift;
        float ra = sa / sc, rb = sb / sc, fixed = (float) zc - (ra * za + rb * zb);
        long[] av = a.toLongs(), bv = b.toLongs(), ours = traced.get(n.output().name()).toLongs();
        int exactMatches = 0, mlasMatches = 0, shown = 0;
        int[] variantMatches = new int[4];
        System.out.printf("%ndiffering QAdd: %s (%d differing elements): a, b, exact real sum / sC + zC, ORT, nncc, MLAS rule, "
                + "exact half-even rule (uint8 domain)%n", n.name(), where.size());
        for (int i : where) {
            long ua = av[i] + ortShift, ub = bv[i] + ortShift;
            double exact = ((double) sa * (ua - za) + (double) sb * (ub - zb)) / sc + zc;
            long exactEven = Math.clamp((long) Math.rint(exact), 0, 255);
            long mlas = Math.clamp((long) Math.rint(ra * ua + rb * ub + fixed), 0, 255);
            float[] variants = {ra * ua + (rb * ub + fixed), Math.fma(ra, (float) ua, Math.fma(rb, (float) ub, fixed)),
                    Math.fma(rb, (float) ub, Math.fma(ra, (float) ua, fixed)), Math.fma(ra, (float) ua, rb * ub) + fixed};
            for (int k = 0; k < variants.length; k++) if (Math.clamp((long) Math.rint(variants[k]), 0, 255) == ort[i]) variantMatches[k]++;
            if (mlas == ort[i]) mlasMatches++;
            if (exactEven == ort[i]) exactMatches++;
            if (shown++ < 12)
                System.out.printf(Locale.ROOT, "  [%d] a=%d b=%d exact=%.9f ORT=%d nncc=%d mlas=%d exact-even=%d%n", i, ua, ub, exact,
                        ort[i], ours[i] + ortShift, mlas, exactEven);
        }
        System.out.printf("ORT's value equals: the MLAS float rule in %d of %d, the exact half-even rule in %d; "
                + "a*rA + (b*rB + c): %d, fma(rA, a, fma(rB, b, c)): %d, fma(rB, b, fma(rA, a, c)): %d, fma(rA, a, rB*b) + c: %d%n",
                mlasMatches, where.size(), exactMatches, variantMatches[0], variantMatches[1], variantMatches[2], variantMatches[3]);
        return mlasMatches;
    }

    /**
     * For a 2-D QAveragePool without padding: how many differing elements are exact ties ({@code sum / count} ends
     * in .5) and how many of those ORT rounds half to even (nncc's QAveragePool rounds them away from zero).
     */
    static int explainAveragePool(Node n, Tensor x, List<Integer> where, long[] ort) {
        nncc.ir.op.QAveragePool op = (nncc.ir.op.QAveragePool) n.op();
        long[] xd = x.shape().dims(), yd = n.output().type().shape().dims();
        if (xd.length != 4 || op.pads().stream().anyMatch(p -> p != 0)) return 0;
        long[] xs = x.toLongs();
        int kh = op.kernel().get(0), kw = op.kernel().get(1), sh = op.strides().get(0), sw = op.strides().get(1);
        int h = (int) xd[2], w = (int) xd[3], oh = (int) yd[2], ow = (int) yd[3];
        int ties = 0, even = 0;
        for (int i : where) {
            int plane = i / (oh * ow), y0 = i / ow % oh, x0 = i % ow;
            long sum = 0;
            for (int a = 0; a < kh; a++)
                for (int b = 0; b < kw; b++) sum += xs[(plane * h + y0 * sh + a) * w + x0 * sw + b];
            int count = kh * kw;
            if (Math.floorMod(2 * sum, count) == 0 && Math.floorMod(sum, count) != 0) {
                ties++;
                if (ort[i] == (long) Math.rint((double) sum / count)) even++;
            }
        }
        System.out.printf("QAveragePool %s: %d differing elements, %d of them exact ties, ORT rounds %d of those half to even%n",
                n.name(), where.size(), ties, even);
        return 0;
    }
}
