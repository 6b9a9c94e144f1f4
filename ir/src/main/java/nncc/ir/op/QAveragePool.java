package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/**
 * Integer average pooling (TFLite AVERAGE_POOL_2D arithmetic): input and output share scale and zero point;
 * each output is the sum of the in-bounds window elements divided by their count, rounded half away from
 * zero, then clamped to [actMin, actMax]. Padding is never counted.
 */
public record QAveragePool(List<Integer> kernel, List<Integer> strides, List<Integer> pads, boolean ceilMode,
                           int actMin, int actMax) implements Op {
    public QAveragePool {
        kernel = List.copyOf(kernel);
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
        if (actMin > actMax) throw Shapes.fail("clamp [%d, %d] is empty", actMin, actMax);
    }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        IntOps.requireInt("input", in.get(0));
        IntOps.requireClamp(actMin, actMax, in.get(0).dtype());
        TensorType t = new AveragePool(kernel, strides, pads, ceilMode, false).inferTypes(in).get(0);
        return List.of(new TensorType(in.get(0).dtype(), t.shape(), in.get(0).quant()));
    }
}
