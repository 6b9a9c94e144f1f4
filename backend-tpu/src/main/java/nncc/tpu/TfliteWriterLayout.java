package nncc.tpu;

import java.util.List;
import org.tensorflow.lite.schema.Padding;

/** The writer's padding arithmetic: TFLite padding modes from explicit pads. */
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
}
