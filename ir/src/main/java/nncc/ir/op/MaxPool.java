package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Max pooling over spatial dims (ONNX MaxPool). Padding never wins the max. The optional second output holds
 * the flat index of each maximum (row-major over N,C,spatial, or column-major spatial if storageOrder is 1).
 */
public record MaxPool(List<Integer> kernel, List<Integer> strides, List<Integer> pads, List<Integer> dilations,
                      boolean ceilMode, int storageOrder) implements DataMovementOp {
    public MaxPool {
        kernel = List.copyOf(kernel);
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
        dilations = List.copyOf(dilations);
    }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape x = in.get(0).shape();
        Shape out = Shapes.windowed(x, x.dim(1), Shapes.longs(kernel), strides, pads, dilations, ceilMode);
        if (x.isSymbolic(1)) out = Shapes.symbolicAt(out, 1, x.symbol(1));
        return List.of(Shapes.moved(in.get(0), out), TensorType.of(DType.I64, out));
    }
}
