package nncc.tests;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.Concat;
import nncc.ir.op.Dequantize;
import nncc.ir.op.Flatten;
import nncc.ir.op.LutFunction;
import nncc.ir.op.MaxPool;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.Quantize;
import nncc.ir.op.Pad;
import nncc.ir.op.Reshape;
import nncc.ir.op.Squeeze;
import nncc.ir.op.Transpose;
import nncc.ir.op.Unsqueeze;

/** The hand-built lowered graphs of {@link QdqExportTest}, each with seeded inputs. */
final class QdqCases {
    private QdqCases() {}

    private static QdqExportTest.Case of(String name, LoweredGraphs b, Tensor... inputs) {
        return new QdqExportTest.Case(name, b.g, List.of(inputs));
    }

    /** A 3x3 convolution with per-channel weights and a Relu clamp at a zero point above the type minimum. */
    static QdqExportTest.Case convRelu() {
        LoweredGraphs b = new LoweredGraphs("conv_relu", 11);
        Value x = b.input("x", 0.02f, -5, 2, 3, 16, 16);
        b.output(b.conv("conv", x, 8, 3, 1, 1, -20, Activation.RELU));
        return of("conv_relu", b, b.randomInt8(2, 3, 16, 16));
    }

    /** Stride 2 without padding, a fused RELU6 (a Clip in the export). */
    static QdqExportTest.Case convStrideClip() {
        LoweredGraphs b = new LoweredGraphs("conv_clip", 12);
        Value x = b.input("x", 0.03f, 7, 2, 4, 15, 15);
        b.output(b.conv("conv", x, 6, 3, 2, 0, -20, Activation.RELU6));
        return of("conv_stride_clip", b, b.randomInt8(2, 4, 15, 15));
    }

    static QdqExportTest.Case gemmChain() {
        LoweredGraphs b = new LoweredGraphs("gemm", 13);
        Value x = b.input("x", 0.05f, 0, 16, 64);
        Value h = b.gemm("fc1", x, 32, -128, Activation.NONE);
        b.output(b.gemm("fc2", h, 10, 3, Activation.NONE));
        return of("gemm_chain", b, b.randomInt8(16, 64));
    }

    /** Two outputs: a sum and a product of the same inputs (not chained: a product amplifies input LSB differences). */
    static QdqExportTest.Case addMul() {
        LoweredGraphs b = new LoweredGraphs("add_mul", 14);
        Value x = b.input("a", 0.05f, 3, 2, 8, 8, 8), y = b.input("b", 0.03f, -2, 2, 8, 8, 8);
        b.output(b.add("add", x, y, 0.08f, -1));
        b.output(b.mul("mul", x, y, 0.05f * 0.03f * 60, 0));
        return of("add_mul", b, b.randomInt8(2, 8, 8, 8), b.randomInt8(2, 8, 8, 8));
    }

