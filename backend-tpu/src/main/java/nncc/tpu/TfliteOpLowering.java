package nncc.tpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.ModelException;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Concat;
import nncc.ir.op.Dequantize;
import nncc.ir.op.LutFunction;
import nncc.ir.op.MaxPool;
import nncc.ir.op.Pad;
import nncc.ir.op.QAdd;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QLut;
import nncc.ir.op.QMean;
import nncc.ir.op.QMul;
import nncc.ir.op.QSoftmax;
import nncc.ir.op.Quantize;
import nncc.ir.op.Requantize;
import nncc.ir.op.Reshape;
import nncc.ir.op.Transpose;
import org.tensorflow.lite.schema.*;

/**
 * Maps one TFLite operator (by builtin code) to lowered IR ops; convolutions are in {@link TfliteConvLowering},
 * slicing in {@link TfliteSliceLowering}, float32 compute ops in {@link TfliteFloatLowering}. Every op whose meaning depends on layout converts axes, paddings or
 * operands between TFLite's NHWC and the IR's NCHW (see {@link TfliteGraphBuilder}).
 */
final class TfliteOpLowering {
    private TfliteOpLowering() {}

    /** Lowers {@code op}; false when the builtin code is not supported. */
    static boolean lower(TfliteGraphBuilder b, int code, Operator op) {
        if (code != BuiltinOperator.QUANTIZE && TfliteFloatLowering.isFloat(b, op) && TfliteFloatLowering.lower(b, code, op)) return true;
        switch (code) {
            case BuiltinOperator.CONV_2D -> TfliteConvLowering.conv(b, op, false);
            case BuiltinOperator.DEPTHWISE_CONV_2D -> TfliteConvLowering.conv(b, op, true);
            case BuiltinOperator.FULLY_CONNECTED -> TfliteConvLowering.fullyConnected(b, op);
            case BuiltinOperator.TRANSPOSE_CONV -> TfliteSliceLowering.transposeConv(b, op);
            case BuiltinOperator.ADD -> add(b, op, false, activation(op, new AddOptions()));
            case BuiltinOperator.SUB -> add(b, op, true, activation(op, new SubOptions()));
            case BuiltinOperator.MUL -> mul(b, op);
            case BuiltinOperator.AVERAGE_POOL_2D, BuiltinOperator.MAX_POOL_2D -> pool(b, op, code == BuiltinOperator.MAX_POOL_2D);
            case BuiltinOperator.MEAN -> mean(b, op);
            case BuiltinOperator.PAD, BuiltinOperator.PADV2 -> pad(b, op);
            case BuiltinOperator.RESHAPE -> reshape(b, op);
            case BuiltinOperator.TRANSPOSE -> transpose(b, op);
            case BuiltinOperator.CONCATENATION -> concat(b, op);
            case BuiltinOperator.SOFTMAX -> softmax(b, op);
            case BuiltinOperator.STRIDED_SLICE -> TfliteSliceLowering.stridedSlice(b, op);
            case BuiltinOperator.QUANTIZE -> quantize(b, op);
            case BuiltinOperator.DEQUANTIZE -> dequantize(b, op);
            case BuiltinOperator.RELU -> lut(b, op, LutFunction.RELU, 0, TflitePrepare.ACT_RELU);
            case BuiltinOperator.RELU6 -> lut(b, op, LutFunction.CLIP, 6, TflitePrepare.ACT_RELU6);
            case BuiltinOperator.RELU_N1_TO_1 -> lut(b, op, LutFunction.CLIP, 1, TflitePrepare.ACT_RELU_N1_TO_1);
            case BuiltinOperator.LEAKY_RELU -> {
                LeakyReluOptions o = (LeakyReluOptions) op.builtinOptions(new LeakyReluOptions());
                lut(b, op, LutFunction.LEAKY_RELU, o == null ? 0.2f : o.alpha(), -1);
            }
            case BuiltinOperator.LOGISTIC -> lut(b, op, LutFunction.SIGMOID, 0, -1);
            case BuiltinOperator.TANH -> lut(b, op, LutFunction.TANH, 0, -1);
            default -> { return false; }
        }
        return true;
    }

