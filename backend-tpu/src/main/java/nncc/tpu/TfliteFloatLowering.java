package nncc.tpu;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.Add;
import nncc.ir.op.AveragePool;
import nncc.ir.op.Clip;
import nncc.ir.op.Conv;
import nncc.ir.op.Gemm;
import nncc.ir.op.LeakyRelu;
import nncc.ir.op.MaxPool;
import nncc.ir.op.Mul;
import nncc.ir.op.Op;
import nncc.ir.op.ReduceMean;
import nncc.ir.op.Relu;
import nncc.ir.op.Reshape;
import nncc.ir.op.Sigmoid;
import nncc.ir.op.Softmax;
import nncc.ir.op.Sub;
import nncc.ir.op.Tanh;
import org.tensorflow.lite.schema.*;

/**
 * Float32 TFLite ops to nncc's float records (the same layout rules as the integer path): convolutions and
 * FULLY_CONNECTED with their fused activation, elementwise ADD/SUB/MUL, pools, MEAN, SOFTMAX and activations.
 * Data movement (PAD, RESHAPE, TRANSPOSE, CONCATENATION, STRIDED_SLICE) is shared with the integer path.
 */
final class TfliteFloatLowering {
    private TfliteFloatLowering() {}

    static boolean isFloat(TfliteGraphBuilder b, Operator op) {
        return b.info(op.inputs(0)).dtype() == DType.F32;
    }

    /** Lowers a float compute op; false when {@code code} is not one (then the shared path decides). */
    static boolean lower(TfliteGraphBuilder b, int code, Operator op) {
        TfliteTensors.Info yi = b.info(op.outputs(0));
        switch (code) {
            case BuiltinOperator.CONV_2D, BuiltinOperator.DEPTHWISE_CONV_2D -> conv(b, op, code == BuiltinOperator.DEPTHWISE_CONV_2D);
            case BuiltinOperator.FULLY_CONNECTED -> fullyConnected(b, op);
            case BuiltinOperator.ADD -> binary(b, op, new Add(act(b, fused(op.builtinOptions(new AddOptions())))));
            case BuiltinOperator.SUB -> binary(b, op, new Sub(act(b, fused(op.builtinOptions(new SubOptions())))));
            case BuiltinOperator.MUL -> binary(b, op, new Mul(act(b, fused(op.builtinOptions(new MulOptions())))));
            case BuiltinOperator.AVERAGE_POOL_2D, BuiltinOperator.MAX_POOL_2D -> pool(b, op, code == BuiltinOperator.MAX_POOL_2D);
            case BuiltinOperator.MEAN -> {
                ReducerOptions o = (ReducerOptions) op.builtinOptions(new ReducerOptions());
                boolean keep = o != null && o.keepDims();
                TfliteTensors.Info xi = b.info(op.inputs(0));
                boolean irLayout = keep && xi.rank() == 4;
                List<Integer> axes = new ArrayList<>();
                for (long a : TfliteOpLowering.constInts(b, op.inputs(1))) {
                    int axis = (int) (a < 0 ? a + xi.rank() : a);
                    axes.add(irLayout ? TfliteGraphBuilder.irAxis(axis, 4) : axis);
                }
                Value x = irLayout ? b.input(op.inputs(0)) : b.toNhwc(b.input(op.inputs(0)));
                Value y = b.emit(yi.name(), new ReduceMean(axes, keep), List.of(x), null);
                b.bind(op.outputs(0), irLayout ? y : b.toNchw(y));
            }
            case BuiltinOperator.SOFTMAX -> {
                SoftmaxOptions o = (SoftmaxOptions) op.builtinOptions(new SoftmaxOptions());
                if (o != null && o.beta() != 1f) throw new ModelException(b.opLabel + ": float SOFTMAX with beta " + o.beta() + " is not supported");
                unary(b, op, new Softmax(TfliteGraphBuilder.irAxis(yi.rank() - 1, yi.rank())));
            }
            case BuiltinOperator.RELU -> unary(b, op, new Relu());
            case BuiltinOperator.RELU6 -> unary(b, op, new Clip(0, 6));
            case BuiltinOperator.RELU_N1_TO_1 -> unary(b, op, new Clip(-1, 1));
            case BuiltinOperator.LOGISTIC -> unary(b, op, new Sigmoid());
            case BuiltinOperator.TANH -> unary(b, op, new Tanh());
            case BuiltinOperator.LEAKY_RELU -> {
                LeakyReluOptions o = (LeakyReluOptions) op.builtinOptions(new LeakyReluOptions());
                unary(b, op, new LeakyRelu(o == null ? 0.2f : o.alpha()));
            }
            default -> { return false; }
        }
        return true;
    }

    private static int fused(com.google.flatbuffers.Table t) {
        if (t instanceof AddOptions a) return a.fusedActivationFunction();
        if (t instanceof SubOptions s) return s.fusedActivationFunction();
        if (t instanceof MulOptions m) return m.fusedActivationFunction();
        return 0;
    }

    static Activation act(TfliteGraphBuilder b, int code) {
        return switch (code) {
            case TflitePrepare.ACT_NONE -> Activation.NONE;
            case TflitePrepare.ACT_RELU -> Activation.RELU;
            case TflitePrepare.ACT_RELU6 -> Activation.RELU6;
            case TflitePrepare.ACT_RELU_N1_TO_1 -> Activation.RELU_N1_TO_1;
            default -> throw new ModelException(b.opLabel + ": fused activation " + code + " is not supported");
        };
    }

    private static void unary(TfliteGraphBuilder b, Operator op, Op ir) {
        b.bind(op.outputs(0), b.emit(b.info(op.outputs(0)).name(), ir, List.of(b.input(op.inputs(0))), null));
    }

