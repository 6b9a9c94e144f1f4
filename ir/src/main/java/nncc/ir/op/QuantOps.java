package nncc.ir.op;

import nncc.ir.TensorType;

/** Checks shared by the ONNX quantization ops. */
final class QuantOps {
    private QuantOps() {}

    /** Scale (and zero point) must be scalars, or 1-D of the size of {@code x}'s dim {@code axis}. */
    static void checkParams(TensorType x, TensorType scale, TensorType zeroPoint, int axis) {
        if (scale.rank() == 1 && scale.shape().dim(0) != 1 || scale.rank() > 1) {
            if (scale.rank() != 1) throw Shapes.fail("scale %s must be a scalar or 1-D", scale);
            int a = Shapes.axis(axis, x.rank());
            if (!x.shape().isSymbolic(a) && x.shape().dim(a) != scale.shape().dim(0))
                throw Shapes.fail("scale %s does not match dim %d of %s", scale, a, x);
        }
        if (zeroPoint != null && !zeroPoint.shape().equals(scale.shape()))
            throw Shapes.fail("zero point %s and scale %s differ in shape", zeroPoint, scale);
    }

    static void requireScalar(String what, TensorType t) {
        if (t.rank() > 1 || (t.rank() == 1 && t.shape().dim(0) != 1)) throw Shapes.fail("%s %s must be a scalar", what, t);
    }
}
