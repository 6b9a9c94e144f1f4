package nncc.tpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.ModelException;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Gather;
import nncc.ir.op.Pad;
import nncc.ir.op.QConvTranspose;
import nncc.ir.op.Reshape;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.StridedSliceOptions;
import org.tensorflow.lite.schema.TransposeConvOptions;

/**
 * STRIDED_SLICE through index selection, and TRANSPOSE_CONV. A slice with unit strides is a Pad with negative
 * pads (a crop); other strides are a Gather of the selected indices per axis. TRANSPOSE_CONV is a QConvTranspose (the
 * scatter sum, OIHW filter) with the pads TFLite derives from the output size, so it can be written back.
 */
final class TfliteSliceLowering {
    private TfliteSliceLowering() {}

    static void stridedSlice(TfliteGraphBuilder b, Operator op) {
        StridedSliceOptions o = (StridedSliceOptions) op.builtinOptions(new StridedSliceOptions());
        if (o == null) throw new ModelException(b.opLabel + ": missing StridedSliceOptions");
        if (o.ellipsisMask() != 0 || o.newAxisMask() != 0)
            throw new ModelException(b.opLabel + ": ellipsis_mask and new_axis_mask are not supported");
        TfliteTensors.Info xi = b.info(op.inputs(0)), yi = b.info(op.outputs(0));
        long[] begin = TfliteOpLowering.constInts(b, op.inputs(1)), end = TfliteOpLowering.constInts(b, op.inputs(2));
        long[] strides = op.inputsLength() > 3 ? TfliteOpLowering.constInts(b, op.inputs(3)) : new long[begin.length];
        if (op.inputsLength() <= 3) Arrays.fill(strides, 1);
        int rank = xi.rank();
        if (begin.length != rank || end.length != rank || strides.length != rank)
            throw new ModelException(b.opLabel + ": begin/end/strides must have " + rank + " entries");
        boolean irLayout = rank == 4 && o.shrinkAxisMask() == 0;
        Value x = irLayout ? b.input(op.inputs(0)) : b.toNhwc(b.input(op.inputs(0)));
        List<long[]> picks = new ArrayList<>();
        boolean unit = true;
        for (int a = 0; a < rank; a++) {
            long dim = xi.shape()[a], s = strides[a];
            if (s == 0) throw new ModelException(b.opLabel + ": stride 0 on axis " + a);
            boolean shrink = (o.shrinkAxisMask() >> a & 1) != 0;
            long start = bound(begin[a], dim, s, (o.beginMask() >> a & 1) != 0, true);
            long stop = o.offset() ? bound(begin[a] + end[a], dim, s, false, false) : bound(end[a], dim, s, (o.endMask() >> a & 1) != 0, false);
            if (shrink) { stop = start + 1; s = 1; }
            List<Long> idx = new ArrayList<>();
            for (long i = start; s > 0 ? i < stop : i > stop; i += s) idx.add(i);
            picks.add(idx.stream().mapToLong(Long::longValue).toArray());
            if (s != 1) unit = false;
        }
        QuantParams q = yi.quant();
        Value y = x;
        if (unit) {
            Long[] pads = new Long[2 * rank];
            for (int i = 0; i < rank; i++) {
                int a = irLayout ? TfliteGraphBuilder.TO_NCHW.get(i) : i;
                long[] p = picks.get(a);
                pads[i] = p.length == 0 ? 0 : -p[0];
                pads[rank + i] = p.length == 0 ? -xi.shape()[a] : -(xi.shape()[a] - (p[p.length - 1] + 1));
            }
            if (Arrays.stream(pads).anyMatch(p -> p != 0)) y = b.emit(yi.name(), new Pad(Arrays.asList(pads), Pad.Mode.CONSTANT, 0f), List.of(y), q);
        } else {
            for (int i = 0; i < rank; i++) {
                int a = irLayout ? TfliteGraphBuilder.TO_NCHW.get(i) : i;
                long[] p = picks.get(a);
                if (isAll(p, xi.shape()[a])) continue;
                Value idx = b.constant(yi.name() + "/indices" + i, Tensor.ofLongs(DType.I64, Shape.of(p.length), p), null);
                y = b.emit(yi.name(), new Gather(i), List.of(y, idx), q);
            }
        }
        if (!irLayout) {
            if (y.type().rank() != yi.rank() || !y.type().shape().equals(Shape.of(yi.shape())))
                y = b.emit(yi.name() + "/shape", new Reshape(Arrays.stream(yi.shape()).boxed().toList(), true), List.of(y), q);
            y = b.toNchw(y);
        }
        b.bind(op.outputs(0), y);
    }

