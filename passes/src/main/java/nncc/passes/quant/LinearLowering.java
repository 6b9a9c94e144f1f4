package nncc.passes.quant;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.FixedPoint;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.Conv;
import nncc.ir.op.Gemm;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;

/**
 * Lowering rules of the layers with weights: Conv to QConv, Gemm and MatMul to QGemm. Each rule returns null
 * when it lowered the node, or the reason it cannot (the node then stays in float). Weights become symmetric
 * i8 per output channel (or per tensor), the bias i32 (i64 for i16 activations) with scale
 * {@code s_x * s_w[c]}, and each channel's multiplier is {@code quantizeMultiplier(s_x * s_w[c] / s_y)} with the
 * product and ratio taken in double from the float32 scales, as TFLite does.
 */
final class LinearLowering {
    private LinearLowering() {}

    static String conv(LoweringContext ctx, Node n, Conv op) {
        Value x = n.input(0), w = n.input(1);
        if (x.type().rank() != 4) return "only 2-D convolutions have an integer rule (input " + x.type() + ")";
        Tensor wData = ctx.graph.constantData(w);
        if (wData == null) return "weights %" + w.name() + " are not constant";
        Tensor bData = n.inputs().size() > 2 ? ctx.graph.constantData(n.input(2)) : null;
        if (n.inputs().size() > 2 && bData == null) return "bias %" + n.input(2).name() + " is not constant";
        Value out = n.output();
        QuantParams outPlan = ctx.outputPlan(n, out);
        Value xi = ctx.asInteger(x, n);
        Layer layer = quantizeLayer(ctx, n, xi, w, wData, n.inputs().size() > 2 ? n.input(2) : null, bData, outPlan, op.activation());
        QConv q = new QConv(op.strides(), op.pads(), op.dilations(), op.group(), xi.type().quant().zeroPoint(0),
                layer.multipliers, layer.shifts, outPlan.zeroPoint(0), outPlan.scale(0), ctx.activation(),
                layer.clamp[0], layer.clamp[1], ctx.linearRounding(), ctx.accumulator(), ctx.options.weightBits(),
                op.activation().ifClamping(layer.clamp, ctx.activation()));
        ctx.emitLowered(n, q, layer.inputs, outPlan);
        return null;
    }

    static String gemm(LoweringContext ctx, Node n, Gemm op) {
        if (op.alpha() != 1f || op.beta() != 1f) return "alpha " + op.alpha() + " and beta " + op.beta() + " are not both 1";
        if (op.transA()) return "transA is set";
        Value x = n.input(0), b = n.input(1);
        Tensor bData = ctx.graph.constantData(b);
        if (bData == null || bData.shape().rank() != 2) return "B %" + b.name() + " is not a constant matrix";
        if (x.type().rank() != 2) return "A is not 2-D";
        Tensor wData = op.transB() ? bData : WeightQuantizer.transpose2d(bData);
        long m = wData.shape().dim(0);
        Tensor cData = null;
        if (n.inputs().size() > 2) {
            Tensor c = ctx.graph.constantData(n.input(2));
            if (c == null || c.shape().rank() != 1 || (c.shape().dim(0) != m && c.shape().dim(0) != 1))
                return "C %" + n.input(2).name() + " is not a constant vector of " + m + " values";
            cData = c.shape().dim(0) == m ? c : broadcast(c, m);
        }
        return lowerToQGemm(ctx, n, x, b, wData, n.inputs().size() > 2 ? n.input(2) : null, cData, op.activation());
    }

    static String matMul(LoweringContext ctx, Node n) {
        Value x = n.input(0), b = n.input(1);
        Tensor bData = ctx.graph.constantData(b);
        if (bData == null || bData.shape().rank() != 2) return "B %" + b.name() + " is not a constant matrix";
        if (x.type().rank() != 2) return "A is not 2-D";
        return lowerToQGemm(ctx, n, x, b, WeightQuantizer.transpose2d(bData), null, null, Activation.NONE);
    }

    private static String lowerToQGemm(LoweringContext ctx, Node n, Value x, Value b, Tensor wData, Value c, Tensor cData, Activation act) {
        Value out = n.output();
        QuantParams outPlan = ctx.outputPlan(n, out);
        Value xi = ctx.asInteger(x, n);
        Layer layer = quantizeLayer(ctx, n, xi, b, wData, c, cData, outPlan, act);
        QGemm q = new QGemm(xi.type().quant().zeroPoint(0), layer.multipliers, layer.shifts, outPlan.zeroPoint(0),
                outPlan.scale(0), ctx.activation(), layer.clamp[0], layer.clamp[1], ctx.linearRounding(), ctx.accumulator(),
                ctx.options.weightBits(), act.ifClamping(layer.clamp, ctx.activation()));
        ctx.emitLowered(n, q, layer.inputs, outPlan);
        return null;
    }

    /** The quantized inputs, per-channel multipliers and clamp bounds of one layer. */
    private record Layer(List<Value> inputs, List<Integer> multipliers, List<Integer> shifts, int[] clamp) {}

    /**
     * Quantizes weights {@code wData} (dim 0 = output channels, already transposed where the layer needs it) as
     * the integer form of constant {@code w}, and the bias, and computes the multipliers for input {@code xi}.
     */
    private static Layer quantizeLayer(LoweringContext ctx, Node n, Value xi, Value w, Tensor wData, Value bias,
                                       Tensor bData, QuantParams outPlan, Activation act) {
        LowerToIntegerPass.Options o = ctx.options;
        QuantParams plan = w.type().quant();
        // weights quantized by quantize-weights (and possibly re-rounded by bias correction) keep their codes
        WeightQuantizer.Weights wq = plan != null ? ctx.weightsFromPlan(w, wData, plan)
                : WeightQuantizer.symmetric(wData, o.weightBits(), !o.perTensor());
        Value wv = ctx.constant(w, wq.data(), wq.params());
        ctx.stats.inc("weights quantized");
        float sx = xi.type().quant().scale(0), sy = outPlan.scale(0);
        List<Value> inputs = new ArrayList<>(List.of(xi, wv));
        if (bData != null) {
            WeightQuantizer.Bias bq = WeightQuantizer.bias(bData, sx, wq, ctx.accumulator());
            inputs.add(ctx.constant(bias, bq.data(), bq.params()));
        }
        int channels = wq.params().count();
        List<Integer> mult = new ArrayList<>(), shift = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            FixedPoint.Multiplier m = QuantNumbers.multiplier((double) sx * (double) wq.scale(c) / (double) sy,
                    ctx.linearRounding(), n, "output channel " + c);
            mult.add(m.multiplier());
            shift.add(m.shift());
        }
        int[] clamp = QuantNumbers.clampBounds(act, sy, outPlan.zeroPoint(0), ctx.activation());
        return new Layer(inputs, mult, shift, clamp);
    }

    private static Tensor broadcast(Tensor c, long m) {
        float[] v = new float[Math.toIntExact(m)];
        java.util.Arrays.fill(v, c.toFloats()[0]);
        return Tensor.ofFloats(Shape.of(m), v);
    }
}
