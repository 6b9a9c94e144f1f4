package nncc.tests.zoo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.Value;

/**
 * For {@link QdqDivergence}: runs each integer node of nncc's graph alone on ONNX Runtime's own input tensors and
 * compares its result with ONNX Runtime's output of that node. Differences that build up along the graph drop
 * out, so what remains is each op's own arithmetic against ORT's, per op type.
 */
final class LocalReplay {
    private LocalReplay() {}

    /** Totals over every replayed node: elements, differing elements, largest difference, differences MLAS's rules explain. */
    record Totals(long elements, long differ, long max, long explained) {}

    /** Per op type: elements compared, elements that differ, largest difference. */
    static Totals report(Graph g, Map<String, Tensor> ort) {
        long explained = 0;
        Map<String, long[]> byOp = new TreeMap<>();
        Node firstConv = null;
        List<Integer> convWhere = new ArrayList<>();
        long[] convTheirs = null;
        Map<String, Tensor> convInputs = new java.util.HashMap<>();
        List<String> firstDiffs = new ArrayList<>();
        for (Node n : g.nodes()) {
            Tensor expected = ort.get(n.output().name());
            if (expected == null || !n.output().type().dtype().isInteger()) continue;
            Graph single = new Graph("replay");
            List<Tensor> feeds = new ArrayList<>();
            boolean ok = true;
            for (Value v : n.inputs()) {
                Tensor c = g.constantData(v);
                if (c != null) {
                    if (single.constant(v.name()) == null) single.addConstant(v.name(), c, v.type().quant());
                    continue;
                }
                Tensor t = ort.get(v.name());
                if (t == null || single.inputs().stream().anyMatch(i -> i.name().equals(v.name()))) { ok &= t != null; continue; }
                single.addInput(v);
                feeds.add(asIr(t, v));
            }
            if (!ok || feeds.isEmpty()) continue;
            single.addNode(n);
            single.addOutput(n.output());
            long[] ours = new Interpreter(single).run(feeds).get(0).toLongs();
            long[] theirs = asIr(expected, n.output()).toLongs();
            long[] s = byOp.computeIfAbsent(n.op().opName(), k -> new long[4]);
            long diff = 0, max = 0;
            for (int i = 0; i < ours.length; i++) {
                long d = Math.abs(ours[i] - theirs[i]);
                if (d != 0) diff++;
                max = Math.max(max, d);
            }
            s[0]++;
            s[1] += ours.length;
            s[2] += diff;
            s[3] = Math.max(s[3], max);
            if (diff > 0 && n.op() instanceof nncc.ir.op.QAdd) {
                Map<String, Tensor> in = new java.util.HashMap<>();
                for (int k = 0; k < single.inputs().size(); k++) in.put(single.inputs().get(k).name(), feeds.get(k));
                in.put(n.output().name(), Tensor.ofLongs(n.output().type().dtype(), expected.shape(), ours));
                List<Integer> where = new ArrayList<>();
                for (int i = 0; i < ours.length; i++) if (ours[i] != theirs[i]) where.add(i);
                System.out.print("On ORT's own inputs:");
                long shift = expected.dtype() == DType.U8 && n.output().type().dtype() == DType.I8 ? 128 : 0;
                long[] ortRaw = expected.toLongs();
                explained += ConvRequantization.explainAdd(n, in, where, ortRaw, shift);
            }
            if (diff > 0 && n.op() instanceof nncc.ir.op.QAveragePool) {
                List<Integer> where = new ArrayList<>();
                for (int i = 0; i < ours.length; i++) if (ours[i] != theirs[i]) where.add(i);
                ConvRequantization.explainAveragePool(n, feeds.get(0), where, theirs);
            }
            if (diff > 0 && n.op() instanceof nncc.ir.op.QConv) {
                firstConv = n;
                convTheirs = theirs;
                convWhere.clear();
                convInputs.clear();
                for (int i = 0; i < ours.length; i++) if (ours[i] != theirs[i]) convWhere.add(i);
                for (int k = 0; k < single.inputs().size(); k++) convInputs.put(single.inputs().get(k).name(), feeds.get(k));
                System.out.print("On ORT's own input:");
                explained += ConvRequantization.explain(g, firstConv, convInputs, convWhere, convTheirs, 0);
            }
            if (diff > 0 && firstDiffs.size() < 8)
                firstDiffs.add(String.format(Locale.ROOT, "  %s (%s): %d of %d differ, max %d", n.name(), n.op().opName(), diff, ours.length, max));
        }
        System.out.println("\nEach node alone on ONNX Runtime's inputs (op: nodes, elements, differing elements, max LSB):");
        byOp.forEach((op, s) -> System.out.printf(Locale.ROOT, "  %-12s %3d nodes %9d elements %6d differ (%.4f%%), max %d%n", op, s[0], s[1],
                s[2], 100.0 * s[2] / Math.max(1, s[1]), s[3]));
        firstDiffs.forEach(System.out::println);
        long elements = 0, differ = 0, max = 0;
        for (long[] s : byOp.values()) { elements += s[1]; differ += s[2]; max = Math.max(max, s[3]); }
        return new Totals(elements, differ, max, explained);
    }

    /** ORT's tensor as the IR value's integers (uint8 moved back by 128 to int8). */
    private static Tensor asIr(Tensor t, Value v) {
        if (t.dtype() == v.type().dtype()) return t;
        long[] x = t.toLongs();
        long shift = t.dtype() == DType.U8 && v.type().dtype() == DType.I8 ? 128 : 0;
        for (int i = 0; i < x.length; i++) x[i] -= shift;
        return Tensor.ofLongs(v.type().dtype(), t.shape(), x);
    }
}