    private static int activation(Operator op, com.google.flatbuffers.Table options) {
        com.google.flatbuffers.Table t = op.builtinOptions(options);
        if (t == null) return TflitePrepare.ACT_NONE;
        if (t instanceof AddOptions a) return a.fusedActivationFunction();
        if (t instanceof SubOptions s) return s.fusedActivationFunction();
        if (t instanceof MulOptions m) return m.fusedActivationFunction();
        return TflitePrepare.ACT_NONE;
    }

    /** A binary op's operand, broadcast-compatible with an output of rank {@code outRank} in the IR layout. */
    static Value operand(TfliteGraphBuilder b, int tensor, int outRank) {
        TfliteTensors.Info t = b.info(tensor);
        if (outRank != 4 || t.rank() == 4) return b.input(tensor);
        long[] d = new long[4];
        Arrays.fill(d, 1);
        System.arraycopy(t.shape(), 0, d, 4 - t.rank(), t.rank());
        if (t.data() != null)
            return b.constant(t.name(), TfliteGraphBuilder.permute(t.data().reshape(nncc.ir.Shape.of(d)), TfliteGraphBuilder.TO_NCHW), t.quant());
        Value v = b.input(tensor);
        Value nhwc = b.emit(v.name() + "/rank4", new Reshape(Arrays.stream(d).boxed().toList(), true), List.of(v), v.type().quant());
        return b.toNchw(nhwc);
    }

    static void add(TfliteGraphBuilder b, Operator op, boolean subtract, int activation) {
        TfliteTensors.Info ai = b.info(op.inputs(0)), bi = b.info(op.inputs(1)), yi = b.info(op.outputs(0));
        TfliteConvLowering.requireQuantized(b, ai, bi, yi);
        int[] range = TfliteConvLowering.range(b, activation, yi);
        Rounding rounding = b.rounding(yi.dtype());
        if (b.floatLinear(yi.dtype()) && ai.dtype() == DType.I8 && bi.dtype() == DType.I8) {
            // the runtime's arithmetic: XNNPACK's fixed-point ADD, exactly, in QAdd's single-rounding form; an ADD whose
            // scale ratios XNNPACK refuses runs on TFLite's own kernel, in its reference (double) rounding
            if (XnnpackPrepare.delegatesAdd(ai.scale(), bi.scale(), yi.scale())) {
                bindBinary(b, op, XnnpackPrepare.add(ai.zeroPoint(), bi.zeroPoint(), ai.scale(), bi.scale(), yi.scale(),
                        yi.zeroPoint(), yi.dtype(), range[0], range[1], subtract), yi);
                return;
            }
            rounding = Rounding.DOUBLE_ROUND;
        }
        TflitePrepare.AddNumbers n = TflitePrepare.addNumbers(ai.scale(), bi.scale(), yi.scale(), yi.dtype());
        QAdd q = new QAdd(ai.zeroPoint(), bi.zeroPoint(), n.leftShift(), n.a().multiplier(), n.a().shift(),
                n.b().multiplier(), n.b().shift(), n.out().multiplier(), n.out().shift(), yi.zeroPoint(), yi.scale(),
                yi.dtype(), range[0], range[1], rounding, subtract);
        bindBinary(b, op, q, yi);
    }

    static void mul(TfliteGraphBuilder b, Operator op) {
        TfliteTensors.Info ai = b.info(op.inputs(0)), bi = b.info(op.inputs(1)), yi = b.info(op.outputs(0));
        TfliteConvLowering.requireQuantized(b, ai, bi, yi);
        FixedPoint.Multiplier m = TflitePrepare.quantize((double) ai.scale() * (double) bi.scale() / (double) yi.scale());
        int[] range = TfliteConvLowering.range(b, activation(op, new MulOptions()), yi);
        bindBinary(b, op, new QMul(ai.zeroPoint(), bi.zeroPoint(), m.multiplier(), m.shift(), yi.zeroPoint(), yi.scale(),
                yi.dtype(), range[0], range[1], b.rounding(yi.dtype())), yi);
    }

    private static void bindBinary(TfliteGraphBuilder b, Operator op, nncc.ir.op.Op q, TfliteTensors.Info yi) {
        Value x = operand(b, op.inputs(0), yi.rank()), z = operand(b, op.inputs(1), yi.rank());
        b.bind(op.outputs(0), b.emit(yi.name(), q, List.of(x, z), null));
    }

