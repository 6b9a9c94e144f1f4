package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * N-d transposed convolution, NCHW (ONNX ConvTranspose): X [N,C,spatial...], W [C, M/group, k...], optional
 * B [M]. Output size per dim: stride*(in-1) + outputPadding + (k-1)*dilation + 1 - padBegin - padEnd.
 * An ONNX {@code output_shape} is resolved to pads on import.
 */
public record ConvTranspose(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group,
                            List<Integer> outputPadding, @Default("none") Activation activation) implements FloatOp, FusedActivation {
    public ConvTranspose {
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
        dilations = List.copyOf(dilations);
        outputPadding = List.copyOf(outputPadding);
        if (group < 1) throw fail("group must be >= 1, got %d", group);
        java.util.Objects.requireNonNull(activation, "activation");
    }

    /** A transposed convolution without fused activation. */
    public ConvTranspose(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group,
                         List<Integer> outputPadding) {
        this(strides, pads, dilations, group, outputPadding, Activation.NONE);
    }

    @Override public ConvTranspose withActivation(Activation a) {
        return new ConvTranspose(strides, pads, dilations, group, outputPadding, a);
    }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 3; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        TensorType x = in.get(0), w = in.get(1);
        if (w.rank() != x.rank() || x.rank() < 3) throw fail("weight %s and input %s must share rank >= 3", w, x);
        Shapes.requireStatic("weight", w.shape());
        int sp = x.rank() - 2;
        Shapes.requireLength("strides", strides, sp);
        Shapes.requireLength("dilations", dilations, sp);
        Shapes.requireLength("output_padding", outputPadding, sp);
        Shapes.requireLength("pads", pads, 2 * sp);
        if (!x.shape().isSymbolic(1) && x.shape().dim(1) != w.shape().dim(0))
            throw fail("input channels %d != weight dim 0 %d", x.shape().dim(1), w.shape().dim(0));
        Shape out = x.shape().withDim(1, w.shape().dim(1) * group);
        if (x.shape().isSymbolic(0)) out = Shapes.symbolicAt(out, 0, x.shape().symbol(0));
        for (int i = 0; i < sp; i++) {
            long o = (long) strides.get(i) * (x.shape().dim(2 + i) - 1) + outputPadding.get(i)
                    + (w.shape().dim(2 + i) - 1) * dilations.get(i) + 1 - pads.get(i) - pads.get(i + sp);
            if (o < 1) throw fail("output size %d along spatial dim %d", o, i);
            out = out.withDim(2 + i, o);
        }
        if (in.size() > 2) Conv.checkBias(in.get(2), w.shape().dim(1) * group);
        return List.of(TensorType.of(x.dtype(), out));
    }
}
