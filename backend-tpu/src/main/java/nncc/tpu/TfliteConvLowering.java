package nncc.tpu;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.ModelException;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.Reshape;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.DepthwiseConv2DOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.Padding;

/**
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED to QConv / QGemm. Weights change layout once, here: conv
 * filters OHWI become OIHW, depthwise filters [1, H, W, C*M] become [C*M, 1, H, W] (group = C, output channel
 * c*M + m reads input channel c, as in TFLite), per-axis scales moving to axis 0. SAME padding is TFLite's
 * (the odd pixel goes after). Multipliers and clamps come from {@link TflitePrepare}.
 */
final class TfliteConvLowering {
    private TfliteConvLowering() {}

    record Geometry(int strideH, int strideW, int dilationH, int dilationW, int padding) {}

    static void conv(TfliteGraphBuilder b, Operator op, boolean depthwise) {
        Geometry g;
        int activation;
        if (depthwise) {
            DepthwiseConv2DOptions o = (DepthwiseConv2DOptions) op.builtinOptions(new DepthwiseConv2DOptions());
            if (o == null) throw new ModelException(b.opLabel + ": missing DepthwiseConv2DOptions");
            g = new Geometry(o.strideH(), o.strideW(), o.dilationHFactor(), o.dilationWFactor(), o.padding());
            activation = o.fusedActivationFunction();
        } else {
            Conv2DOptions o = (Conv2DOptions) op.builtinOptions(new Conv2DOptions());
            if (o == null) throw new ModelException(b.opLabel + ": missing Conv2DOptions");
            g = new Geometry(o.strideH(), o.strideW(), o.dilationHFactor(), o.dilationWFactor(), o.padding());
            activation = o.fusedActivationFunction();
        }
        TfliteTensors.Info xi = b.info(op.inputs(0)), wi = b.info(op.inputs(1)), yi = b.info(op.outputs(0));
        if (xi.rank() != 4 || wi.rank() != 4) throw new ModelException(b.opLabel + ": input and filter must be rank 4");
        requireQuantized(b, xi, wi, yi);
        if (wi.data() == null) throw new ModelException(b.opLabel + ": non-constant filter " + wi.describe() + " is not supported");
        Value x = b.input(op.inputs(0));
        long inC = xi.shape()[3], kh = wi.shape()[1], kw = wi.shape()[2];
        Tensor w;
        QuantParams wq = wi.quant();
        int group;
        if (depthwise) {
            w = TfliteGraphBuilder.permute(wi.data(), List.of(3, 0, 1, 2));
            group = (int) inC;
            if (wi.shape()[0] != 1 || wi.shape()[3] % inC != 0)
                throw new ModelException(b.opLabel + ": depthwise filter " + java.util.Arrays.toString(wi.shape()) + " does not fit " + inC + " input channels");
        } else {
            w = TfliteGraphBuilder.permute(wi.data(), TfliteGraphBuilder.TO_NCHW);
            if (wi.shape()[3] == 0 || inC % wi.shape()[3] != 0)
                throw new ModelException(b.opLabel + ": filter depth " + wi.shape()[3] + " does not divide " + inC + " input channels");
            group = (int) (inC / wi.shape()[3]);
        }
        long outC = w.shape().dim(0);
        if (wq.isPerAxis() && wq.axis() != (depthwise ? 3 : 0))
            throw new ModelException(b.opLabel + ": filter quantized along dim " + wq.axis() + ", not its output channels");
        QuantParams irWq = wq.isPerAxis() ? QuantParams.perAxis(0, wq.scales(), wq.zeroPoints()) : wq;
        for (long z : wq.zeroPoints()) if (z != 0) throw new ModelException(b.opLabel + ": filter zero point " + z + " is not 0");
        List<Integer> pads = pads(g, xi.shape()[1], xi.shape()[2], kh, kw, yi.shape()[1], yi.shape()[2]);
        List<Value> inputs = new ArrayList<>(List.of(x, b.constant(wi.name(), w, irWq)));
        if (op.inputsLength() > 2 && op.inputs(2) >= 0) inputs.add(bias(b, op.inputs(2), xi.dtype(), outC));
        List<FixedPoint.Multiplier> ms = TflitePrepare.convMultipliers(xi.scale(), wq, yi.scale(), (int) outC);
        int[] range = range(b, activation, yi);
        QConv q = new QConv(List.of(g.strideH(), g.strideW()), pads, List.of(g.dilationH(), g.dilationW()), group,
                xi.zeroPoint(), ms.stream().map(FixedPoint.Multiplier::multiplier).toList(),
                ms.stream().map(FixedPoint.Multiplier::shift).toList(), yi.zeroPoint(), yi.scale(), yi.dtype(),
                range[0], range[1], b.rounding(yi.dtype()));
        if (b.floatLinear(yi.dtype())) q = q.withOnnxScales(TfliteGraphBuilder.floatScales(xi.scale(), irWq, yi.scale()));
        b.bind(op.outputs(0), b.emit(yi.name(), q, inputs, null));
    }