    static void pool(TfliteGraphBuilder b, Operator op, boolean max) {
        Pool2DOptions o = (Pool2DOptions) op.builtinOptions(new Pool2DOptions());
        if (o == null) throw new ModelException(b.opLabel + ": missing Pool2DOptions");
        TfliteTensors.Info xi = b.info(op.inputs(0)), yi = b.info(op.outputs(0));
        TfliteConvLowering.requireQuantized(b, xi, yi);
        if (xi.scale() != yi.scale() || xi.zeroPoint() != yi.zeroPoint())
            throw new ModelException(b.opLabel + ": input and output quantization differ (TFLite requires them equal)");
        var g = new TfliteConvLowering.Geometry(o.strideH(), o.strideW(), 1, 1, o.padding());
        List<Integer> pads = TfliteConvLowering.pads(g, xi.shape()[1], xi.shape()[2], o.filterHeight(), o.filterWidth(), yi.shape()[1], yi.shape()[2]);
        List<Integer> kernel = List.of(o.filterHeight(), o.filterWidth()), strides = List.of(o.strideH(), o.strideW());
        int[] range = TfliteConvLowering.range(b, o.fusedActivationFunction(), yi);
        Value x = b.input(op.inputs(0));
        Value y;
        if (!max) y = b.emit(yi.name(), new QAveragePool(kernel, strides, pads, false, range[0], range[1]), List.of(x), null);
        else {
            y = b.emit(yi.name(), new MaxPool(kernel, strides, pads, List.of(1, 1), false, 0), List.of(x), null);
            if (range[0] > yi.dtype().minValue() || range[1] < yi.dtype().maxValue()) {
                int lo = range[0], hi = range[1];
                y = lutNode(b, y, yi, LutFunction.CLIP, 0, 0, TflitePrepare.table(yi.dtype(), yi.dtype(), v -> FixedPoint.clamp(v, lo, hi)));
            }
        }
        b.bind(op.outputs(0), y);
    }

    static void mean(TfliteGraphBuilder b, Operator op) {
        ReducerOptions o = (ReducerOptions) op.builtinOptions(new ReducerOptions());
        boolean keepDims = o != null && o.keepDims();
        TfliteTensors.Info xi = b.info(op.inputs(0)), yi = b.info(op.outputs(0));
        TfliteConvLowering.requireQuantized(b, xi, yi);
        int rank = xi.rank();
        long[] axes = constInts(b, op.inputs(1));
        boolean irLayout = keepDims && rank == 4;
        List<Integer> irAxes = new ArrayList<>();
        long n = 1;
        for (long a : axes) {
            int axis = (int) (a < 0 ? a + rank : a);
            if (axis < 0 || axis >= rank) throw new ModelException(b.opLabel + ": axis " + a + " outside rank " + rank);
            int ir = irLayout ? TfliteGraphBuilder.irAxis(axis, 4) : axis;
            if (!irAxes.contains(ir)) { irAxes.add(ir); n *= xi.shape()[axis]; }
        }
        Value x = irLayout ? b.input(op.inputs(0)) : b.toNhwc(b.input(op.inputs(0)));
        FixedPoint.Multiplier m = TflitePrepare.meanMultiplier(xi.scale(), yi.scale(), n);
        QMean q = new QMean(irAxes, keepDims, xi.zeroPoint(), m.multiplier(), m.shift(), yi.zeroPoint(),
                yi.scale(), yi.dtype(), b.rounding(yi.dtype()));
        if (b.floatLinear(yi.dtype()) && xi.dtype() == DType.I8 && XnnpackPrepare.delegatesMean(rank, axes, xi.scale(), yi.scale()))
            q = q.withOnnxScales(List.of(XnnpackPrepare.meanScale(xi.scale(), yi.scale(), n)));
        Value y = b.emit(yi.name(), q, List.of(x), null);
        b.bind(op.outputs(0), irLayout ? y : b.toNchw(y));
    }

