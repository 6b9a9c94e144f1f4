package nncc.tests;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.Value;

/**
 * Compares every integer tensor of a lowered graph with ONNX Runtime's run of its QDQ export (written with IR names):
 * each QuantizeLinear output becomes a graph output, and ORT's uint8 values are moved back by 128 for i8 values.
 * The result lists, in graph order, each compared tensor's name, op, element count, differing elements and largest
 * difference.
 */
final class OnnxLayerComparison {
    private OnnxLayerComparison() {}

    record Layer(String value, String op, long elements, long differ, long maxDiff) {}

    record Result(List<Layer> layers) {
        long differing() { return layers.stream().mapToLong(Layer::differ).sum(); }

        long elements() { return layers.stream().mapToLong(Layer::elements).sum(); }

        long maxDiff() { return layers.stream().mapToLong(Layer::maxDiff).max().orElse(0); }

        /** The first tensor that differs, or "none". */
        String firstDiffering() {
            return layers.stream().filter(l -> l.differ() > 0).findFirst()
                    .map(l -> l.value() + " (" + l.op() + ", " + l.differ() + " of " + l.elements() + ")").orElse("none");
        }

        @Override public String toString() {
            return String.format("%d integer tensors, %d elements, %d differ (max %d LSB), first differing: %s", layers.size(),
                    elements(), differing(), maxDiff(), firstDiffering());
        }
    }

    /** Runs {@code g} (float inputs {@code x}) in nncc and its export {@code onnx} (IR names) in ORT; compares every tensor. */
    static Result compare(Graph g, byte[] onnx, List<Tensor> x) throws Exception {
        Map<String, Tensor> ours = new HashMap<>();
        Map<String, String> opOf = new HashMap<>();
        new Interpreter(g).run(x, (Node n, List<Tensor> outs) -> {
            for (int i = 0; i < outs.size(); i++) {
                ours.put(n.outputs().get(i).name(), outs.get(i));
                opOf.put(n.outputs().get(i).name(), n.op().opName());
            }
        });
        Map<String, Tensor> theirs = ortIntermediates(onnx, x);
        List<Layer> layers = new ArrayList<>();
        for (Node n : g.nodes()) {
            Value v = n.output();
            Tensor t = theirs.get(v.name()), mine = ours.get(v.name());
            if (t == null || mine == null || !v.type().dtype().isInteger()) continue;
            long shift = t.dtype() == DType.U8 && v.type().dtype() == DType.I8 ? 128 : 0;
            long[] a = mine.toLongs(), b = t.toLongs();
            long differ = 0, max = 0;
            for (int i = 0; i < a.length; i++) {
                long d = Math.abs(a[i] - (b[i] - shift));
                if (d != 0) differ++;
                max = Math.max(max, d);
            }
            layers.add(new Layer(v.name(), opOf.get(v.name()), a.length, differ, max));
        }
        return new Result(layers);
    }

    /** ORT's value of every QuantizeLinear output of {@code onnx}, by tensor name. */
    static Map<String, Tensor> ortIntermediates(byte[] onnx, List<Tensor> x) throws Exception {
        ModelProto m = ModelProto.parseFrom(onnx);
        var graph = m.getGraph().toBuilder();
        java.util.Set<String> outputs = new java.util.HashSet<>();
        graph.getOutputList().forEach(o -> outputs.add(o.getName()));
        List<String> names = new ArrayList<>();
        for (NodeProto n : graph.getNodeList()) {
            if (!n.getOpType().equals("QuantizeLinear") || outputs.contains(n.getOutput(0))) continue;
            String zp = n.getInputCount() > 2 ? n.getInput(2) : "";
            boolean u8 = graph.getInitializerList().stream().anyMatch(t -> t.getName().equals(zp) && t.getDataType() == 2);
            names.add(n.getOutput(0));
            graph.addOutput(ValueInfoProto.newBuilder().setName(n.getOutput(0)).setType(TypeProto.newBuilder()
                    .setTensorType(TypeProto.Tensor.newBuilder().setElemType(u8 ? 2 : 3))));
        }
        List<Tensor> outs = OrtRunner.runFloat(m.toBuilder().setGraph(graph).build().toByteArray(), x);
        Map<String, Tensor> byName = new LinkedHashMap<>();
        int first = m.getGraph().getOutputCount();
        for (int i = 0; i < names.size(); i++) byName.put(names.get(i), outs.get(first + i));
        return byName;
    }
}
