package nncc.ir.op;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.TensorType;

/**
 * Integer mean over {@code axes} (global average pooling is axes [2, 3] with keepDims): over the {@code n}
 * reduced elements {@code acc = sum(x - inputZp)} in int32, then
 * {@code y = saturate(mbqm(acc, multiplier, shift) + outputZp)} where the multiplier stands for
 * {@code inputScale / (outputScale * n)}; with {@code onnx_float32} ONNX Runtime's QLinearGlobalAveragePool,
 * {@code y = rint(float(acc) * onnxScales[0]) + outputZp} ({@link nncc.ir.OnnxArithmetic#requantize}).
 */
public record QMean(List<Integer> axes, boolean keepDims, long inputZp, int multiplier, int shift, long outputZp,
                    float outputScale, DType outType, Rounding rounding,
                    @Default("[]") List<Float> onnxScales) implements LoweredOp {
    public QMean {
        axes = List.copyOf(axes);
        onnxScales = IntOps.requireOnnxScales(rounding, onnxScales);
        IntOps.requireRounding(rounding);
        if (rounding.wide()) throw Shapes.fail("QMean requantizes int32 values; rounding %s is for int64 accumulators", rounding);
    }

    /** The form without ONNX Runtime's float scale (every rounding but {@code onnx_float32}). */
    public QMean(List<Integer> axes, boolean keepDims, long inputZp, int multiplier, int shift, long outputZp,
                 float outputScale, DType outType, Rounding rounding) {
        this(axes, keepDims, inputZp, multiplier, shift, outputZp, outputScale, outType, rounding, List.of());
    }

    /** This op in ONNX Runtime's QLinearGlobalAveragePool arithmetic ({@link Rounding#ONNX_FLOAT32}). */
    public QMean withOnnxScales(List<Float> scales) {
        return new QMean(axes, keepDims, inputZp, multiplier, shift, outputZp, outputScale, outType, Rounding.ONNX_FLOAT32, scales);
    }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
        IntOps.requireInt("input", in.get(0));
        TensorType shape = new ReduceMean(axes, keepDims).inferTypes(in).get(0);
        if (!onnxScales.isEmpty()) {
            TensorType x = in.get(0);
            if (x.quant() == null) throw Shapes.fail("onnx_float32 needs a quantized input");
            long n = 1;
            for (int a : new ReduceMean(axes, keepDims).reducedAxes(x.rank())) {
                if (x.shape().isSymbolic(a)) throw Shapes.fail("onnx_float32 needs static reduced dimensions, got %s", x);
                n *= x.shape().dim(a);
            }
            IntOps.requireOnnxValues(onnxScales, new float[] {nncc.ir.OnnxArithmetic.globalPoolScale(x.quant().scale(0),
                    outputScale, n)}, "fl(sx / fl(sy * n)) over " + n + " elements");
        }
        return List.of(IntOps.output(outType, shape.shape(), outputScale, outputZp));
    }
}
