package nncc.cpu;

import java.util.Arrays;
import nncc.ir.DType;
import nncc.ir.op.Concat;
import nncc.ir.op.Gather;
import nncc.ir.op.Pad;
import nncc.ir.op.Shapes;
import nncc.ir.op.Slice;
import nncc.ir.op.Transpose;

/**
 * Data movement on any element type (ONNX Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout, Transpose,
 * Concat, Pad, Gather, Slice). Ops that only change the shape return a view sharing the input's data; the others
 * build an index map or copy contiguous blocks.
 */
final class ShapeKernels {
    private ShapeKernels() {}

    /** Reshape, Flatten, Squeeze, Unsqueeze and Identity: the same data under the output shape. */
    static Kernel view() {
        return (in, outTypes) -> ActivationKernels.one(in[0].reshape(outTypes[0].shape().toIntArray()));
    }

    /** Inference Dropout: the input unchanged, and if asked for, a mask that is all true. */
    static Kernel dropout() {
        return (in, outTypes) -> {
            NdArray y = in[0].reshape(outTypes[0].shape().toIntArray());
            if (outTypes.length == 1) return new NdArray[] {y};
            long[] mask = new long[y.size()];
            Arrays.fill(mask, 1);
            return new NdArray[] {y, NdArray.ofLongs(DType.BOOL, y.shape, mask)};
        };
    }

    static Kernel transpose(Transpose op) {
        int[] perm = op.perm().stream().mapToInt(Integer::intValue).toArray();
        return (in, outTypes) -> {
            NdArray x = in[0];
            int[] shape = outTypes[0].shape().toIntArray();
            int[] inStrides = NdArray.strides(x.shape);
            int[] strides = new int[perm.length];
            for (int d = 0; d < perm.length; d++) strides[d] = inStrides[perm[d]];
            int[] map = new int[x.size()];
            int[] pos = new int[perm.length];
            for (int i = 0; i < map.length; i++) {
                int o = 0;
                for (int d = 0; d < pos.length; d++) o += pos[d] * strides[d];
                map[i] = o;
                WindowGeometry.increment(pos, shape);
            }
            return ActivationKernels.one(x.gather(shape, map, 0));
        };
    }

    /** Slice: element i of the output is the input element at {@code begin + coord * step} along each dim. */
    static Kernel slice(Slice op) {
        return (in, outTypes) -> {
            NdArray x = in[0];
            int r = x.rank();
            int[] shape = outTypes[0].shape().toIntArray();
            int[] begin = new int[r], step = new int[r];
            java.util.Arrays.fill(step, 1);
            for (int k = 0; k < op.axes().size(); k++) {
                int a = Shapes.axis(op.axes().get(k), r);
                begin[a] = (int) op.rangeOf(k, x.dim(a))[0];
                step[a] = Math.toIntExact(op.steps().get(k));
            }
            int[] inStrides = NdArray.strides(x.shape);
            int[] map = new int[NdArray.sizeOf(shape)];
            int[] pos = new int[r];
            for (int i = 0; i < map.length; i++) {
                int o = 0;
                for (int d = 0; d < r; d++) o += (begin[d] + pos[d] * step[d]) * inStrides[d];
                map[i] = o;
                WindowGeometry.increment(pos, shape);
            }
            return ActivationKernels.one(x.gather(shape, map, 0));
        };
    }

    static Kernel concat(Concat op) {
        return (in, outTypes) -> {
            int[] shape = outTypes[0].shape().toIntArray();
            int axis = Shapes.axis(op.axis(), shape.length);
            int outer = NdArray.product(shape, 0, axis), inner = NdArray.product(shape, axis + 1, shape.length);
            NdArray y = NdArray.zeros(outTypes[0].dtype(), shape);
            int rowLen = shape[axis] * inner;
            int at = 0;
            for (NdArray x : in) {
                int chunk = x.dim(axis) * inner;
                for (int o = 0; o < outer; o++) y.copyFrom(x, o * chunk, o * rowLen + at, chunk);
                at += chunk;
            }
            return ActivationKernels.one(y);
        };
    }

    static Kernel pad(Pad op) {
        return (in, outTypes) -> {
            NdArray x = in[0];
            int r = x.rank();
            int[] shape = outTypes[0].shape().toIntArray();
            int[][] source = new int[r][];
            for (int d = 0; d < r; d++) {
                int n = x.dim(d), begin = Math.toIntExact(op.pads().get(d));
                source[d] = new int[shape[d]];
                for (int o = 0; o < shape[d]; o++) source[d][o] = sourceCoordinate(op.mode(), o - begin, n);
            }
            int[] strides = NdArray.strides(x.shape);
            int[] map = new int[NdArray.sizeOf(shape)];
            int[] pos = new int[r];
            for (int i = 0; i < map.length; i++) {
                int o = 0;
                for (int d = 0; d < r && o >= 0; d++) {
                    int c = source[d][pos[d]];
                    o = c < 0 ? -1 : o + c * strides[d];
                }
                map[i] = o;
                WindowGeometry.increment(pos, shape);
            }
            return ActivationKernels.one(x.gather(shape, map, op.value()));
        };
    }

    /** The input coordinate an output coordinate {@code c} (relative to the unpadded start) copies, or -1. */
    private static int sourceCoordinate(Pad.Mode mode, int c, int n) {
        if (c >= 0 && c < n) return c;
        return switch (mode) {
            case CONSTANT -> -1;
            case EDGE -> n == 0 ? -1 : Math.max(0, Math.min(n - 1, c));
            case REFLECT -> {
                if (n == 1) yield 0;
                int period = 2 * (n - 1);
                int m = Math.floorMod(c, period);
                yield m < n ? m : period - m;
            }
        };
    }

    static Kernel gather(Gather op, NodeContext ctx) {
        return (in, outTypes) -> {
            NdArray x = in[0];
            long[] indices = in[1].longView();
            int axis = Shapes.axis(op.axis(), x.rank());
            int[] shape = outTypes[0].shape().toIntArray();
            int outer = NdArray.product(x.shape, 0, axis), inner = NdArray.product(x.shape, axis + 1, x.rank());
            int axisLen = x.dim(axis);
            NdArray y = NdArray.zeros(x.dtype, shape);
            for (int j = 0; j < indices.length; j++) {
                long k = indices[j] < 0 ? indices[j] + axisLen : indices[j];
                if (k < 0 || k >= axisLen)
                    throw ctx.error("index " + indices[j] + " out of range for dim " + axis + " of size " + axisLen);
                for (int o = 0; o < outer; o++)
                    y.copyFrom(x, (o * axisLen + (int) k) * inner, (o * indices.length + j) * inner, inner);
            }
            return ActivationKernels.one(y);
        };
    }
}
