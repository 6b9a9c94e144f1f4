package nncc.ir.op;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Average pooling over spatial dims (ONNX AveragePool). With {@code countIncludePad} the divisor counts the
 * explicit padding (never the extra ceil-mode overhang); otherwise only the input elements under the window.
 */
public record AveragePool(List<Integer> kernel, List<Integer> strides, List<Integer> pads, boolean ceilMode,
                          boolean countIncludePad) implements FloatOp {
    public AveragePool {
        kernel = List.copyOf(kernel);
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
    }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    /** Dilations are always 1 (ONNX added them late; exporters do not emit them). */
    public List<Integer> dilations() { return java.util.Collections.nCopies(kernel.size(), 1); }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape x = in.get(0).shape();
        Shape out = Shapes.windowed(x, x.dim(1), Shapes.longs(kernel), strides, pads, dilations(), ceilMode);
        if (x.isSymbolic(1)) out = Shapes.symbolicAt(out, 1, x.symbol(1));
        return List.of(TensorType.of(in.get(0).dtype(), out));
    }
}
