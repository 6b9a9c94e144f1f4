package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/**
 * Integer average pooling (TFLite AVERAGE_POOL_2D arithmetic): input and output share scale and zero point;
 * each output is the sum of the in-bounds window elements divided by their count, rounded half away from
 * zero, then clamped to [actMin, actMax], exactly the clamp of the fused {@code activation} on the input grid when
 * one is named ({@link Activation#clampBounds}; {@code none}: the clamp stands on its own). Padding is never counted.
 */
public record QAveragePool(List<Integer> kernel, List<Integer> strides, List<Integer> pads, boolean ceilMode,
                           int actMin, int actMax, @Default("none") Activation activation) implements LoweredOp {
    public QAveragePool {
        kernel = List.copyOf(kernel);
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
        if (actMin > actMax) throw Shapes.fail("clamp [%d, %d] is empty", actMin, actMax);
        if (activation == null) throw Shapes.fail("activation must be given");
    }

    /** The form before the activation was an attribute: no fused activation. */
    public QAveragePool(List<Integer> kernel, List<Integer> strides, List<Integer> pads, boolean ceilMode, int actMin,
                        int actMax) {
        this(kernel, strides, pads, ceilMode, actMin, actMax, Activation.NONE);
    }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        IntOps.requireInt("input", in.get(0));
        IntOps.requireClamp(actMin, actMax, in.get(0).dtype());
        nncc.ir.QuantParams q = in.get(0).quant();
        if (q != null && !q.isPerAxis())
            IntOps.requireActivation(activation, actMin, actMax, q.scale(0), q.zeroPoint(0), in.get(0).dtype());
        else if (activation != Activation.NONE)
            throw Shapes.fail("a fused activation needs a quantized input with per-tensor parameters, got %s", in.get(0));
        TensorType t = new AveragePool(kernel, strides, pads, ceilMode, false).inferTypes(in).get(0);
        return List.of(new TensorType(in.get(0).dtype(), t.shape(), in.get(0).quant()));
    }
}