    static void pad(TfliteGraphBuilder b, Operator op) {
        TfliteTensors.Info xi = b.info(op.inputs(0)), yi = b.info(op.outputs(0));
        int rank = xi.rank();
        long[] p = constInts(b, op.inputs(1));
        if (p.length != 2 * rank) throw new ModelException(b.opLabel + ": paddings of " + p.length + " values for rank " + rank);
        Long[] pads = new Long[2 * rank];
        for (int i = 0; i < rank; i++) {
            int src = rank == 4 ? TfliteGraphBuilder.TO_NCHW.get(i) : i;
            pads[i] = p[2 * src];
            pads[rank + i] = p[2 * src + 1];
            if (pads[i] < 0 || pads[rank + i] < 0) throw new ModelException(b.opLabel + ": negative padding " + Arrays.toString(p));
        }
        float value = (float) yi.zeroPoint();
        if (op.inputsLength() > 2 && op.inputs(2) >= 0) {
            TfliteTensors.Info vi = b.info(op.inputs(2));
            if (vi.data() == null) throw new ModelException(b.opLabel + ": non-constant pad value");
            value = vi.dtype().isInteger() ? vi.data().toLongs()[0] : vi.data().toFloats()[0];
        }
        b.bind(op.outputs(0), b.emit(yi.name(), new Pad(Arrays.asList(pads), Pad.Mode.CONSTANT, value), List.of(b.input(op.inputs(0))), yi.quant()));
    }

    static void reshape(TfliteGraphBuilder b, Operator op) {
        TfliteTensors.Info yi = b.info(op.outputs(0));
        Value x = b.toNhwc(b.input(op.inputs(0)));
        Value y = b.emit(yi.name(), new Reshape(Arrays.stream(yi.shape()).boxed().toList(), true), List.of(x), yi.quant());
        b.bind(op.outputs(0), b.toNchw(y));
    }

    static void transpose(TfliteGraphBuilder b, Operator op) {
        TfliteTensors.Info yi = b.info(op.outputs(0));
        long[] perm = constInts(b, op.inputs(1));
        Value x = b.toNhwc(b.input(op.inputs(0)));
        Value y = b.emit(yi.name(), new Transpose(Arrays.stream(perm).mapToObj(v -> (int) v).toList()), List.of(x), yi.quant());
        b.bind(op.outputs(0), b.toNchw(y));
    }

    static void concat(TfliteGraphBuilder b, Operator op) {
        ConcatenationOptions o = (ConcatenationOptions) op.builtinOptions(new ConcatenationOptions());
        if (o != null && o.fusedActivationFunction() != TflitePrepare.ACT_NONE)
            throw new ModelException(b.opLabel + ": fused activation on CONCATENATION is not supported");
        TfliteTensors.Info yi = b.info(op.outputs(0));
        int axis = o == null ? 0 : o.axis();
        if (axis < 0) axis += yi.rank();
        List<Value> ins = new ArrayList<>();
        for (int i = 0; i < op.inputsLength(); i++) {
            TfliteTensors.Info xi = b.info(op.inputs(i));
            if (yi.quant() != null && (xi.scale() != yi.scale() || xi.zeroPoint() != yi.zeroPoint()))
                throw new ModelException(b.opLabel + ": input " + i + " quantization differs from the output's");
            ins.add(b.input(op.inputs(i)));
        }
        b.bind(op.outputs(0), b.emit(yi.name(), new Concat(TfliteGraphBuilder.irAxis(axis, yi.rank())), ins, yi.quant()));
    }

    static void softmax(TfliteGraphBuilder b, Operator op) {
        SoftmaxOptions o = (SoftmaxOptions) op.builtinOptions(new SoftmaxOptions());
        TfliteTensors.Info xi = b.info(op.inputs(0)), yi = b.info(op.outputs(0));
        TfliteConvLowering.requireQuantized(b, xi, yi);
        if (xi.dtype() != DType.I8 && xi.dtype() != DType.U8) throw new ModelException(b.opLabel + ": " + xi.dtype().text() + " SOFTMAX is not supported");
        nncc.ir.FixedPointMath.SoftmaxScaling s = nncc.ir.FixedPointMath.softmaxScaling(o == null ? 1.0 : o.beta(), xi.scale());
        int axis = TfliteGraphBuilder.irAxis(xi.rank() - 1, xi.rank());
        b.bind(op.outputs(0), b.emit(yi.name(), new QSoftmax(axis, s.inputMultiplier(), s.inputLeftShift(), s.diffMin(),
                yi.scale(), yi.zeroPoint(), yi.dtype()), List.of(b.input(op.inputs(0))), null));
    }

