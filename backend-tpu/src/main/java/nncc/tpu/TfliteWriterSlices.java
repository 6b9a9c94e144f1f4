package nncc.tpu;

import java.util.function.ToIntFunction;
import nncc.ir.DType;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Pad;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.PadOptionsT;
import org.tensorflow.lite.schema.StridedSliceOptionsT;

/**
 * The TFLite writer's PAD and STRIDED_SLICE ops: zero-point Pads as PAD, cropping Pads and Slices as STRIDED_SLICE,
 * on the axes the IR states (the tflite-nhwc pass put rank-4 activations in NHWC and mapped them).
 */
final class TfliteWriterSlices {
    private final TfliteModelParts parts;
    private final ToIntFunction<Value> tensors;

    TfliteWriterSlices(TfliteModelParts parts, ToIntFunction<Value> tensors) {
        this.parts = parts;
        this.tensors = tensors;
    }

    private int tensor(Value v) { return tensors.applyAsInt(v); }

    /**
     * A Slice as STRIDED_SLICE (begin, end and strides for every axis). A negative step walks down from its first index;
     * when the walk ends below index 0 the end is masked (TFLite would read an end of -1 as the last element).
     */
    void slice(Node n, nncc.ir.op.Slice op) {
        nncc.ir.Shape xs = n.input(0).type().shape();
        int rank = xs.rank();
        long[] begin = new long[rank], end = new long[rank], strides = new long[rank];
        int endMask = 0;
        for (int a = 0; a < rank; a++) {
            end[a] = xs.isSymbolic(a) ? 1 : xs.dim(a);
            strides[a] = 1;
        }
        for (int k = 0; k < op.axes().size(); k++) {
            int a = op.axes().get(k) < 0 ? op.axes().get(k) + rank : op.axes().get(k);
            long step = op.steps().get(k);
            long[] r = op.rangeOf(k, xs.dim(a)); // first index, count
            begin[a] = r[0];
            strides[a] = step;
            if (r[1] == 0) end[a] = r[0];
            else if (step > 0) end[a] = r[0] + (r[1] - 1) * step + 1;
            else {
                end[a] = r[0] + (r[1] - 1) * step - 1; // one past the last index taken, going down
                if (end[a] < 0) {
                    end[a] = 0;
                    endMask |= 1 << a;
                }
            }
        }
        stridedSlice(n, begin, end, strides, endMask);
    }

    /** A constant Pad whose pads are all <= 0 crops: STRIDED_SLICE with unit strides. */
    void crop(Node n, Pad op) {
        nncc.ir.Shape xs = n.input(0).type().shape();
        int rank = xs.rank();
        long[] begin = new long[rank], end = new long[rank], strides = new long[rank];
        for (int a = 0; a < rank; a++) {
            long dim = xs.isSymbolic(a) ? 1 : xs.dim(a);
            begin[a] = -op.pads().get(a);
            end[a] = dim + op.pads().get(a + rank);
            strides[a] = 1;
        }
        stridedSlice(n, begin, end, strides, 0);
    }

    /** STRIDED_SLICE from bounds in the IR's axis order; {@code endMask} bit a: axis a runs to its end (down to 0). */
    void stridedSlice(Node n, long[] begin, long[] end, long[] strides, int endMask) {
        Value x = n.input(0);
        int rank = begin.length;
        nncc.ir.Shape s = nncc.ir.Shape.of(rank);
        int b = parts.constant(n.name() + "/begin", Tensor.ofLongs(DType.I32, s, begin), null);
        int e = parts.constant(n.name() + "/end", Tensor.ofLongs(DType.I32, s, end), null);
        int st = parts.constant(n.name() + "/strides", Tensor.ofLongs(DType.I32, s, strides), null);
        var o = new StridedSliceOptionsT();
        o.setEndMask(endMask);
        parts.op(BuiltinOperator.STRIDED_SLICE, 2, new int[] {tensor(x), b, e, st}, tensor(n.output()), BuiltinOptions.StridedSliceOptions, o);
    }

    /** A constant Pad to PAD (the fill must be the zero point, as TFLite pads quantized tensors with it). */
    void pad(Node n, Pad op) {
        Value x = n.input(0);
        int rank = x.type().rank();
        QuantParams q = x.type().quant();
        if (op.mode() != Pad.Mode.CONSTANT || op.pads().stream().anyMatch(p -> p < 0) || op.value() != (q == null ? 0 : q.zeroPoint(0)))
            throw n.error("only constant padding with the zero point is written");
        long[] p = new long[2 * rank];
        for (int i = 0; i < rank; i++) {
            p[2 * i] = op.pads().get(i);
            p[2 * i + 1] = op.pads().get(i + rank);
        }
        int pt = parts.constant(n.name() + "/paddings", Tensor.ofLongs(DType.I32, nncc.ir.Shape.of(rank, 2), p), null);
        parts.op(BuiltinOperator.PAD, 2, new int[] {tensor(x), pt}, tensor(n.output()), BuiltinOptions.PadOptions, new PadOptionsT());
    }
}
