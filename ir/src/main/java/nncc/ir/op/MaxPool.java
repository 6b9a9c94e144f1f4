package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * Max pooling over spatial dims (ONNX MaxPool; NCHW, or NHWC for {@code layout = nhwc}, which has no indices output). Padding never wins the max. The optional second output holds
 * the flat index of each maximum (row-major over N,C,spatial, or column-major spatial if storageOrder is 1).
 */
public record MaxPool(List<Integer> kernel, List<Integer> strides, List<Integer> pads, List<Integer> dilations,
                      boolean ceilMode, int storageOrder, @Default("nchw") Layout layout) implements DataMovementOp {
    public MaxPool {
        if (layout == null) throw Shapes.fail("layout must be given");
        kernel = List.copyOf(kernel);
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
        dilations = List.copyOf(dilations);
    }

    /** The form before the layout was an attribute: NCHW. */
    public MaxPool(List<Integer> kernel, List<Integer> strides, List<Integer> pads, List<Integer> dilations, boolean ceilMode,
                   int storageOrder) {
        this(kernel, strides, pads, dilations, ceilMode, storageOrder, Layout.NCHW);
    }

    /** This op pooling tensors in layout {@code l} ({@link Layout}; an NHWC pool has no indices output). */
    public MaxPool withLayout(Layout l) { return new MaxPool(kernel, strides, pads, dilations, ceilMode, storageOrder, l); }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> given) {
        List<TensorType> in = layout.toNchw(given, 1, false);
        Shape x = in.get(0).shape();
        Shape out = Shapes.windowed(x, x.dim(1), Shapes.longs(kernel), strides, pads, dilations, ceilMode);
        if (x.isSymbolic(1)) out = Shapes.symbolicAt(out, 1, x.symbol(1));
        if (layout == Layout.NHWC) return List.of(layout.fromNchw(Shapes.moved(in.get(0), out)));
        return List.of(Shapes.moved(in.get(0), out), TensorType.of(DType.I64, out));
    }
}
