package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.TensorType;

/**
 * Integer softmax along {@code axis} (TFLite's int8 reference SOFTMAX arithmetic, gemmlowp fixed point): per row,
 * {@code d = x - max(row)}; entries with {@code d < diffMin} give the output minimum; the others are scaled by
 * {@code (inputMultiplier, inputLeftShift)} into a Q5.26 value, exponentiated with gemmlowp's
 * exp_on_negative_values, summed in Q12.19, and divided by the sum through a fixed-point reciprocal; the result
 * has scale 1/256 and zero point -128 for int8 output. The pass computes the three numbers from the input scale
 * and beta (TFLite's PreprocessSoftmaxScaling).
 */
public record QSoftmax(int axis, int inputMultiplier, int inputLeftShift, int diffMin, float outputScale, long outputZp,
                       DType outType) implements Op {
    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        IntOps.requireInt("input", in.get(0));
        Shapes.axis(axis, in.get(0).rank());
        return List.of(IntOps.output(outType, in.get(0).shape(), outputScale, outputZp));
    }
}
