package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Hybrid ("dynamic range") convolution: float input and output, int8 weights (symmetric, one scale per output
 * channel or one in all). Per sample, the input is quantized on the fly to int8 with
 * {@code scale = (max - min) / 255} over that sample's values (range widened to include 0), the product is
 * accumulated in int32 and {@code y = acc * inputScale * weightScales[c] + bias[c]} in float.
 */
public record DynamicQuantConv(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group,
                               List<Float> weightScales) implements HybridOp {
    public DynamicQuantConv {
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
        dilations = List.copyOf(dilations);
        weightScales = List.copyOf(weightScales);
    }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 3; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shapes.requireFloat("input", in.get(0));
        if (in.get(1).dtype() != DType.I8) throw Shapes.fail("weights %s must be i8", in.get(1));
        Shape out = Conv.convShape(in, strides, pads, dilations, group);
        if (weightScales.size() != 1 && weightScales.size() != out.dim(1))
            throw Shapes.fail("%d weight scales for %d output channels", weightScales.size(), out.dim(1));
        if (in.size() > 2) Conv.checkBias(in.get(2), out.dim(1));
        return List.of(TensorType.of(in.get(0).dtype(), out));
    }
}
