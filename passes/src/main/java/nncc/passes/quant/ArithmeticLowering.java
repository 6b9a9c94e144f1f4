package nncc.passes.quant;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Value;
import nncc.ir.op.Add;
import nncc.ir.op.AveragePool;
import nncc.ir.op.Mul;
import nncc.ir.op.QAdd;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QMean;
import nncc.ir.op.QMul;
import nncc.ir.op.ReduceMean;

/**
 * Lowering rules of the elementwise and reducing arithmetic: Add to QAdd, Mul to QMul, GlobalAveragePool and
 * ReduceMean to QMean, AveragePool (padding not counted) to QAveragePool. The multipliers follow TFLite's
 * Prepare functions; a rule returns null when it lowered the node, else why it could not.
 */
final class ArithmeticLowering {
    private ArithmeticLowering() {}

    /**
     * TFLite ADD: {@code leftShift} 20 (15 for i16), {@code twiceMax = 2 max(sA, sB)}, input multipliers
     * {@code sA / twiceMax} and {@code sB / twiceMax}, output multiplier {@code twiceMax / (2^leftShift s_y)}.
     */
    static String add(LoweringContext ctx, Node n, Add op) {
        QuantParams outPlan = ctx.outputPlan(n, n.output());
        Value a = ctx.asInteger(n.input(0), n), b = ctx.asInteger(n.input(1), n);
        float sa = a.type().quant().scale(0), sb = b.type().quant().scale(0), sy = outPlan.scale(0);
        int leftShift = ctx.activation() == DType.I16 ? 15 : 20;
        double twiceMax = 2.0 * Math.max(sa, sb);
        FixedPoint.Multiplier ma = QuantNumbers.multiplier(sa / twiceMax, ctx.rounding(), n, "input A");
        FixedPoint.Multiplier mb = QuantNumbers.multiplier(sb / twiceMax, ctx.rounding(), n, "input B");
        FixedPoint.Multiplier my = QuantNumbers.multiplier(twiceMax / ((double) (1 << leftShift) * sy), ctx.rounding(), n, "output");
        int[] clamp = QuantNumbers.clampBounds(op.activation(), sy, outPlan.zeroPoint(0), ctx.activation());
        QAdd q = new QAdd(a.type().quant().zeroPoint(0), b.type().quant().zeroPoint(0), leftShift, ma.multiplier(),
                ma.shift(), mb.multiplier(), mb.shift(), my.multiplier(), my.shift(), outPlan.zeroPoint(0), sy,
                ctx.activation(), clamp[0], clamp[1], ctx.rounding(), op.activation().ifClamping(clamp, ctx.activation()));
        ctx.emitLowered(n, q, List.of(a, b), outPlan);
        return null;
    }

    /** TFLite MUL: one multiplier {@code sA sB / s_y}. */
    static String mul(LoweringContext ctx, Node n, Mul op) {
        QuantParams outPlan = ctx.outputPlan(n, n.output());
        Value a = ctx.asInteger(n.input(0), n), b = ctx.asInteger(n.input(1), n);
        float sa = a.type().quant().scale(0), sb = b.type().quant().scale(0), sy = outPlan.scale(0);
        FixedPoint.Multiplier m = QuantNumbers.multiplier((double) sa * (double) sb / (double) sy, ctx.rounding(), n, "output");
        int[] clamp = QuantNumbers.clampBounds(op.activation(), sy, outPlan.zeroPoint(0), ctx.activation());
        QMul q = new QMul(a.type().quant().zeroPoint(0), b.type().quant().zeroPoint(0), m.multiplier(), m.shift(),
                outPlan.zeroPoint(0), sy, ctx.activation(), clamp[0], clamp[1], ctx.rounding(), op.activation().ifClamping(clamp, ctx.activation()));
        ctx.emitLowered(n, q, List.of(a, b), outPlan);
        return null;
    }

    /** GlobalAveragePool as QMean over the spatial axes, keeping them. */
    static String globalAveragePool(LoweringContext ctx, Node n) {
        int rank = n.input(0).type().rank();
        List<Integer> axes = new ArrayList<>();
        for (int i = 2; i < rank; i++) axes.add(i);
        return mean(ctx, n, axes, true);
    }

    static String reduceMean(LoweringContext ctx, Node n, ReduceMean op) {
        return mean(ctx, n, op.reducedAxes(n.input(0).type().rank()), op.keepDims());
    }

    /** QMean with multiplier {@code s_x / (s_y n)}, n the number of reduced elements. */
    private static String mean(LoweringContext ctx, Node n, List<Integer> axes, boolean keepDims) {
        Shape s = n.input(0).type().shape();
        long count = 1;
        for (int a : axes) {
            if (s.isSymbolic(a)) return "reduced dim " + a + " of " + s + " is symbolic";
            count *= s.dim(a);
        }
        if (count == 0) return "no elements to average";
        QuantParams outPlan = ctx.outputPlan(n, n.output());
        Value x = ctx.asInteger(n.input(0), n);
        QuantParams xp = x.type().quant();
        FixedPoint.Multiplier m = QuantNumbers.multiplier((double) xp.scale(0) / ((double) outPlan.scale(0) * count),
                ctx.rounding(), n, "mean");
        QMean q = new QMean(axes, keepDims, xp.zeroPoint(0), m.multiplier(), m.shift(), outPlan.zeroPoint(0),
                outPlan.scale(0), ctx.activation(), ctx.rounding());
        ctx.emitLowered(n, q, List.of(x), outPlan);
        return null;
    }

    /** QAveragePool: output shares the input's params (fold-scales made the plans equal). */
    static String averagePool(LoweringContext ctx, Node n, AveragePool op) {
        if (op.countIncludePad() && op.pads().stream().anyMatch(p -> p != 0))
            return "the divisor counts padding (count_include_pad)";
        Value x = ctx.asInteger(n.input(0), n);
        DType t = ctx.activation();
        QAveragePool q = new QAveragePool(op.kernel(), op.strides(), op.pads(), op.ceilMode(), (int) t.minValue(),
                (int) t.maxValue());
        MovementLowering.emitInferred(ctx, n, q, List.of(x));
        return null;
    }
}
