package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.TensorType;

/**
 * Integer elementwise product with broadcasting (TFLite MUL arithmetic):
 * {@code y = clamp(mbqm((a - zpA) * (b - zpB), multiplier, shift) + outputZp, actMin, actMax)}; with
 * {@code onnx_float32} ONNX Runtime's QLinearMul, {@code onnxScales = [r]} ({@link nncc.ir.OnnxArithmetic#mul}).
 */
public record QMul(long inputZpA, long inputZpB, int multiplier, int shift, long outputZp, float outputScale,
                   DType outType, int actMin, int actMax, Rounding rounding,
                   @Default("none") Activation activation, @Default("[]") List<Float> onnxScales,
                   @Default("0") int onnxOffset) implements LoweredOp {
    public QMul {
        onnxScales = IntOps.requireOnnxScales(rounding, onnxScales);
        IntOps.requireOnnxOffset(onnxOffset, onnxScales, outType);
        IntOps.requireClamp(actMin, actMax, outType);
        IntOps.requireRounding(rounding);
        if (rounding.wide()) throw Shapes.fail("QMul requantizes int32 values; rounding %s is for int64 accumulators", rounding);
        IntOps.requireActivation(activation, actMin, actMax, outputScale, outputZp, outType);
    }

    /** The form without ONNX Runtime's float arithmetic (every rounding but {@code onnx_float32}). */
    public QMul(long inputZpA, long inputZpB, int multiplier, int shift, long outputZp, float outputScale,
                DType outType, int actMin, int actMax, Rounding rounding, Activation activation) {
        this(inputZpA, inputZpB, multiplier, shift, outputZp, outputScale, outType, actMin, actMax, rounding, activation,
                List.of(), 0);
    }

    /** This op in ONNX Runtime's float arithmetic ({@link Rounding#ONNX_FLOAT32}): scale [r] and storage shift. */
    public QMul withOnnxScales(List<Float> scales, int offset) {
        return new QMul(inputZpA, inputZpB, multiplier, shift, outputZp, outputScale, outType, actMin, actMax,
                Rounding.ONNX_FLOAT32, activation, scales, offset);
    }

    /** The form before the activation was an attribute: the activation the clamp stands for. */
    public QMul(long inputZpA, long inputZpB, int multiplier, int shift, long outputZp, float outputScale,
                DType outType, int actMin, int actMax, Rounding rounding) {
        this(inputZpA, inputZpB, multiplier, shift, outputZp, outputScale, outType, actMin, actMax, rounding,
                IntOps.compatActivation(actMin, actMax, outputScale, outputZp, outType));
    }

    @Override public int minInputs() { return 2; }

    @Override public int maxInputs() { return 2; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        IntOps.requireInt("input A", in.get(0));
        IntOps.requireInt("input B", in.get(1));
        if (!onnxScales.isEmpty()) {
            if (in.get(0).quant() == null || in.get(1).quant() == null) throw Shapes.fail("onnx_float32 needs quantized inputs");
            IntOps.requireOnnxValues(onnxScales, new float[] {nncc.ir.OnnxArithmetic.mulScale(in.get(0).quant().scale(0),
                    in.get(1).quant().scale(0), outputScale)}, "fl(fl(sA * sB) / sC)");
        }
        return List.of(IntOps.output(outType, Shapes.broadcast(in.get(0).shape(), in.get(1).shape()), outputScale, outputZp));
    }
}
