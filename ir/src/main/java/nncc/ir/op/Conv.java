package nncc.ir.op;

import static nncc.ir.op.Shapes.fail;

import java.util.List;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * N-d convolution, NCHW (ONNX Conv): inputs X [N,C,spatial...], W [M, C/group, k...], optional B [M].
 * {@code pads} are [begin..., end...] per spatial dim; auto_pad is resolved to explicit pads on import. A fused
 * {@code activation} clamps the result.
 */
public record Conv(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group,
                   @Default("none") Activation activation) implements FloatOp, FusedActivation {
    public Conv {
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
        dilations = List.copyOf(dilations);
        if (group < 1) throw fail("group must be >= 1, got %d", group);
        java.util.Objects.requireNonNull(activation, "activation");
    }

    /** A convolution without fused activation. */
    public Conv(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group) {
        this(strides, pads, dilations, group, Activation.NONE);
    }

    @Override public Conv withActivation(Activation a) { return new Conv(strides, pads, dilations, group, a); }

    /** Plain 2-D convolution with the given stride and symmetric padding. */
    public static Conv of2d(int stride, int pad) {
        return new Conv(List.of(stride, stride), List.of(pad, pad, pad, pad), List.of(1, 1), 1);
    }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 3; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        Shape out = convShape(in, strides, pads, dilations, group);
        if (in.size() > 2) checkBias(in.get(2), out.dim(1));
        return List.of(TensorType.of(in.get(0).dtype(), out));
    }

    /** Output shape shared by Conv, ConvInteger and QLinearConv (X and W at positions 0 and 1 of {@code xw}). */
    static Shape convShape(List<TensorType> xw, List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group) {
        TensorType x = xw.get(0), w = xw.get(1);
        if (w.rank() != x.rank()) throw fail("weight %s and input %s differ in rank", w, x);
        Shapes.requireStatic("weight", w.shape());
        long c = x.shape().dim(1);
        if (!x.shape().isSymbolic(1) && c != w.shape().dim(1) * group)
            throw fail("input channels %d != weight channels %d x group %d", c, w.shape().dim(1), group);
        long m = w.shape().dim(0);
        if (m % group != 0) throw fail("output channels %d not divisible by group %d", m, group);
        long[] k = new long[x.rank() - 2];
        for (int i = 0; i < k.length; i++) k[i] = w.shape().dim(2 + i);
        return Shapes.windowed(x.shape(), m, k, strides, pads, dilations, false);
    }

    static void checkBias(TensorType bias, long channels) {
        if (bias.rank() != 1 || bias.shape().dim(0) != channels)
            throw fail("bias %s must be [%d]", bias, channels);
    }
}
