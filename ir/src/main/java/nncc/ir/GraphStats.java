package nncc.ir;

import java.util.Map;
import java.util.TreeMap;
import nncc.ir.op.*;

/**
 * Size and cost figures of a graph: op counts, parameter count and bytes, multiply-accumulates per sample
 * (symbolic dims counted as 1), of float and lowered integer ops alike.
 */
public record GraphStats(Map<String, Integer> opCounts, long parameters, long parameterBytes, long macs) {

    public static GraphStats of(Graph g) {
        Map<String, Integer> ops = new TreeMap<>();
        for (Node n : g.nodes()) ops.merge(n.op().opName(), 1, Integer::sum);
        long params = 0, bytes = 0;
        for (Graph.Constant c : g.constants()) {
            params += c.data().numElements();
            bytes += c.data().byteSize();
        }
        long macs = 0;
        for (Node n : g.nodes()) macs += macs(n);
        return new GraphStats(ops, params, bytes, macs);
    }

    private static long elements(Value v) {
        long e = 1;
        Shape s = v.type().shape();
        for (int i = 0; i < s.rank(); i++) e *= s.isSymbolic(i) ? 1 : s.dim(i);
        return e;
    }

    /**
     * Multiply-accumulates of one node for one sample: convolutions and matrix products count theirs; every
     * other op counts 0. The switches are exhaustive over the sealed op families, so a new op must be placed.
     */
    public static long macs(Node n) {
        return switch (n.op()) {
            case FloatOp f -> floatMacs(f, n);
            case LoweredOp l -> switch (l) {
                case QConv c -> c.layout() == nncc.ir.op.Layout.NHWC // filter elements per output channel, as OIHW's
                        ? elements(n.output()) * elements(n.input(1)) / n.output().type().shape().dim(3) : convMacs(n, 1);
                case QGemm g -> elements(n.output()) * n.input(1).type().shape().dim(1);
                case QAdd a -> 0;
                case QMul m -> 0;
                case QMean m -> 0;
                case QAveragePool p -> 0;
                case QLut t -> 0;
                case QSoftmax s -> 0;
                case nncc.ir.op.QConvTranspose t -> elements(n.input(0)) * elements(n.input(1)) // each input element scatters O*KH*KW products
                        / n.input(0).type().shape().dim(t.layout() == nncc.ir.op.Layout.NHWC ? 3 : 1);
            };
            case HybridOp h -> switch (h) {
                case DynamicQuantConv c -> convMacs(n, 1);
                case DynamicQuantGemm g -> elements(n.output()) * n.input(1).type().shape().dim(1);
            };
            case OnnxQuantOp o -> switch (o) {
                case QLinearConv c -> convMacs(n, 3);
                case ConvInteger c -> convMacs(n, 1);
                case QLinearMatMul m -> elements(n.output()) * innerDim(n.input(0));
                case MatMulInteger m -> elements(n.output()) * innerDim(n.input(0));
                case QuantizeLinear q -> 0;
                case DequantizeLinear d -> 0;
            };
            case DataMovementOp d -> 0;
            case BoundaryOp b -> 0;
        };
    }

    private static long floatMacs(FloatOp op, Node n) {
        return switch (op) {
            case Conv c -> convMacs(n, 1);
            case ConvTranspose c -> elements(n.input(0)) * elements(n.input(1)) / n.input(1).type().shape().dim(0);
            case Gemm gm -> {
                Shape a = n.input(0).type().shape();
                yield elements(n.output()) * (gm.transA() ? a.dim(0) : a.dim(1));
            }
            case MatMul m -> elements(n.output()) * innerDim(n.input(0));
            case Add a -> 0;
            case Sub s -> 0;
            case Mul m -> 0;
            case Div d -> 0;
            case Relu r -> 0;
            case LeakyRelu r -> 0;
            case PRelu r -> 0;
            case Clip c -> 0;
            case Sigmoid s -> 0;
            case Tanh t -> 0;
            case HardSigmoid h -> 0;
            case HardSwish h -> 0;
            case Softmax s -> 0;
            case AveragePool p -> 0;
            case GlobalAveragePool p -> 0;
            case BatchNormalization b -> 0;
            case ReduceMean r -> 0;
            case Pow p -> 0;
            case Sqrt r -> 0;
            case Erf e -> 0;
            case Gelu gl -> 0;
            case LayerNormalization ln -> 0;
            case FakeQuant fq -> 0;
        };
    }

    /** Output elements times the weight elements per output channel; the weight is input {@code w}. */
    private static long convMacs(Node n, int w) {
        return elements(n.output()) * elements(n.input(w)) / n.input(w).type().shape().dim(0);
    }

    private static long innerDim(Value a) {
        Shape s = a.type().shape();
        return s.dim(s.rank() - 1);
    }
}
