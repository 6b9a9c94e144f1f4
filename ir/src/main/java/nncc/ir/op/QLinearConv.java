package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Quantized convolution (ONNX QLinearConv). Inputs: x, x_scale, x_zp, w, w_scale, w_zp (scalar or per output
 * channel), y_scale, y_zp, optional int32 bias with scale x_scale * w_scale. Output of {@code outType}.
 */
public record QLinearConv(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group,
                          DType outType) implements OnnxQuantOp {
    public QLinearConv {
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
        dilations = List.copyOf(dilations);
    }

    @Override public int minInputs() { return 8; }

    @Override public int maxInputs() { return 9; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape out = Conv.convShape(List.of(in.get(0), in.get(3)), strides, pads, dilations, group);
        QuantOps.requireScalar("x_scale", in.get(1));
        QuantOps.requireScalar("y_scale", in.get(6));
        if (in.size() > 8) Conv.checkBias(in.get(8), out.dim(1));
        return List.of(TensorType.of(outType, out));
    }
}
