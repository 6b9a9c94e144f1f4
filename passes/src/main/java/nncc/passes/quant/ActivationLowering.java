package nncc.passes.quant;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import nncc.ir.DType;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.LutFunction;
import nncc.ir.op.QLut;
import nncc.ir.op.QSoftmax;
import nncc.ir.op.Softmax;
import nncc.ir.FixedPointMath;

/**
 * Lowering of activations. Those not fused into their producer (Relu, Clip, LeakyRelu, Sigmoid, Tanh,
 * HardSigmoid, HardSwish) become a {@link QLut}: the table holds, for every input code q, the float function of
 * {@code s_x (q - zp_x)} quantized with the output params (round half away from zero, saturated); 256 entries
 * for i8, 65536 for i16. An i8 Softmax becomes a {@link QSoftmax} with TFLite's PreprocessSoftmaxScaling numbers
 * (beta 1) and the fixed output params 1/256, -128.
 */
final class ActivationLowering {
    private ActivationLowering() {}

    static String lut(LoweringContext ctx, Node n, LutFunction fn, float alpha, float beta) {
        QuantParams outPlan = ctx.outputPlan(n, n.output());
        Value x = ctx.asInteger(n.input(0), n);
        QuantParams xp = x.type().quant();
        DType in = x.type().dtype(), out = ctx.activation();
        Tensor table = table(function(fn, alpha, beta), xp, in, outPlan, out);
        Value t = ctx.newConstant(n.name() + ".table", table, null);
        QLut q = new QLut(fn, alpha, beta, out, outPlan.scale(0), outPlan.zeroPoint(0));
        ctx.emitLowered(n, q, List.of(x, t), outPlan);
        return null;
    }

    /** i8 Softmax to QSoftmax; i16 softmax has no integer rule (stays float). */
    static String softmax(LoweringContext ctx, Node n, Softmax op) {
        if (ctx.activation() != DType.I8) return "no integer softmax for " + ctx.activation().text() + " activations";
        Value x = ctx.asInteger(n.input(0), n);
        FixedPointMath.SoftmaxScaling s;
        try {
            s = FixedPointMath.softmaxScaling(1.0, x.type().quant().scale(0));
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        QuantParams out = QSoftmax.fixedOutputParams(DType.I8, DType.I8);
        QSoftmax q = new QSoftmax(op.axis(), s.inputMultiplier(), s.inputLeftShift(), s.diffMin(), out.scale(0),
                out.zeroPoint(0), DType.I8);
        ctx.emitLowered(n, q, List.of(x), out);
        return null;
    }

    /** The table of {@code f} from input codes of {@code in} (params {@code xp}) to codes of {@code out}. */
    static Tensor table(DoubleUnaryOperator f, QuantParams xp, DType in, QuantParams yp, DType out) {
        int lo = (int) in.minValue(), entries = (int) (in.maxValue() - in.minValue() + 1);
        long[] codes = new long[entries];
        double sx = xp.scale(0);
        long zx = xp.zeroPoint(0);
        for (int i = 0; i < entries; i++) {
            double real = f.applyAsDouble(sx * ((long) lo + i - zx));
            codes[i] = QuantNumbers.quantize(real, yp.scale(0), yp.zeroPoint(0), out);
        }
        return Tensor.ofLongs(out, Shape.of(entries), codes);
    }

    /** The float function a table stands for (the same formulas as the float ops). */
    static DoubleUnaryOperator function(LutFunction fn, float alpha, float beta) {
        return switch (fn) {
            case RELU -> x -> Math.max(x, 0);
            case CLIP -> x -> Math.min(Math.max(x, alpha), beta);
            case LEAKY_RELU -> x -> x >= 0 ? x : alpha * x;
            case SIGMOID -> x -> 1 / (1 + Math.exp(-x));
            case TANH -> Math::tanh;
            case HARD_SIGMOID -> x -> Math.max(0, Math.min(1, alpha * x + beta));
            case HARD_SWISH -> x -> x * Math.max(0, Math.min(1, x / 6 + 0.5));
        };
    }
}
