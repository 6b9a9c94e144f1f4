package nncc.ir;

import java.util.Map;
import java.util.TreeMap;
import nncc.ir.op.Conv;
import nncc.ir.op.ConvInteger;
import nncc.ir.op.ConvTranspose;
import nncc.ir.op.DynamicQuantConv;
import nncc.ir.op.DynamicQuantGemm;
import nncc.ir.op.Gemm;
import nncc.ir.op.MatMul;
import nncc.ir.op.MatMulInteger;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.QLinearConv;
import nncc.ir.op.QLinearMatMul;

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

    /** Multiply-accumulates of one node for one sample. */
    public static long macs(Node n) {
        return switch (n.op()) {
            case Conv c -> elements(n.output()) * elements(n.input(1)) / n.input(1).type().shape().dim(0);
            case ConvInteger c -> elements(n.output()) * elements(n.input(1)) / n.input(1).type().shape().dim(0);
            case QLinearConv c -> elements(n.output()) * elements(n.input(3)) / n.input(3).type().shape().dim(0);
            case QConv c -> elements(n.output()) * elements(n.input(1)) / n.input(1).type().shape().dim(0);
            case DynamicQuantConv c -> elements(n.output()) * elements(n.input(1)) / n.input(1).type().shape().dim(0);
            case QGemm g -> elements(n.output()) * n.input(1).type().shape().dim(1);
            case DynamicQuantGemm g -> elements(n.output()) * n.input(1).type().shape().dim(1);
            case ConvTranspose c -> elements(n.input(0)) * elements(n.input(1)) / n.input(1).type().shape().dim(0);
            case Gemm gm -> {
                Shape a = n.input(0).type().shape();
                yield elements(n.output()) * (gm.transA() ? a.dim(0) : a.dim(1));
            }
            case MatMul m -> elements(n.output()) * innerDim(n.input(0));
            case MatMulInteger m -> elements(n.output()) * innerDim(n.input(0));
            case QLinearMatMul m -> elements(n.output()) * innerDim(n.input(0));
            default -> 0;
        };
    }

    private static long innerDim(Value a) {
        Shape s = a.type().shape();
        return s.dim(s.rank() - 1);
    }
}
