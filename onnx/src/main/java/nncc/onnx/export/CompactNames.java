package nncc.onnx.export;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Renames a model's internal tensors and nodes to short base-36 names ({@code 0}, {@code 1}, ... {@code z},
 * {@code 10}...), keeping the graph's input and output names. In a small per-channel model the IR-derived names
 * ({@code /features/features.4/expand/expand.0/Conv_output_0_dequantized_scale}) can take a third of the file;
 * the mapping back to them is returned as a tab-separated table so nothing is lost.
 */
final class CompactNames {
    private final Set<String> kept = new HashSet<>();
    private final Map<String, String> tensors = new LinkedHashMap<>();
    private final Map<String, String> nodes = new LinkedHashMap<>();
    private int nextTensor, nextNode;

    /** The renamed model and the table {@code kind<TAB>short<TAB>original} of every renamed name. */
    record Result(ModelProto model, String table) { }

    static Result apply(ModelProto model) { return new CompactNames().run(model); }

    private Result run(ModelProto model) {
        GraphProto g = model.getGraph();
        g.getInputList().forEach(v -> kept.add(v.getName()));
        g.getOutputList().forEach(v -> kept.add(v.getName()));
        GraphProto.Builder b = g.toBuilder();
        for (int i = 0; i < b.getInitializerCount(); i++) {
            TensorProto t = b.getInitializer(i);
            b.setInitializer(i, t.toBuilder().setName(tensor(t.getName())));
        }
        for (int i = 0; i < b.getNodeCount(); i++) {
            NodeProto n = b.getNode(i);
            NodeProto.Builder nb = n.toBuilder().clearInput().clearOutput();
            for (String in : n.getInputList()) nb.addInput(tensor(in));
            for (String out : n.getOutputList()) nb.addOutput(tensor(out));
            if (!n.getName().isEmpty()) nb.setName(node(n.getName()));
            b.setNode(i, nb);
        }
        for (int i = 0; i < b.getValueInfoCount(); i++) {
            ValueInfoProto v = b.getValueInfo(i);
            b.setValueInfo(i, v.toBuilder().setName(tensor(v.getName())));
        }
        StringBuilder table = new StringBuilder("kind\tshort\toriginal\n");
        tensors.forEach((orig, s) -> table.append("tensor\t").append(s).append('\t').append(orig).append('\n'));
        nodes.forEach((orig, s) -> table.append("node\t").append(s).append('\t').append(orig).append('\n'));
        return new Result(model.toBuilder().setGraph(b).build(), table.toString());
    }

    /** The short name of tensor {@code name}; empty (a skipped optional input) and kept names stay as they are. */
    private String tensor(String name) {
        if (name.isEmpty() || kept.contains(name)) return name;
        String s = tensors.get(name);
        if (s == null) {
            do s = Integer.toString(nextTensor++, 36); while (kept.contains(s));
            tensors.put(name, s);
        }
        return s;
    }

    private String node(String name) {
        return nodes.computeIfAbsent(name, k -> Integer.toString(nextNode++, 36));
    }
}
