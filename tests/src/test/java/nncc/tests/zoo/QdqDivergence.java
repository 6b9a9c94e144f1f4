package nncc.tests.zoo;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import nncc.tests.OrtRunner;

/**
 * A diagnosis tool (not a test): finds where nncc's integer reference and ONNX Runtime first disagree on a QDQ
 * export ({@code compile --target onnx} folder). Every QuantizeLinear output of the ONNX model is made a graph
 * output, ONNX Runtime runs it on the input's samples, and each integer tensor is compared with the one nncc's
 * interpreter computes for the same IR value (names through {@code model.names.tsv}; ORT's uint8 activations are
 * moved back by 128). Prints, in graph order, every tensor that differs; then replays each node alone on ORT's own
 * inputs ({@link LocalReplay}), so differences carried from earlier layers drop out, and for every element that still
 * differs, what each requantization rule gives ({@link ConvRequantization}).
 *
 * <p>Arguments: {@code DIR INPUT.npy [max rows]}.
 */
public final class QdqDivergence {
    private QdqDivergence() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int maxRows = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        Tensor x = Npy.read(Path.of(args[1])); // every sample (the model's batch dimension is symbolic)
        Graph g = IrParser.parse(dir.resolve("model.nnir"));
        Map<String, String> irName = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("model.names.tsv")).subList(1, Files.readAllLines(dir.resolve("model.names.tsv")).size())) {
            String[] f = line.split("\t");
            if (f[0].equals("tensor")) irName.put(f[1], f[2]);
        }
        Map<String, Tensor> ours = new HashMap<>();
        Map<String, Node> producer = new HashMap<>();
        new Interpreter(g).run(List.of(quantizedInput(g, x)), (Node n, List<Tensor> outs) -> {
            for (int i = 0; i < outs.size(); i++) {
                ours.put(n.outputs().get(i).name(), outs.get(i));
                producer.put(n.outputs().get(i).name(), n);
            }
        });
        Map<String, Tensor> ort = ortIntermediates(Files.readAllBytes(dir.resolve("model.onnx")), x, irName);
        System.out.printf("%d IR values traced, %d QuantizeLinear outputs from ONNX Runtime%n", ours.size(), ort.size());
        int rows = 0, compared = 0;
        String firstNode = null;
        for (Node n : g.nodes()) {
            Value v = n.output();
            Tensor theirs = ort.get(v.name()), mine = ours.get(v.name());
            if (theirs == null || mine == null || !v.type().dtype().isInteger()) continue;
            compared++;
            long[] a = mine.toLongs(), b = theirs.toLongs();
            long shift = theirs.dtype() == DType.U8 && v.type().dtype() == DType.I8 ? 128 : 0;
            int diff = 0;
            long max = 0;
            List<Integer> where = new ArrayList<>();
            for (int i = 0; i < a.length; i++) {
                long d = Math.abs(a[i] - (b[i] - shift));
                if (d != 0) { diff++; where.add(i); }
                max = Math.max(max, d);
            }
            if (diff == 0) continue;
            if (firstNode == null) firstNode = n.name() + " (" + n.op().opName() + ")";
            if (rows++ < maxRows)
                System.out.printf(Locale.ROOT, "%-50s %-12s %6d of %7d differ (%.3f%%), max %d LSB%n", n.name(), n.op().opName(), diff,
                        a.length, 100.0 * diff / a.length, max);
        }
        System.out.printf("%d integer tensors compared, %d differ%n", compared, rows);
        // the model's input as nncc quantizes it (TFLite rounding; equal to QuantizeLinear's unless x / scale is a tie)
        if (g.inputs().get(0).type().dtype().isInteger()) ort.putIfAbsent(g.inputs().get(0).name(), quantizedInput(g, x));
        LocalReplay.Totals t = LocalReplay.report(g, ort);
        System.out.printf(Locale.ROOT, "SUMMARY\t%s\t%s\t%d\t%d\t%d\t%d%n", dir.getFileName(), firstNode == null ? "-" : firstNode,
                t.elements(), t.differ(), t.max(), t.explained());
    }

    /** Runs the model in ONNX Runtime with every QuantizeLinear output made a graph output; results by IR value name. */
    private static Map<String, Tensor> ortIntermediates(byte[] onnx, Tensor x, Map<String, String> irName) throws Exception {
        ModelProto m = ModelProto.parseFrom(onnx);
        var graph = m.getGraph().toBuilder();
        List<String> names = new ArrayList<>();
        java.util.Set<String> outputs = new java.util.HashSet<>();
        graph.getOutputList().forEach(o -> outputs.add(o.getName()));
        for (NodeProto n : graph.getNodeList()) {
            if (!n.getOpType().equals("QuantizeLinear") || outputs.contains(n.getOutput(0))) continue;
            names.add(n.getOutput(0));
            boolean u8 = n.getInputCount() > 2 && isUint8ZeroPoint(graph, n.getInput(2));
            graph.addOutput(ValueInfoProto.newBuilder().setName(n.getOutput(0)).setType(TypeProto.newBuilder()
                    .setTensorType(TypeProto.Tensor.newBuilder().setElemType(u8 ? 2 : 3))));
        }
        byte[] model = m.toBuilder().setGraph(graph).build().toByteArray();
        List<Tensor> outs = OrtRunner.runFloat(model, List.of(x));
        Map<String, Tensor> byIr = new LinkedHashMap<>();
        int first = m.getGraph().getOutputCount();
        for (int i = 0; i < names.size(); i++) byIr.put(irName.getOrDefault(names.get(i), names.get(i)), outs.get(first + i));
        return byIr;
    }

    private static boolean isUint8ZeroPoint(ai.onnx.proto.OnnxMl.GraphProto.Builder g, String name) {
        return g.getInitializerList().stream().anyMatch(t -> t.getName().equals(name) && t.getDataType() == 2);
    }

    private static Tensor quantizedInput(Graph g, Tensor x) {
        Value in = g.inputs().get(0);
        if (!in.type().dtype().isInteger()) return x;
        float s = in.type().quant().scale(0);
        long zp = in.type().quant().zeroPoint(0);
        float[] v = x.toFloats();
        long[] q = new long[v.length];
        for (int i = 0; i < v.length; i++) q[i] = nncc.ir.FixedPoint.quantizeScaled(v[i] / s, zp, in.type().dtype());
        return Tensor.ofLongs(in.type().dtype(), x.shape(), q);
    }
}
