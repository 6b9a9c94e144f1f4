package nncc.tpu;

import java.util.List;
import java.util.function.ToIntFunction;
import nncc.ir.DType;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Layout;
import nncc.ir.op.QConvTranspose;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.TransposeConvOptionsT;

/** The writer's padding arithmetic (TFLite padding modes from explicit pads) and TRANSPOSE_CONV. */
final class TfliteWriterLayout {
    private TfliteWriterLayout() {}

    /** SAME or VALID when {@code pads} are exactly what TFLite derives for that mode, else null (NHWC shapes). */
    static Integer paddingOf(List<Integer> pads, List<Integer> strides, List<Integer> dil, long[] xs, long kh, long kw, long[] ys) {
        long[] in = {xs[1], xs[2]}, out = {ys[1], ys[2]};
        var same = new TfliteConvLowering.Geometry(strides.get(0), strides.get(1), dil.get(0), dil.get(1), Padding.SAME);
        boolean sameSizes = out[0] == (in[0] + strides.get(0) - 1) / strides.get(0) && out[1] == (in[1] + strides.get(1) - 1) / strides.get(1);
        if (sameSizes && pads.equals(TfliteConvLowering.pads(same, in[0], in[1], kh, kw, out[0], out[1]))) return (int) Padding.SAME;
        if (pads.stream().allMatch(p -> p == 0)) return (int) Padding.VALID;
        return null;
    }

    /**
     * QConvTranspose (NHWC, OHWI filter) as TRANSPOSE_CONV: inputs output_shape (a constant), filter, input and bias. The
     * padding mode is the one whose output size ({@code (in - 1) * stride + k} for VALID, {@code in * stride} for SAME) and
     * begin pads (which TFLite derives from the output size) are the IR's; other sizes are refused: TFLite's reference
     * kernels accept them, but the runtime's XNNPACK computes something else there (measured: VALID with a 6 from a
     * 7-sized scatter, 26 % of outputs within 1 LSB).
     */
    static void transposeConv(Node n, QConvTranspose op, TfliteModelParts parts, ToIntFunction<Value> tensor, Tensor filter, Tensor bias, byte act) {
        if (op.layout() != Layout.NHWC) throw n.error("layout nchw is not TFLite's: run the tflite-nhwc pass (in the tflite-legalize pipeline) before writing");
        long[] ws = filter.shape().dims(), ys = n.output().type().shape().dims();
        long[] xs = n.input(0).type().shape().dims();
        Integer mode = null;
        for (byte m : new byte[] {Padding.VALID, Padding.SAME}) {
            boolean same = m == Padding.SAME;
            boolean fits = true;
            for (int axis = 0; axis < 2; axis++) {
                long in = xs[1 + axis], out = ys[1 + axis], k = ws[1 + axis], s = op.strides().get(axis);
                // the output size the mode implies (the runtime's XNNPACK holds files to it) and TFLite's begin pad for it
                fits &= out == (same ? in * s : (in - 1) * s + k);
                long back = same ? (out + s - 1) / s : (out - k + s) / s;
                long total = same ? Math.max((back - 1) * s + k - out, 0) : 0;
                fits &= op.pads().get(axis) == total / 2;
            }
            if (fits) { mode = (int) m; break; }
        }
        if (mode == null) throw n.error("transposed conv pads " + op.pads() + " are neither TFLite's SAME nor VALID for output " + n.output().type());
        long[] shape = ys.clone();
        shape[0] = 1;
        int outputShape = parts.constant(n.output().name() + "/output_shape", Tensor.ofLongs(DType.I32, nncc.ir.Shape.of(4), shape), null);
        int f = parts.constant(n.input(1).name(), filter, n.input(1).type().quant());
        int b = bias == null ? -1 : parts.constant(n.input(2).name(), bias, n.input(2).type().quant());
        var o = new TransposeConvOptionsT();
        o.setPadding(mode.byteValue());
        o.setStrideH(op.strides().get(0));
        o.setStrideW(op.strides().get(1));
        o.setFusedActivationFunction(act);
        int version = act != 0 ? 4 : bias != null ? 3 : 2;
        parts.op(BuiltinOperator.TRANSPOSE_CONV, version, new int[] {outputShape, f, tensor.applyAsInt(n.input(0)), b}, tensor.applyAsInt(n.output()),
                BuiltinOptions.TransposeConvOptions, o);
    }
}
