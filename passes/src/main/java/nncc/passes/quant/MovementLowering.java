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
 * op's type inference carries them). Pad's constant becomes its quantized code; Concat inputs whose params
 * differ from the output plan are requantized first.
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

    /** Concat on inputs all brought to the output plan (Requantize where an input's params differ). */
    static String concat(LoweringContext ctx, Node n, Concat op) {
        QuantParams outPlan = ctx.outputPlan(n, n.output());
        List<Value> ins = new ArrayList<>();
        for (Value v : n.inputs()) {
            Value q = ctx.asInteger(v, n);
            ins.add(q.type().quant().equals(outPlan) && q.type().dtype() == ctx.activation() ? q : ctx.requantize(q, outPlan, n));
        }
        emitInferred(ctx, n, op, ins);
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