    static void quantize(TfliteGraphBuilder b, Operator op) {
        TfliteTensors.Info xi = b.info(op.inputs(0)), yi = b.info(op.outputs(0));
        TfliteConvLowering.requireQuantized(b, yi);
        Value x = b.input(op.inputs(0));
        if (xi.dtype() == DType.F32) {
            b.bind(op.outputs(0), b.emit(yi.name(), new Quantize(yi.scale(), yi.zeroPoint(), yi.dtype()), List.of(x), null));
            return;
        }
        TfliteConvLowering.requireQuantized(b, xi);
        FixedPoint.Multiplier m = TflitePrepare.quantize((double) xi.scale() / (double) yi.scale());
        b.bind(op.outputs(0), b.emit(yi.name(), new Requantize(xi.zeroPoint(), m.multiplier(), m.shift(), yi.zeroPoint(),
                yi.scale(), yi.dtype(), b.rounding(yi.dtype())), List.of(x), null));
    }

    static void dequantize(TfliteGraphBuilder b, Operator op) {
        TfliteTensors.Info xi = b.info(op.inputs(0)), yi = b.info(op.outputs(0));
        TfliteConvLowering.requireQuantized(b, xi);
        if (xi.quant().isPerAxis() || yi.dtype() != DType.F32) throw new ModelException(b.opLabel + ": only per-tensor DEQUANTIZE to float32 is supported");
        b.bind(op.outputs(0), b.emit(yi.name(), new Dequantize(xi.scale(), xi.zeroPoint()), List.of(b.input(op.inputs(0))), null));
    }

    /** An elementwise activation as a QLut whose table is TFLite's integer arithmetic on every input code. */
    static void lut(TfliteGraphBuilder b, Operator op, LutFunction f, float alpha, int reluKind) {
        TfliteTensors.Info xi = b.info(op.inputs(0)), yi = b.info(op.outputs(0));
        TfliteConvLowering.requireQuantized(b, xi, yi);
        java.util.function.IntUnaryOperator fn = switch (f) {
            case LEAKY_RELU -> TflitePrepare.leakyRelu(alpha, xi.quant(), yi.quant());
            case SIGMOID -> TflitePrepare.floatFunction(v -> 1 / (1 + Math.exp(-v)), xi.quant(), yi.quant());
            case TANH -> TflitePrepare.floatFunction(Math::tanh, xi.quant(), yi.quant());
            default -> TflitePrepare.relu(reluKind, xi.quant(), yi.quant(), yi.dtype());
        };
        if ((f == LutFunction.SIGMOID || f == LutFunction.TANH) && xi.dtype() == DType.I16)
            throw new ModelException(b.opLabel + ": int16 " + f + " is not supported");
        float lo = reluKind == TflitePrepare.ACT_RELU_N1_TO_1 ? -1 : 0;
        Value y = lutNode(b, b.input(op.inputs(0)), yi, f, f == LutFunction.CLIP ? lo : alpha, f == LutFunction.CLIP ? alpha : 0,
                TflitePrepare.table(xi.dtype(), yi.dtype(), fn));
        b.bind(op.outputs(0), y);
    }

    private static Value lutNode(TfliteGraphBuilder b, Value x, TfliteTensors.Info yi, LutFunction f, float alpha, float beta, Tensor table) {
        Value t = b.constant(yi.name() + "/table", table, null);
        return b.emit(yi.name(), new QLut(f, alpha, beta, yi.dtype(), yi.scale(), yi.zeroPoint()), List.of(x, t), null);
    }

    /** A constant integer tensor's values (axes, paddings, perms, slice bounds). */
    static long[] constInts(TfliteGraphBuilder b, int tensor) {
        TfliteTensors.Info t = b.info(tensor);
        if (t.data() == null || t.dtype() == null || !t.dtype().isInteger())
            throw new ModelException(b.opLabel + ": " + t.describe() + " must be a constant integer tensor");
        return t.data().toLongs();
    }
}