    private static boolean isAll(long[] p, long dim) {
        if (p.length != dim) return false;
        for (int i = 0; i < p.length; i++) if (p[i] != i) return false;
        return true;
    }

    /** TFLite's StartForAxis / StopForAxis: masked, negative-wrapped and clamped bounds. */
    private static long bound(long v, long dim, long stride, boolean masked, boolean isStart) {
        if (masked) return isStart ? (stride > 0 ? 0 : dim - 1) : (stride > 0 ? dim : -1);
        if (v < 0) v += dim;
        return stride > 0 ? Math.max(0, Math.min(dim, v)) : Math.max(-1, Math.min(dim - 1, v));
    }

    static void transposeConv(TfliteGraphBuilder b, Operator op) {
        TransposeConvOptions o = (TransposeConvOptions) op.builtinOptions(new TransposeConvOptions());
        if (o == null) throw new ModelException(b.opLabel + ": missing TransposeConvOptions");
        TfliteTensors.Info wi = b.info(op.inputs(1)), xi = b.info(op.inputs(2)), yi = b.info(op.outputs(0));
        TfliteConvLowering.requireQuantized(b, wi, xi, yi);
        if (wi.data() == null || wi.rank() != 4 || xi.rank() != 4) throw new ModelException(b.opLabel + ": needs a constant 4-D filter and a 4-D input");
        if (wi.shape()[3] != xi.shape()[3]) throw new ModelException(b.opLabel + ": filter depth " + wi.shape()[3] + " differs from input channels " + xi.shape()[3]);
        for (long z : wi.quant().zeroPoints()) if (z != 0) throw new ModelException(b.opLabel + ": filter zero point " + z + " is not 0");
        int[] stride = {o.strideH(), o.strideW()};
        long[] k = {wi.shape()[1], wi.shape()[2]}, in = {xi.shape()[1], xi.shape()[2]}, out = {yi.shape()[1], yi.shape()[2]};
        long[] begin = new long[2], end = new long[2];
        for (int axis = 0; axis < 2; axis++) {
            // TFLite's padding: a forward conv from the output size back to the input size
            long back = o.padding() == org.tensorflow.lite.schema.Padding.SAME ? (out[axis] + stride[axis] - 1) / stride[axis]
                    : (out[axis] - k[axis] + stride[axis]) / stride[axis];
            long total = o.padding() == org.tensorflow.lite.schema.Padding.SAME ? Math.max((back - 1) * stride[axis] + k[axis] - out[axis], 0) : 0;
            begin[axis] = total / 2;
            end[axis] = (in[axis] - 1) * stride[axis] + k[axis] - begin[axis] - out[axis]; // what the scatter reaches past the output
        }
        Tensor w = TfliteGraphBuilder.permute(wi.data(), TfliteGraphBuilder.TO_NCHW);
        QuantParams wq = wi.quant().isPerAxis() ? QuantParams.perAxis(0, wi.quant().scales(), wi.quant().zeroPoints()) : wi.quant();
        long outC = wi.shape()[0];
        List<Value> inputs = new ArrayList<>(List.of(b.input(op.inputs(2)), b.constant(wi.name(), w, wq)));
        if (op.inputsLength() > 3 && op.inputs(3) >= 0) inputs.add(TfliteConvLowering.bias(b, op.inputs(3), xi.dtype(), outC));
        List<FixedPoint.Multiplier> ms = TflitePrepare.convMultipliers(xi.scale(), wi.quant(), yi.scale(), (int) outC);
        int[] range = TfliteConvLowering.range(b, o.fusedActivationFunction(), yi);
        QConvTranspose q = new QConvTranspose(List.of(stride[0], stride[1]), List.of((int) begin[0], (int) begin[1], (int) end[0], (int) end[1]),
                xi.zeroPoint(), ms.stream().map(FixedPoint.Multiplier::multiplier).toList(), ms.stream().map(FixedPoint.Multiplier::shift).toList(),
                yi.zeroPoint(), yi.scale(), yi.dtype(), range[0], range[1], b.rounding(yi.dtype()));
        b.bind(op.outputs(0), b.emit(yi.name(), q, inputs, null));
    }
}
