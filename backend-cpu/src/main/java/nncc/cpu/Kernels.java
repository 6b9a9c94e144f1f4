package nncc.cpu;

import nncc.cpu.ElementwiseKernels.BinaryOp;
import nncc.ir.op.*;
import nncc.ir.op.Add;
import nncc.ir.op.AveragePool;
import nncc.ir.op.BatchNormalization;
import nncc.ir.op.Clip;
import nncc.ir.op.Concat;
import nncc.ir.op.Conv;
import nncc.ir.op.ConvInteger;
import nncc.ir.op.ConvTranspose;
import nncc.ir.op.DequantizeLinear;
import nncc.ir.op.Div;
import nncc.ir.op.Dropout;
import nncc.ir.op.Flatten;
import nncc.ir.op.Gather;
import nncc.ir.op.Gemm;
import nncc.ir.op.GlobalAveragePool;
import nncc.ir.op.HardSigmoid;
import nncc.ir.op.HardSwish;
import nncc.ir.op.Identity;
import nncc.ir.op.LeakyRelu;
import nncc.ir.op.MatMul;
import nncc.ir.op.MatMulInteger;
import nncc.ir.op.MaxPool;
import nncc.ir.op.Mul;
import nncc.ir.op.PRelu;
import nncc.ir.op.Pad;
import nncc.ir.op.QLinearConv;
import nncc.ir.op.QLinearMatMul;
import nncc.ir.op.QuantizeLinear;
import nncc.ir.op.ReduceMean;
import nncc.ir.op.Relu;
import nncc.ir.op.Reshape;
import nncc.ir.op.Sigmoid;
import nncc.ir.op.Softmax;
import nncc.ir.op.Squeeze;
import nncc.ir.op.Sub;
import nncc.ir.op.Tanh;
import nncc.ir.op.Transpose;
import nncc.ir.op.Unsqueeze;

/**
 * Maps every op to its kernel family. The switch over the sealed {@link nncc.ir.op.Op} has no default
 * branch, so an op added to the IR without a CPU kernel is a compile error here.
 */
final class Kernels {
    private Kernels() {}

    /** Prepares the kernel of one node; fails with the node named when its input types are not supported. */
    static Kernel prepare(NodeContext ctx) {
        return switch (ctx.node().op()) {
            case Conv op -> ConvKernels.conv(op, ctx);
            case ConvTranspose op -> ConvTransposeKernels.convTranspose(op, ctx);
            case Gemm op -> MatMulKernels.gemm(op, ctx);
            case MatMul op -> MatMulKernels.matMul(ctx);
            case Add op -> ElementwiseKernels.binary(BinaryOp.ADD, op.activation(), ctx);
            case Sub op -> ElementwiseKernels.binary(BinaryOp.SUB, op.activation(), ctx);
            case Mul op -> ElementwiseKernels.binary(BinaryOp.MUL, op.activation(), ctx);
            case Div op -> ElementwiseKernels.binary(BinaryOp.DIV, ctx);
            case PRelu op -> ElementwiseKernels.binary(BinaryOp.PRELU, ctx);
            case Relu op -> ActivationKernels.relu(ctx);
            case LeakyRelu op -> ActivationKernels.leakyRelu(op, ctx);
            case Clip op -> ActivationKernels.clip(op, ctx);
            case Sigmoid op -> ActivationKernels.sigmoid(ctx);
            case Tanh op -> ActivationKernels.tanh(ctx);
            case HardSigmoid op -> ActivationKernels.hardSigmoid(op, ctx);
            case HardSwish op -> ActivationKernels.hardSwish(ctx);
            case Softmax op -> ActivationKernels.softmax(op, ctx);
            case MaxPool op -> op.layout() == Layout.NHWC ? NhwcKernels.maxPool(op, ctx) : PoolKernels.maxPool(op, ctx);
            case AveragePool op -> PoolKernels.averagePool(op, ctx);
            case GlobalAveragePool op -> PoolKernels.globalAveragePool(op, ctx);
            case BatchNormalization op -> NormalizationKernels.batchNormalization(op, ctx);
            case ReduceMean op -> NormalizationKernels.reduceMean(op, ctx);
            case Reshape op -> ShapeKernels.view();
            case Flatten op -> ShapeKernels.view();
            case Squeeze op -> ShapeKernels.view();
            case Unsqueeze op -> ShapeKernels.view();
            case Identity op -> ShapeKernels.view();
            case Dropout op -> ShapeKernels.dropout();
            case Transpose op -> ShapeKernels.transpose(op);
            case Slice op -> ShapeKernels.slice(op);
            case Pow op -> MathKernels.pow(ctx);
            case Sqrt op -> MathKernels.sqrt(ctx);
            case Erf op -> MathKernels.erf(ctx);
            case Gelu op -> MathKernels.gelu(op, ctx);
            case LayerNormalization op -> MathKernels.layerNormalization(op, ctx);
            case Concat op -> ShapeKernels.concat(op);
            case Pad op -> ShapeKernels.pad(op);
            case Gather op -> ShapeKernels.gather(op, ctx);
            case QuantizeLinear op -> QuantKernels.quantizeLinear(op, ctx);
            case DequantizeLinear op -> QuantKernels.dequantizeLinear(op, ctx);
            case ConvInteger op -> IntegerLinearKernels.convInteger(op, ctx);
            case MatMulInteger op -> IntegerLinearKernels.matMulInteger(ctx);
            case QLinearConv op -> IntegerLinearKernels.qLinearConv(op, ctx);
            case QLinearMatMul op -> IntegerLinearKernels.qLinearMatMul(op, ctx);
            case Quantize op -> ConversionKernels.quantize(op, ctx);
            case nncc.ir.op.FakeQuant op -> ConversionKernels.fakeQuant(op, ctx);
            case Dequantize op -> ConversionKernels.dequantize(op, ctx);
            case Requantize op -> ConversionKernels.requantize(op, ctx);
            case Cast op -> ConversionKernels.cast(op, ctx);
            case QLut op -> ConversionKernels.lookup(op, ctx);
            case QConv op -> op.layout() == Layout.NHWC ? NhwcKernels.qConv(op, ctx) : QuantizedLinearKernels.qConv(op, ctx);
            case QGemm op -> QuantizedLinearKernels.qGemm(op, ctx);
            case QAdd op -> QuantizedElementwiseKernels.qAdd(op, ctx);
            case QMul op -> QuantizedElementwiseKernels.qMul(op, ctx);
            case QMean op -> QuantizedReductionKernels.qMean(op, ctx);
            case QAveragePool op -> op.layout() == Layout.NHWC ? NhwcKernels.qAveragePool(op, ctx) : QuantizedReductionKernels.qAveragePool(op, ctx);
            case QSoftmax op -> QuantizedReductionKernels.qSoftmax(op, ctx);
            case QConvTranspose op -> op.layout() == Layout.NHWC ? NhwcKernels.qConvTranspose(op, ctx) : TransposeConvKernels.qConvTranspose(op, ctx);
            case DynamicQuantConv op -> DynamicQuantKernels.conv(op, ctx);
            case DynamicQuantGemm op -> DynamicQuantKernels.gemm(op, ctx);
        };
    }
}