    private static void binary(TfliteGraphBuilder b, Operator op, Op ir) {
        TfliteTensors.Info yi = b.info(op.outputs(0));
        Value x = TfliteOpLowering.operand(b, op.inputs(0), yi.rank()), z = TfliteOpLowering.operand(b, op.inputs(1), yi.rank());
        b.bind(op.outputs(0), b.emit(yi.name(), ir, List.of(x, z), null));
    }

    private static void conv(TfliteGraphBuilder b, Operator op, boolean depthwise) {
        TfliteConvLowering.Geometry g;
        int activation;
        if (depthwise) {
            DepthwiseConv2DOptions o = (DepthwiseConv2DOptions) op.builtinOptions(new DepthwiseConv2DOptions());
            if (o == null) throw new ModelException(b.opLabel + ": missing DepthwiseConv2DOptions");
            g = new TfliteConvLowering.Geometry(o.strideH(), o.strideW(), o.dilationHFactor(), o.dilationWFactor(), o.padding());
            activation = o.fusedActivationFunction();
        } else {
            Conv2DOptions o = (Conv2DOptions) op.builtinOptions(new Conv2DOptions());
            if (o == null) throw new ModelException(b.opLabel + ": missing Conv2DOptions");
            g = new TfliteConvLowering.Geometry(o.strideH(), o.strideW(), o.dilationHFactor(), o.dilationWFactor(), o.padding());
            activation = o.fusedActivationFunction();
        }
        TfliteTensors.Info xi = b.info(op.inputs(0)), wi = b.info(op.inputs(1)), yi = b.info(op.outputs(0));
        if (wi.data() == null || wi.rank() != 4 || xi.rank() != 4) throw new ModelException(b.opLabel + ": needs a constant 4-D filter and a 4-D input");
        long inC = xi.shape()[3];
        var w = TfliteGraphBuilder.permute(wi.data(), depthwise ? List.of(3, 0, 1, 2) : TfliteGraphBuilder.TO_NCHW);
        int group = depthwise ? (int) inC : (int) (inC / wi.shape()[3]);
        List<Value> inputs = new ArrayList<>(List.of(b.input(op.inputs(0)), b.constant(wi.name(), w, null)));
        if (op.inputsLength() > 2 && op.inputs(2) >= 0) inputs.add(b.input(op.inputs(2)));
        List<Integer> pads = TfliteConvLowering.pads(g, xi.shape()[1], xi.shape()[2], wi.shape()[1], wi.shape()[2], yi.shape()[1], yi.shape()[2]);
        Conv c = new Conv(List.of(g.strideH(), g.strideW()), pads, List.of(g.dilationH(), g.dilationW()), group, act(b, activation));
        b.bind(op.outputs(0), b.emit(yi.name(), c, inputs, null));
    }

    private static void fullyConnected(TfliteGraphBuilder b, Operator op) {
        FullyConnectedOptions o = (FullyConnectedOptions) op.builtinOptions(new FullyConnectedOptions());
        TfliteTensors.Info wi = b.info(op.inputs(1)), yi = b.info(op.outputs(0));
        if (wi.rank() != 2) throw new ModelException(b.opLabel + ": weights must be 2-D");
        long k = wi.shape()[1];
        Value x = b.toNhwc(b.input(op.inputs(0)));
        long elements = x.type().shape().numElements();
        if (k == 0 || elements % k != 0) throw new ModelException(b.opLabel + ": input of " + elements + " elements is not rows of " + k);
        if (x.type().rank() != 2 || x.type().shape().dim(1) != k)
            x = b.emit(x.name() + "/rows", new Reshape(List.of(elements / k, k), true), List.of(x), null);
        List<Value> inputs = new ArrayList<>(List.of(x, b.input(op.inputs(1))));
        if (op.inputsLength() > 2 && op.inputs(2) >= 0) inputs.add(b.input(op.inputs(2)));
        Value y = b.emit(yi.name(), new Gemm(1f, 1f, false, true, act(b, o == null ? 0 : o.fusedActivationFunction())), inputs, null);
        long[] want = TfliteGraphBuilder.irDims(yi.shape());
        if (!y.type().shape().equals(Shape.of(want)))
            y = b.emit(yi.name() + "/shape", new Reshape(java.util.Arrays.stream(want).boxed().toList(), true), List.of(y), null);
        b.bind(op.outputs(0), y);
    }

    private static void pool(TfliteGraphBuilder b, Operator op, boolean max) {
        Pool2DOptions o = (Pool2DOptions) op.builtinOptions(new Pool2DOptions());
        if (o == null) throw new ModelException(b.opLabel + ": missing Pool2DOptions");
        if (o.fusedActivationFunction() != 0) throw new ModelException(b.opLabel + ": fused activation on a float pool is not supported");
        TfliteTensors.Info xi = b.info(op.inputs(0)), yi = b.info(op.outputs(0));
        var g = new TfliteConvLowering.Geometry(o.strideH(), o.strideW(), 1, 1, o.padding());
        List<Integer> pads = TfliteConvLowering.pads(g, xi.shape()[1], xi.shape()[2], o.filterHeight(), o.filterWidth(), yi.shape()[1], yi.shape()[2]);
        List<Integer> kernel = List.of(o.filterHeight(), o.filterWidth()), strides = List.of(o.strideH(), o.strideW());
        Op p = max ? new MaxPool(kernel, strides, pads, List.of(1, 1), false, 0) : new AveragePool(kernel, strides, pads, false, false);
        b.bind(op.outputs(0), b.emit(yi.name(), p, List.of(b.input(op.inputs(0))), null));
    }
}
