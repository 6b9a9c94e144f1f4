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
 * <p>Two limits TFLite leaves undefined are defined here: the softmax axis holds at most {@value #MAX_ROW} values
 * (more could overflow the Q12.19 sum, a verifier error), and when the sum of exponentials reaches 512 or more
 * (the final shift {@code numBitsOverUnit + 31 - outputBits} exceeds 31, where gemmlowp's RoundingDivideByPOT
 * is undefined) every output of the row is the output minimum: each quotient is below half a step, so 0 is
 * the correctly rounded result.
 */
public record QSoftmax(int axis, int inputMultiplier, int inputLeftShift, int diffMin, float outputScale, long outputZp,
                       DType outType) implements LoweredOp {
    /**
     * TFLite's fixed output parameters of SOFTMAX and LOGISTIC, the one place they live: scale 1/256 with zero point
     * -128 for i8 output (0 for u8); for i16 output, scale 1/32768 with zero point 0 from i16 input (16x8 kernels)
     * and scale 1/65536 with zero point -32768 from 8-bit input.
     */
    public static nncc.ir.QuantParams fixedOutputParams(DType in, DType out) {
        return switch (out) {
            case I8 -> nncc.ir.QuantParams.perTensor(1f / 256, -128);
            case U8 -> nncc.ir.QuantParams.perTensor(1f / 256, 0);
            case I16 -> in == DType.I16 ? nncc.ir.QuantParams.perTensor(1f / 32768, 0)
                    : nncc.ir.QuantParams.perTensor(1f / 65536, -32768);
            default -> throw Shapes.fail("no fixed softmax output parameters for %s", out.text());
        };
    }

    /** The longest softmax row: more values could overflow TFLite's Q12.19 sum of exponentials. */
    public static final int MAX_ROW = 4095;

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        IntOps.requireInt("input", in.get(0));
        nncc.ir.QuantParams fixed = fixedOutputParams(in.get(0).dtype(), outType);
        if (outputScale != fixed.scale(0) || outputZp != fixed.zeroPoint(0))
            throw Shapes.fail("output parameters {scale = %s, zp = %d} are not the fixed %s for %s", outputScale, outputZp,
                    fixed, outType.text());
        int a = Shapes.axis(axis, in.get(0).rank());
        if (!in.get(0).shape().isSymbolic(a) && in.get(0).shape().dim(a) > MAX_ROW)
            throw Shapes.fail("softmax row of %d values exceeds %d (TFLite's Q12.19 sum of exponentials could overflow)",
                    in.get(0).shape().dim(a), MAX_ROW);
        return List.of(IntOps.output(outType, in.get(0).shape(), outputScale, outputZp));
    }
}
