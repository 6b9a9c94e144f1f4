package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.TensorType;

/**
 * Integer convolution with int32 result (ONNX ConvInteger): x, w, x_zp, w_zp (zero points absent in the ONNX
 * model are imported as explicit zeros, so all four inputs are present).
 */
public record ConvInteger(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group) implements OnnxQuantOp {
    public ConvInteger {
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
        dilations = List.copyOf(dilations);
    }

    @Override public int minInputs() { return 4; }

    @Override public int maxInputs() { return 4; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        return List.of(TensorType.of(DType.I32, Conv.convShape(in, strides, pads, dilations, group)));
    }
}