    static void fullyConnected(TfliteGraphBuilder b, Operator op) {
        FullyConnectedOptions o = (FullyConnectedOptions) op.builtinOptions(new FullyConnectedOptions());
        if (o == null) throw new ModelException(b.opLabel + ": missing FullyConnectedOptions");
        if (o.weightsFormat() != 0) throw new ModelException(b.opLabel + ": shuffled weights format " + o.weightsFormat() + " is not supported");
        TfliteTensors.Info xi = b.info(op.inputs(0)), wi = b.info(op.inputs(1)), yi = b.info(op.outputs(0));
        requireQuantized(b, xi, wi, yi);
        if (wi.data() == null || wi.rank() != 2) throw new ModelException(b.opLabel + ": the weights must be a constant 2-D tensor");
        QuantParams wq = wi.quant();
        for (long z : wq.zeroPoints()) if (z != 0) throw new ModelException(b.opLabel + ": weight zero point " + z + " is not 0");
        long m = wi.shape()[0], k = wi.shape()[1];
        Value x = b.toNhwc(b.input(op.inputs(0)));
        long elements = x.type().shape().numElements();
        if (k == 0 || elements % k != 0) throw new ModelException(b.opLabel + ": input of " + elements + " elements is not rows of " + k);
        if (x.type().rank() != 2 || x.type().shape().dim(1) != k)
            x = b.emit(x.name() + "/rows", new Reshape(List.of(elements / k, k), true), List.of(x), x.type().quant());
        List<Value> inputs = new ArrayList<>(List.of(x, b.constant(wi.name(), wi.data(), wq)));
        if (op.inputsLength() > 2 && op.inputs(2) >= 0) inputs.add(bias(b, op.inputs(2), xi.dtype(), m));
        List<FixedPoint.Multiplier> ms = wq.isPerAxis()
                ? TflitePrepare.convMultipliers(xi.scale(), wq, yi.scale(), (int) m)
                : List.of(TflitePrepare.fullyConnectedMultiplier(xi.scale(), wq.scale(0), yi.scale()));
        int[] range = range(b, o.fusedActivationFunction(), yi);
        QGemm q = new QGemm(xi.zeroPoint(), ms.stream().map(FixedPoint.Multiplier::multiplier).toList(),
                ms.stream().map(FixedPoint.Multiplier::shift).toList(), yi.zeroPoint(), yi.scale(), yi.dtype(),
                range[0], range[1], b.rounding(yi.dtype()));
        if (b.floatLinear(yi.dtype())) q = q.withOnnxScales(TfliteGraphBuilder.floatScales(xi.scale(), wq, yi.scale()));
        Value y = b.emit(yi.name(), q, inputs, null);
        long[] want = TfliteGraphBuilder.irDims(yi.shape());
        if (!y.type().shape().equals(Shape.of(want)))
            y = b.emit(yi.name() + "/shape", new Reshape(java.util.Arrays.stream(want).boxed().toList(), true), List.of(y), y.type().quant());
        b.bind(op.outputs(0), y);
    }

    /** TFLite's padding (ComputePaddingHeightWidth) as [top, left, bottom, right]; the odd pixel goes after. */
    static List<Integer> pads(Geometry g, long inH, long inW, long kh, long kw, long outH, long outW) {
        if (g.padding() == Padding.VALID) return List.of(0, 0, 0, 0);
        long th = Math.max((outH - 1) * g.strideH() + (kh - 1) * g.dilationH() + 1 - inH, 0);
        long tw = Math.max((outW - 1) * g.strideW() + (kw - 1) * g.dilationW() + 1 - inW, 0);
        return List.of((int) (th / 2), (int) (tw / 2), (int) (th - th / 2), (int) (tw - tw / 2));
    }

    /** Bias as int32 (int8 input) or int64 (int16 input; an int32 bias, as TFLite Micro allows, is widened). */
    static Value bias(TfliteGraphBuilder b, int tensor, DType inputType, long channels) {
        TfliteTensors.Info bi = b.info(tensor);
        if (bi.data() == null) throw new ModelException(b.opLabel + ": non-constant bias " + bi.describe() + " is not supported");
        if (bi.rank() != 1 || bi.shape()[0] != channels)
            throw new ModelException(b.opLabel + ": bias " + java.util.Arrays.toString(bi.shape()) + " does not have " + channels + " entries");
        DType want = inputType == DType.I16 ? DType.I64 : DType.I32;
        if (bi.dtype() == want) return b.constant(bi.name(), bi.data(), bi.quant());
        if (bi.dtype() == DType.I32 && want == DType.I64)
            return b.constant(bi.name(), Tensor.ofLongs(DType.I64, bi.data().shape(), bi.data().toLongs()), bi.quant());
        throw new ModelException(b.opLabel + ": bias type " + bi.dtype().text() + " does not fit " + inputType.text() + " input");
    }

    static int[] range(TfliteGraphBuilder b, int activation, TfliteTensors.Info y) {
        int[] r = TflitePrepare.activationRange(activation, y.scale(), y.zeroPoint(), y.dtype());
        if (r == null) throw new ModelException(b.opLabel + ": fused activation " + activation + " is not supported");
        return r;
    }

    static void requireQuantized(TfliteGraphBuilder b, TfliteTensors.Info... ts) {
        for (TfliteTensors.Info t : ts)
            if (t.quant() == null || t.dtype() == null || !t.dtype().isInteger())
                throw new ModelException(b.opLabel + ": " + t.describe() + " is " + (t.dtype() == null ? "of an unsupported type" : t.dtype().text())
                        + " without quantization; only quantized (int8, 16x8) models are supported");
    }
}
