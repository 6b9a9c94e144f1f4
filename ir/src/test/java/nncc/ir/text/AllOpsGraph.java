package nncc.ir.text;

import static nncc.ir.text.TestGraphs.floatConst;
import static nncc.ir.text.TestGraphs.input;
import static nncc.ir.text.TestGraphs.intConst;
import static nncc.ir.text.TestGraphs.longs;
import static nncc.ir.text.TestGraphs.node;
import static nncc.ir.text.TestGraphs.nodeN;
import static nncc.ir.text.TestGraphs.quantNode;
import static nncc.ir.text.TestGraphs.sym;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.*;

/**
 * One verifiable graph that uses every op record with plausible attributes, on a symbolic batch: the float
 * ops on f32[?N,4,8,8], the quantized ops on its QuantizeLinear result. Add a line here for each new op.
 */
final class AllOpsGraph {
    private AllOpsGraph() {}

    static Graph build() {
        Graph g = new Graph("all_ops");
        Value x = input(g, "x", TensorType.of(DType.F32, sym("N", 4, 8, 8)));
        Value convW = floatConst(g, "conv.weight", 1, 8, 4, 3, 3);
        Value convB = floatConst(g, "conv.bias", 2, 8);
        Value convTW = floatConst(g, "convT.weight", 3, 4, 2, 3, 3);
        Value k = floatConst(g, "k", 4, 4, 1, 1);
        Value bnScale = floatConst(g, "bn.scale", 5, 4), bnBias = floatConst(g, "bn.bias", 6, 4);
        Value bnMean = floatConst(g, "bn.mean", 7, 4);
        Value bnVar = g.addConstant("bn.var", Tensor.ofFloats(Shape.of(4), 0.5f, 1f, 2f, 4f));
        Value gemmB = floatConst(g, "gemm.B", 8, 10, 256), gemmC = floatConst(g, "gemm.C", 9, 10);
        Value mmB = floatConst(g, "mm.B", 10, 4, 3);
        Value idx = intConst(g, "idx", DType.I64, null, new long[] {0, 3}, 2);
        Value qScale = g.addConstant("q.scale", Tensor.scalar(0.05f));
        Value qZp = intConst(g, "q.zp", DType.I8, null, new long[] {-3}, new long[0]);
        float[] wScales = {0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f, 0.07f, 0.08f};
        long[] wZps = new long[8];
        QuantParams wq = QuantParams.perAxis(0, wScales, wZps);
        Value qW = intConst(g, "qconv.w", DType.I8, wq, longs(288, -127, 127, 11), 8, 4, 3, 3);
        Value wScale = g.addConstant("qconv.w_scale", Tensor.ofFloats(Shape.of(8), wScales));
        Value wZp = intConst(g, "qconv.w_zp", DType.I8, null, wZps, 8);
        Value yScale = g.addConstant("y.scale", Tensor.scalar(0.1f));
        Value yZp = intConst(g, "y.zp", DType.I8, null, new long[] {5}, new long[0]);
        Value qBias = intConst(g, "qconv.bias", DType.I32, null, longs(8, -1000, 1000, 12), 8);
        Value qB = intConst(g, "qmm.B", DType.I8, QuantParams.perTensor(0.02f, 0), longs(768, -128, 127, 13), 256, 3);
        Value bScale = g.addConstant("qmm.b_scale", Tensor.scalar(0.02f));
        Value bZp = intConst(g, "qmm.b_zp", DType.I8, null, new long[] {0}, new long[0]);

        Value conv = node(g, "Conv_0", Conv.of2d(1, 1), x, convW, convB);
        Value convT = node(g, "ConvTranspose_1",
                new ConvTranspose(List.of(2, 2), List.of(0, 0, 0, 0), List.of(1, 1), 1, List.of(1, 1)), x, convTW);
        Value add = node(g, "Add_2", new Add(), x, k);
        Value sub = node(g, "Sub_3", new Sub(), add, k);
        Value mul = node(g, "Mul_4", new Mul(), sub, k);
        Value div = node(g, "Div_5", new Div(), mul, k);
        Value relu = node(g, "Relu_6", new Relu(), div);
        Value leaky = node(g, "LeakyRelu_7", new LeakyRelu(0.01f), relu);
        Value prelu = node(g, "PRelu_8", new PRelu(), leaky, k);
        Value clip = node(g, "Clip_9", new Clip(0f, 6f), prelu);
        Value clipInf = node(g, "Clip_10", new Clip(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY), clip);
        Value sig = node(g, "Sigmoid_11", new Sigmoid(), clipInf);
        Value tanh = node(g, "Tanh_12", new Tanh(), sig);
        Value hsig = node(g, "HardSigmoid_13", new HardSigmoid(0.2f, 0.5f), tanh);
        Value hswish = node(g, "HardSwish_14", new HardSwish(), hsig);
        List<Value> pool = nodeN(g, "MaxPool_15",
                new MaxPool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), List.of(1, 1), false, 0), 2, null, hswish);
        Value avg = node(g, "AveragePool_16",
                new AveragePool(List.of(3, 3), List.of(1, 1), List.of(1, 1, 1, 1), true, false), pool.get(0));
        Value bn = node(g, "BatchNormalization_17", new BatchNormalization(1e-5f), avg, bnScale, bnBias, bnMean, bnVar);
        Value gap = node(g, "GlobalAveragePool_18", new GlobalAveragePool(), bn);
        Value squeezed = node(g, "Squeeze_19", new Squeeze(List.of(2, 3)), gap);
        Value unsqueezed = node(g, "Unsqueeze_20", new Unsqueeze(List.of(1)), squeezed);
        Value mean = node(g, "ReduceMean_21", new ReduceMean(List.of(2, 3), true), bn);
        Value flat = node(g, "Flatten_22", new Flatten(1), x);
        Value reshaped = node(g, "Reshape_23", new Reshape(List.of(0L, -1L), false), x);
        Value gemm = node(g, "Gemm_24", new Gemm(1.0f, 0.5f, false, true), flat, gemmB, gemmC);
        Value mm = node(g, "MatMul_25", new MatMul(), squeezed, mmB);
        Value softmax = node(g, "Softmax_26", new Softmax(1), gemm);
        Value transposed = node(g, "Transpose_27", new Transpose(List.of(0, 2, 3, 1)), x);
        Value concat = node(g, "Concat_28", new Concat(1), x, conv);
        Value reflect = node(g, "Pad_29", new Pad(List.of(0L, 0L, 1L, 1L, 0L, 0L, 1L, 1L), Pad.Mode.REFLECT, 0f), x);
        Value padNan = node(g, "Pad_30", new Pad(List.of(0L, 0L, 0L, 0L, 0L, 0L, 2L, 2L), Pad.Mode.CONSTANT, Float.NaN), x);
        Value gathered = node(g, "Gather_31", new Gather(1), x, idx);
        Value identity = node(g, "Identity_32", new Identity(), reshaped);
        Value sliced = node(g, "Slice_60", new nncc.ir.op.Slice(List.of(1, 3), List.of(1L, -1L), List.of(Long.MAX_VALUE, 0L),
                List.of(1L, -2L)), x);
        Value pow = node(g, "Pow_61", new nncc.ir.op.Pow(), x, floatConst(g, "pow.e", 11));
        Value sqrt = node(g, "Sqrt_62", new nncc.ir.op.Sqrt(), pow);
        Value erf = node(g, "Erf_63", new nncc.ir.op.Erf(), sqrt);
        Value gelu = node(g, "Gelu_64", new nncc.ir.op.Gelu(nncc.ir.op.Gelu.Approximation.TANH), erf);
        Value ln = node(g, "LayerNormalization_65", new nncc.ir.op.LayerNormalization(-1, 1e-6f), gelu,
                floatConst(g, "ln.scale", 12, 8), floatConst(g, "ln.bias", 13, 8));
        Value fakeQuant = node(g, "FakeQuant_66", new nncc.ir.op.FakeQuant(List.of(0.1f, 0.25f, 3e-5f, 1f), List.of(3L, 1L, 31L, 7L),
                5, true, false, 1), ln);
        List<Value> dropout = nodeN(g, "Dropout_33", new Dropout(0.5f), 2, null, identity);
        Value q = quantNode(g, "QuantizeLinear_34", new QuantizeLinear(1, DType.I8), QuantParams.perTensor(0.05f, -3),
                x, qScale, qZp);
        Value dq = node(g, "DequantizeLinear_35", new DequantizeLinear(1), q, qScale, qZp);
        Value qconv = quantNode(g, "QLinearConv_36",
                new QLinearConv(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), 1, DType.I8),
                QuantParams.perTensor(0.1f, 5), q, qScale, qZp, qW, wScale, wZp, yScale, yZp, qBias);
        Value qflat = node(g, "Flatten_37", new Flatten(1), q);
        Value qmm = node(g, "QLinearMatMul_38", new QLinearMatMul(DType.I8), qflat, qScale, qZp, qB, bScale, bZp, yScale, yZp);
        Value convInt = node(g, "ConvInteger_39",
                new ConvInteger(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 1), q, qW, qZp, bZp);
        Value mmInt = node(g, "MatMulInteger_40", new MatMulInteger(), qflat, qB, qZp, bZp);
        // the lowered integer ops and the hybrid ops
        List<Integer> mult8 = java.util.Collections.nCopies(8, 1 << 30), shift8 = List.of(-1, -2, -3, -4, -5, -6, -7, -8);
        Value fcW = intConst(g, "fc.w", DType.I8, QuantParams.perAxis(0, new float[] {0.01f, 0.02f}, new long[2]),
                longs(512, -127, 127, 14), 2, 256);
        Value fcB = intConst(g, "fc.b", DType.I32, null, new long[] {100, -100}, 2);
        long[] table = new long[256];
        for (int i = 0; i < 256; i++) table[i] = Math.max(-128, Math.min(127, (i - 128) / 2));
        Value lut = intConst(g, "lut", DType.I8, null, table, 256);
        Value q8 = node(g, "Quantize_41", new Quantize(0.05f, -3, DType.I8), x);
        Value rq = node(g, "Requantize_42", new Requantize(-3, 1 << 30, 0, 5, 0.1f, DType.I8, Rounding.DOUBLE_ROUND), q8);
        Value deq = node(g, "Dequantize_43", new Dequantize(0.1f, 5), rq);
        Value qc = node(g, "QConv_44", new QConv(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 1, -3, mult8, shift8, 5,
                0.1f, DType.I8, 5, 127, Rounding.SINGLE_ROUND, DType.I32, 8, Activation.RELU), q8, qW, qBias);
        Value qct = node(g, "QConvTranspose_44b", new nncc.ir.op.QConvTranspose(List.of(2, 2), List.of(0, 0, 1, 1), -3, mult8, shift8, 5,
                0.1f, DType.I8, -128, 127, Rounding.SINGLE_ROUND), q8, qW, qBias);
        Value q8flat = node(g, "Flatten_45", new Flatten(1), q8);
        Value qg = node(g, "QGemm_46", new QGemm(-3, List.of(1 << 30, 1 << 30), List.of(-4, -5), 0, 0.25f, DType.I8, -128, 127,
                Rounding.DOUBLE_ROUND), q8flat, fcW, fcB);
        Value qa = node(g, "QAdd_47", new QAdd(-3, 5, 20, 1 << 30, -1, 1 << 30, -2, 1 << 30, -19, 0, 0.2f, DType.I8, -128, 127,
                Rounding.DOUBLE_ROUND), q8, rq);
        Value qm = node(g, "QMul_48", new QMul(-3, 5, 1 << 30, -3, 1, 0.3f, DType.I8, -128, 127, Rounding.DOUBLE_ROUND), q8, rq);
        Value qmean = node(g, "QMean_49", new QMean(List.of(2, 3), true, -3, 1 << 30, -6, -3, 0.05f, DType.I8,
                Rounding.DOUBLE_ROUND), q8);
        Value qavg = node(g, "QAveragePool_50", new QAveragePool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), false,
                -128, 127), q8);
        Value qlut = node(g, "QLut_51", new QLut(LutFunction.SIGMOID, 0f, 0f, DType.I8, 0.00390625f, -128), q8, lut);
        Value half = node(g, "Cast_52", new Cast(DType.F16), x);
        Value dconv = node(g, "DynamicQuantConv_53", new DynamicQuantConv(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 1,
                List.of(0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f)), x, qW, convB);
        Value dgemm = node(g, "DynamicQuantGemm_54", new DynamicQuantGemm(List.of(0.5f)), flat, fcW);
        Value fused = node(g, "Conv_55", Conv.of2d(1, 1).withActivation(Activation.RELU6), x, convW, convB);
        Value fusedAdd = node(g, "Add_56", new Add(Activation.RELU), x, k);

        Value qsm = node(g, "QSoftmax_57", new QSoftmax(1, 1 << 30, 26, -248, 0.00390625f, -128, DType.I8), q8);
        for (Value out : List.of(qsm, deq, qct, qg, qa, qm, qmean, qavg, qlut, half, dconv, dgemm, fused, fusedAdd)) g.addOutput(out);
        for (Value out : List.of(convT, clipInf, pool.get(1), unsqueezed, mean, mm, softmax, transposed, concat,
                reflect, padNan, gathered, dropout.get(0), dropout.get(1), dq, qconv, qmm, convInt, mmInt, sliced, fakeQuant))
            g.addOutput(out);
        return g;
    }
}
