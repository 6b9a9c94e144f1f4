package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.TensorType;

/**
 * Integer addition with broadcasting (TFLite ADD arithmetic): each input is offset by its zero point, shifted
 * left by {@code leftShift} and scaled to a common scale, summed, then scaled to the output:
 * {@code a' = mbqm((a - zpA) << leftShift, multiplierA, shiftA)}, likewise b', and
 * {@code y = clamp(mbqm(a' + b', multiplier, shift) + outputZp, actMin, actMax)}. With {@code subtract} it is
 * TFLite SUB: {@code a' - b'} in place of {@code a' + b'} (negating multiplierB instead would not be exact: gemmlowp's
 * SaturatingRoundingDoublingHighMul rounds ties upward, not symmetrically). With {@code onnx_float32} it is ONNX
 * Runtime's QLinearAdd instead, {@code onnxScales = [rA, rB, c]} ({@link nncc.ir.OnnxArithmetic#add}).
 */
public record QAdd(long inputZpA, long inputZpB, int leftShift, int multiplierA, int shiftA, int multiplierB,
                   int shiftB, int multiplier, int shift, long outputZp, float outputScale, DType outType, int actMin,
                   int actMax, Rounding rounding, @Default("none") Activation activation,
                   @Default("false") boolean subtract, @Default("[]") List<Float> onnxScales,
                   @Default("0") int onnxOffset) implements LoweredOp {
    public QAdd {
        onnxScales = IntOps.requireOnnxScales(rounding, onnxScales);
        IntOps.requireOnnxOffset(onnxOffset, onnxScales, outType);
        if (subtract && !onnxScales.isEmpty()) throw Shapes.fail("onnx_float32 has no subtraction (ONNX Runtime's QLinearAdd adds)");
        if (leftShift < 0 || leftShift > 30) throw Shapes.fail("left shift %d outside [0, 30]", leftShift);
        IntOps.requireClamp(actMin, actMax, outType);
        IntOps.requireRounding(rounding);
        if (rounding.wide()) throw Shapes.fail("QAdd requantizes int32 values; rounding %s is for int64 accumulators", rounding);
        IntOps.requireActivation(activation, actMin, actMax, outputScale, outputZp, outType);
    }

    /** The form without ONNX Runtime's float arithmetic (every rounding but {@code onnx_float32}). */
    public QAdd(long inputZpA, long inputZpB, int leftShift, int multiplierA, int shiftA, int multiplierB,
                int shiftB, int multiplier, int shift, long outputZp, float outputScale, DType outType, int actMin,
                int actMax, Rounding rounding, Activation activation, boolean subtract) {
        this(inputZpA, inputZpB, leftShift, multiplierA, shiftA, multiplierB, shiftB, multiplier, shift, outputZp,
                outputScale, outType, actMin, actMax, rounding, activation, subtract, List.of(), 0);
    }

    /** This op in ONNX Runtime's float arithmetic ({@link Rounding#ONNX_FLOAT32}): scales [rA, rB, c] and storage shift. */
    public QAdd withOnnxScales(List<Float> scales, int offset) {
        return new QAdd(inputZpA, inputZpB, leftShift, multiplierA, shiftA, multiplierB, shiftB, multiplier, shift, outputZp,
                outputScale, outType, actMin, actMax, Rounding.ONNX_FLOAT32, activation, subtract, scales, offset);
    }

    /** The form before the activation was an attribute: the activation the clamp stands for. */
    public QAdd(long inputZpA, long inputZpB, int leftShift, int multiplierA, int shiftA, int multiplierB,
                int shiftB, int multiplier, int shift, long outputZp, float outputScale, DType outType, int actMin,
                int actMax, Rounding rounding) {
        this(inputZpA, inputZpB, leftShift, multiplierA, shiftA, multiplierB, shiftB, multiplier, shift, outputZp,
                outputScale, outType, actMin, actMax, rounding, false);
    }

    /** An addition or subtraction with the activation its clamp stands for. */
    public QAdd(long inputZpA, long inputZpB, int leftShift, int multiplierA, int shiftA, int multiplierB,
                int shiftB, int multiplier, int shift, long outputZp, float outputScale, DType outType, int actMin,
                int actMax, Rounding rounding, boolean subtract) {
        this(inputZpA, inputZpB, leftShift, multiplierA, shiftA, multiplierB, shiftB, multiplier, shift, outputZp,
                outputScale, outType, actMin, actMax, rounding,
                IntOps.compatActivation(actMin, actMax, outputScale, outputZp, outType), subtract);
    }

    /** An addition (TFLite ADD) with a named activation. */
    public QAdd(long inputZpA, long inputZpB, int leftShift, int multiplierA, int shiftA, int multiplierB,
                int shiftB, int multiplier, int shift, long outputZp, float outputScale, DType outType, int actMin,
                int actMax, Rounding rounding, Activation activation) {
        this(inputZpA, inputZpB, leftShift, multiplierA, shiftA, multiplierB, shiftB, multiplier, shift, outputZp,
                outputScale, outType, actMin, actMax, rounding, activation, false);
    }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 2; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        IntOps.requireInt("input A", in.get(0));
        IntOps.requireInt("input B", in.get(1));
        if (!onnxScales.isEmpty()) {
            if (in.get(0).quant() == null || in.get(1).quant() == null) throw Shapes.fail("onnx_float32 needs quantized inputs");
            IntOps.requireOnnxValues(onnxScales, nncc.ir.OnnxArithmetic.addParams(in.get(0).quant().scale(0),
                    in.get(1).quant().scale(0), outputScale, inputZpA + onnxOffset, inputZpB + onnxOffset, outputZp + onnxOffset),
                    "[sA / sC, sB / sC, zC - (rA * zA + rB * zB)] with zero points + onnxOffset");
        }
        return List.of(IntOps.output(outType, Shapes.broadcast(in.get(0).shape(), in.get(1).shape()), outputScale, outputZp));
    }
}
