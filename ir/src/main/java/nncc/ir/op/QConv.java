package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Integer convolution with requantization (TFLite CONV_2D / DEPTHWISE_CONV_2D arithmetic, NCHW). Inputs: x
 * (i8, u8 or i16), w (i8, symmetric: zero point 0), optional bias (i32; i64 for i16 input). For output channel c:
 * {@code acc = bias[c] + sum((x - inputZp) * w)} in int32 (int64 for i16 input), then
 * {@code y = clamp(multiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]) + outputZp, actMin, actMax)}.
 * One multiplier/shift means per-tensor. {@code actMin}/{@code actMax} carry a fused Relu/Relu6.
 */
public record QConv(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group, long inputZp,
                    List<Integer> multiplier, List<Integer> shift, long outputZp, float outputScale, DType outType,
                    int actMin, int actMax, Rounding rounding) implements Op {
    public QConv {
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
        dilations = List.copyOf(dilations);
        multiplier = List.copyOf(multiplier);
        shift = List.copyOf(shift);
        if (group < 1) throw Shapes.fail("group must be >= 1, got %d", group);
        IntOps.requireClamp(actMin, actMax, outType);
        IntOps.requireRounding(rounding);
    }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 3; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        IntOps.requireInt("input", in.get(0));
        if (in.get(1).dtype() != DType.I8) throw Shapes.fail("weights %s must be i8", in.get(1));
        Shape out = Conv.convShape(in, strides, pads, dilations, group);
        IntOps.requireMultipliers(multiplier, shift, out.dim(1));
        if (in.size() > 2) IntOps.requireBias(in.get(2), in.get(0), out.dim(1));
        return List.of(IntOps.output(outType, out, outputScale, outputZp));
    }
}
