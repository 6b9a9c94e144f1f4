package nncc.passes.quant;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Concat;
import nncc.ir.op.Op;
import nncc.ir.op.Pad;

/**
 * Lowering rules of the ops that only move values (MaxPool, Reshape, Flatten, Transpose, Squeeze, Unsqueeze,
 * Identity, Dropout, Pad, Concat): the same op on integer values, the output keeping the input's params (the
 * op's type inference carries them). Pad's constant becomes its quantized code; an Identity that changes params (a
 * requantization point of {@code insert-requantize}) becomes a Requantize.
 */
final class MovementLowering {
    private MovementLowering() {}

    /** The same op on the integer form of the (single) input. */
    static String same(LoweringContext ctx, Node n) {
        Value x = ctx.asInteger(n.input(0), n);
        emitInferred(ctx, n, n.op(), List.of(x));
        return null;
    }

    /** Pad with its fill value quantized with the input's params (0.0 becomes the zero point). */
    static String pad(LoweringContext ctx, Node n, Pad op) {
        Value x = ctx.asInteger(n.input(0), n);
        QuantParams p = x.type().quant();
        long code = QuantNumbers.quantize(op.value(), p.scale(0), p.zeroPoint(0), x.type().dtype());
        emitInferred(ctx, n, new Pad(op.pads(), op.mode(), code), List.of(x));
        return null;
    }

    /**
     * Concat on inputs that all have the output's plan; {@code insert-requantize} put a requantization point on
     * each input that had other params, so one that still differs is an error naming the input.
     */
    static String concat(LoweringContext ctx, Node n, Concat op) {
        QuantParams outPlan = ctx.outputPlan(n, n.output());
        List<Value> ins = new ArrayList<>();
        for (Value v : n.inputs()) {
            Value q = ctx.asInteger(v, n);
            if (!q.type().quant().equals(outPlan))
                throw n.error("input %" + v.name() + " has params " + q.type().quant() + ", not the output's " + outPlan
                        + "; run " + InsertRequantizePass.NAME + " before " + LowerToIntegerPass.NAME);
            ins.add(q);
        }
        emitInferred(ctx, n, op, ins);
        return null;
    }

    /**
     * Identity: a requantization point (its output plan differs from its input's integer params) becomes a
     * Requantize; otherwise the same op on integers.
     */
    static String identity(LoweringContext ctx, Node n) {
        Value x = ctx.asInteger(n.input(0), n);
        QuantParams target = n.output().type().quant();
        if (target == null || target.equals(x.type().quant())) return same(ctx, n);
        ctx.emitRequantize(n, x, target);
        return null;
    }

    /**
     * Emits {@code op} under the node's name on integer {@code inputs}; output types come from the op's type
     * inference (so integer params carry through), output 0 becoming the integer form of the node's output.
     */
    static void emitInferred(LoweringContext ctx, Node n, Op op, List<Value> inputs) {
        List<TensorType> types = op.inferTypes(inputs.stream().map(Value::type).toList());
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < n.outputs().size(); i++) {
            Value original = n.outputs().get(i);
            if (i == 0) outs.add(ctx.defineInteger(original, types.get(0)));
            else {
                Value v = original.withType(types.get(i));
                ctx.unchanged(v);
                outs.add(v);
            }
        }
        ctx.emit(new Node(n.name(), op, inputs, outs));
        ctx.stats.inc("lowered " + n.op().opName() + " to " + op.opName());
    }
}