    /** Conv, MaxPool and Reshape on int8, then a fully connected layer. */
    static QdqExportTest.Case poolReshapeGemm() {
        LoweredGraphs b = new LoweredGraphs("pool", 15);
        Value x = b.input("x", 0.02f, 0, 16, 1, 12, 12);
        Value c = b.conv("conv", x, 4, 3, 1, 1, -128, Activation.NONE);
        Value p = b.node("pool", new MaxPool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), List.of(1, 1), false, 0), c);
        Value r = b.node("reshape", new Reshape(List.of(0L, -1L), false), p);
        b.output(b.gemm("fc", r, 10, 0, Activation.NONE));
        return of("pool_reshape_gemm", b, b.randomInt8(16, 1, 12, 12));
    }

    /** Float input quantized by the graph, float output dequantized by it. */
    static QdqExportTest.Case floatEdges() {
        LoweredGraphs b = new LoweredGraphs("edges", 16);
        Value image = b.floatInput("image", 2, 2, 8, 8);
        Value q = b.node("quantize", new Quantize(0.04f, -7, DType.I8), image);
        Value c = b.conv("conv", q, 3, 3, 1, 1, 5, Activation.NONE);
        b.output(b.node("dequantize", new Dequantize(c.type().quant().scale(0), 5), c));
        Tensor grid = OrtRunner.dequantize(b.randomInt8(2, 2, 8, 8), QuantParams.perTensor(0.04f, -7));
        return of("float_edges", b, grid);
    }

    /** Average pooling, a sigmoid table, a global mean and softmax. */
    static QdqExportTest.Case poolSigmoidMeanSoftmax() {
        LoweredGraphs b = new LoweredGraphs("misc", 17);
        Value x = b.input("x", 0.05f, 4, 16, 8, 6, 6);
        Value avg = b.node("avgpool", new QAveragePool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), false, -128, 127), x);
        Value sig = b.lut("sigmoid", avg, LutFunction.SIGMOID, 0, 0, v -> 1 / (1 + Math.exp(-v)), 1 / 256f, -128);
        Value gap = b.mean("gap", sig, List.of(2, 3), true, 1 / 256f, -128);
        Value flat = b.node("flatten", new Flatten(1), gap);
        b.output(b.softmax("softmax", flat, 1));
        return of("pool_sigmoid_mean_softmax", b, b.randomInt8(16, 8, 6, 6));
    }

    /** Tables for LeakyRelu, Tanh, HardSwish and HardSigmoid, one after the other. */
    static QdqExportTest.Case lutFunctions() {
        LoweredGraphs b = new LoweredGraphs("luts", 18);
        Value x = b.input("x", 0.04f, -3, 4, 64);
        Value l = b.lut("leaky", x, LutFunction.LEAKY_RELU, 0.1f, 0, v -> v >= 0 ? v : 0.1f * v, 0.03f, -100);
        Value t = b.lut("tanh", l, LutFunction.TANH, 0, 0, Math::tanh, 1 / 128f, 0);
        Value h = b.lut("hswish", t, LutFunction.HARD_SWISH, 0, 0, v -> v * Math.min(Math.max(v + 3, 0), 6) / 6, 0.006f, -40);
        b.output(b.lut("hsigmoid", h, LutFunction.HARD_SIGMOID, 0.2f, 0.5f, v -> Math.min(Math.max(0.2f * v + 0.5f, 0), 1),
                1 / 256f, -128));
        return of("lut_functions", b, b.randomInt8(4, 64));
    }

    /** Pad filling with an integer other than the zero point, a valid convolution, Unsqueeze and Squeeze. */
    static QdqExportTest.Case padUnsqueeze() {
        LoweredGraphs b = new LoweredGraphs("pad", 20);
        Value x = b.input("x", 0.03f, -4, 2, 3, 5, 5);
        Value p = b.node("pad", new Pad(List.of(0L, 0L, 1L, 2L, 0L, 0L, 1L, 0L), Pad.Mode.CONSTANT, 10f), x);
        Value c = b.conv("conv", p, 4, 3, 1, 0, -2, Activation.NONE);
        Value u = b.node("unsqueeze", new Unsqueeze(List.of(2)), c);
        Value sq = b.node("squeeze", new Squeeze(List.of(2)), u);
        b.output(sq);
        b.output(b.node("edge", new Pad(List.of(0L, 0L, 1L, 1L, 0L, 0L, 1L, 1L), Pad.Mode.EDGE, 0f), sq));
        return of("pad_unsqueeze", b, b.randomInt8(2, 3, 5, 5));
    }

    /**
     * A MobileNetV2 block: 1x1 expansion with a Relu6-style clamp, 3x3 depthwise, 1x1 projection, and the residual
     * add of the block input (read by two ops).
     */
    static QdqExportTest.Case invertedResidual() {
        LoweredGraphs b = new LoweredGraphs("block", 21);
        Value x = b.input("x", 0.04f, 2, 4, 8, 10, 10);
        Value e = b.conv("expand", x, 24, 1, 1, 0, -128, Activation.RELU6);
        Value d = b.conv("depthwise", e, 24, 3, 1, 1, 24, -128, Activation.RELU6);
        Value p = b.conv("project", d, 8, 1, 1, 0, 1, Activation.NONE);
        // the sum's scale is at least the larger input's, as calibration gives it (a smaller one would magnify
        // the one-LSB differences of the projection's rounding)
        b.output(b.add("residual", x, p, 1.25f * Math.max(0.04f, p.type().quant().scale(0)), 0));
        return of("inverted_residual", b, b.randomInt8(4, 8, 10, 10));
    }

    /** Two convolutions with shared output parameters concatenated, transposed, mean over the channels. */
    static QdqExportTest.Case concatTranspose() {
        LoweredGraphs b = new LoweredGraphs("concat", 19);
        Value x = b.input("x", 0.02f, 1, 2, 3, 6, 6);
        Value c1 = b.conv("conv1", x, 4, 1, 1, 0, -10, Activation.NONE);
        Value c2 = b.conv("conv2", x, 4, 1, 1, 0, -10, Activation.NONE);
        Value c2same = b.requantize("requant", c2, c1.type().quant());
        Value cat = b.node("concat", new Concat(1), c1, c2same);
        Value tr = b.node("transpose", new Transpose(List.of(0, 2, 3, 1)), cat);
        b.output(b.mean("mean", tr, List.of(3), false, c1.type().quant().scale(0), -10));
        return of("concat_transpose", b, b.randomInt8(2, 3, 6, 6));
    }
}
