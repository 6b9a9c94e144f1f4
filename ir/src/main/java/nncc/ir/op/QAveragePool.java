package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/**
 * Integer average pooling (TFLite AVERAGE_POOL_2D arithmetic; NCHW, or NHWC for {@code layout = nhwc}): input and output share scale and zero point;
 * each output is the sum of the in-bounds window elements divided by their count, rounded half away from
 * zero, then clamped to [actMin, actMax], exactly the clamp of the fused {@code activation} on the input grid when
 * one is named ({@link Activation#clampBounds}; {@code none}: the clamp stands on its own). Padding is never counted.
 * With {@code onnxScales} it computes what ONNX Runtime's QLinearAveragePool does instead (float sums, ties to even;
 * {@link nncc.ir.OnnxArithmetic}), {@code onnxOffset} being ORT's storage shift.
 */
public record QAveragePool(List<Integer> kernel, List<Integer> strides, List<Integer> pads, boolean ceilMode,
                           int actMin, int actMax, @Default("none") Activation activation,
                           @Default("[]") List<Float> onnxScales, @Default("0") int onnxOffset,
                           @Default("nchw") Layout layout) implements LoweredOp {
    public QAveragePool {
        if (layout == null) throw Shapes.fail("layout must be given");
        onnxScales = onnxScales == null ? null : List.copyOf(onnxScales);
        if (onnxScales == null || onnxScales.size() > 1) throw Shapes.fail("onnxScales must be [] or one scale, got %s", onnxScales);
        if (onnxOffset != 0 && onnxOffset != 128) throw Shapes.fail("onnxOffset %d is not 0 or 128", onnxOffset);
        kernel = List.copyOf(kernel);
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
        if (actMin > actMax) throw Shapes.fail("clamp [%d, %d] is empty", actMin, actMax);
        if (activation == null) throw Shapes.fail("activation must be given");
    }

    /** The form before the layout was an attribute: NCHW. */
    public QAveragePool(List<Integer> kernel, List<Integer> strides, List<Integer> pads, boolean ceilMode, int actMin,
                        int actMax, Activation activation, List<Float> onnxScales, int onnxOffset) {
        this(kernel, strides, pads, ceilMode, actMin, actMax, activation, onnxScales, onnxOffset, Layout.NCHW);
    }

    /** This op pooling tensors in layout {@code l} ({@link Layout}). */
    public QAveragePool withLayout(Layout l) {
        return new QAveragePool(kernel, strides, pads, ceilMode, actMin, actMax, activation, onnxScales, onnxOffset, l);
    }

    /** The form in TFLite's integer arithmetic (no ONNX Runtime float arithmetic). */
    public QAveragePool(List<Integer> kernel, List<Integer> strides, List<Integer> pads, boolean ceilMode, int actMin,
                        int actMax, Activation activation) {
        this(kernel, strides, pads, ceilMode, actMin, actMax, activation, List.of(), 0);
    }

    /** This op in ONNX Runtime's float arithmetic (see {@link #onnxGlobal}) with the given scale and storage shift. */
    public QAveragePool withOnnxScales(List<Float> scales, int offset) {
        return new QAveragePool(kernel, strides, pads, ceilMode, actMin, actMax, activation, scales, offset, layout);
    }

    /**
     * Whether ONNX Runtime runs this pool on input {@code x} as a global pool (a window of the whole unpadded input):
     * then {@code onnxScales[0]} is {@code fl(s / fl(s * n))} and the integer form applies, else it is the scale s.
     */
    public boolean onnxGlobal(nncc.ir.Shape x) {
        if (pads.stream().anyMatch(p -> p != 0)) return false;
        for (int i = 0; i < kernel.size(); i++) if (x.isSymbolic(i + 2) || x.dim(i + 2) != kernel.get(i)) return false;
        return true;
    }

    /** The form before the activation was an attribute: no fused activation. */
    public QAveragePool(List<Integer> kernel, List<Integer> strides, List<Integer> pads, boolean ceilMode, int actMin,
                        int actMax) {
        this(kernel, strides, pads, ceilMode, actMin, actMax, Activation.NONE);
    }

    @Override public int minInputs() { return 1; }

    @Override public int maxInputs() { return 1; }

    @Override public List<TensorType> inferTypes(List<TensorType> given) {
        List<TensorType> in = layout.toNchw(given, 1, false);
        IntOps.requireInt("input", in.get(0));
        IntOps.requireClamp(actMin, actMax, in.get(0).dtype());
        nncc.ir.QuantParams q = in.get(0).quant();
        if (q != null && !q.isPerAxis())
            IntOps.requireActivation(activation, actMin, actMax, q.scale(0), q.zeroPoint(0), in.get(0).dtype());
        else if (activation != Activation.NONE)
            throw Shapes.fail("a fused activation needs a quantized input with per-tensor parameters, got %s", in.get(0));
        if (!onnxScales.isEmpty()) {
            if (q == null || q.isPerAxis()) throw Shapes.fail("onnx arithmetic needs a per-tensor quantized input, got %s", in.get(0));
            if (onnxOffset == 128 && in.get(0).dtype() != nncc.ir.DType.I8) throw Shapes.fail("onnxOffset 128 is for i8 input");
            long n = 1;
            for (int k : kernel) n *= k;
            float s = q.scale(0);
            boolean global = onnxGlobal(in.get(0).shape());
            IntOps.requireOnnxValues(onnxScales, new float[] {global ? nncc.ir.OnnxArithmetic.globalPoolScale(s, s, n) : s},
                    global ? "the global pool's fl(s / fl(s * n))" : "the input scale");
        }
        TensorType t = new AveragePool(kernel, strides, pads, ceilMode, false).inferTypes(in).get(0);
        return List.of(layout.fromNchw(new TensorType(in.get(0).dtype(), t.shape(), in.get(0).quant())));
    }
}
