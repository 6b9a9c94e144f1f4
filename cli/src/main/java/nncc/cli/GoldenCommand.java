package nncc.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.io.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nncc golden MODEL --input X.npy -o DIR}: golden vectors for hardware teams. For every graph input and every
 * node output, the integer reference's values over all samples as {@code NNN_name.npy}, as {@code .hex} (one value
 * per line in two's complement, for Verilog's {@code $readmemh}) and as a C array ({@code .h}), with
 * {@code manifest.json} naming layers, ops, shapes, dtypes, layouts and quantization parameters.
 */
@Command(name = "golden", mixinStandardHelpOptions = true, description = "Write every layer's integer input and output tensors (.npy, $readmemh hex, C arrays) and a manifest.")
final class GoldenCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (.nnir or .onnx; a quantized model gives integer vectors).")
    Path model;

    @Mixin SampleInputs sampleInputs;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Output folder (must not exist or be empty).")
    Path outDir;

    @Spec CommandSpec spec;

    @Override public Integer call() throws IOException {
        if (Files.exists(outDir)) {
            try (var s = Files.list(outDir)) {
                if (!Files.isDirectory(outDir) || s.findAny().isPresent()) throw new CliException(outDir + ": output directory exists and is not empty");
            }
        }
        Graph g = ModelLoader.load(model);
        List<List<Tensor>> samples = sampleInputs.samples(g);
        int n = samples.size();
        // value name -> (producer, per-sample tensors), in graph order: inputs, then every node's outputs
        Map<String, List<Tensor>> values = new LinkedHashMap<>();
        Map<String, Node> producer = new LinkedHashMap<>();
        Map<String, Value> typeOf = new LinkedHashMap<>();
        for (Value v : g.inputs()) { values.put(v.name(), new ArrayList<>()); typeOf.put(v.name(), v); }
        for (Node node : g.nodes())
            for (Value v : node.outputs()) { values.put(v.name(), new ArrayList<>()); producer.put(v.name(), node); typeOf.put(v.name(), v); }
        Interpreter it = Interpreter.prepare(g);
        for (List<Tensor> sample : samples) {
            for (int i = 0; i < sample.size(); i++) values.get(g.inputs().get(i).name()).add(sample.get(i));
            it.run(sample, (node, outs) -> { for (int k = 0; k < outs.size(); k++) values.get(node.outputs().get(k).name()).add(outs.get(k)); });
        }
        Path abs = outDir.toAbsolutePath();
        Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + "-");
        List<String> entries = new ArrayList<>();
        int index = 0;
        for (Map.Entry<String, List<Tensor>> e : values.entrySet()) {
            if (e.getValue().size() != n) continue; // outputs the interpreter did not report
            Tensor t = Tensor.concatBatch(e.getValue());
            String base = String.format(Locale.ROOT, "%03d_%s", index++, e.getKey().replaceAll("[^A-Za-z0-9_.-]+", "_").replaceAll("^_+", ""));
            Npy.write(tmp.resolve(base + ".npy"), t);
            if (t.dtype().isInteger()) {
                Files.writeString(tmp.resolve(base + ".hex"), hex(t));
                Files.writeString(tmp.resolve(base + ".h"), cArray(t, "golden_" + base.replaceAll("[^A-Za-z0-9_]", "_")));
            }
            Node p = producer.get(e.getKey());
            entries.add(entry(base, e.getKey(), p, typeOf.get(e.getKey()), t));
        }
        Files.writeString(tmp.resolve("manifest.json"), "{\n  \"model\": " + IoJson.quote(model.toString()) + ",\n  \"samples\": " + n
                + ",\n  \"layout\": \"every tensor with the samples as its leading dim, then the IR's own dims (NCHW)\",\n  \"tensors\": [\n    "
                + String.join(",\n    ", entries) + "\n  ]\n}\n", StandardCharsets.UTF_8);
        if (Files.exists(abs)) Files.delete(abs);
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
        spec.commandLine().getOut().printf("wrote %s: %d tensors of %d samples%n", outDir, index, n);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static String entry(String base, String value, Node p, Value v, Tensor t) {
        QuantParams q = v.type().quant();
        String scale = q == null || q.isPerAxis() ? "null" : Float.toString(q.scale(0)).toLowerCase(Locale.ROOT);
        String zp = q == null || q.isPerAxis() ? "null" : Long.toString(q.zeroPoint(0));
        List<String> dims = new ArrayList<>();
        for (long d : t.shape().dims()) dims.add(Long.toString(d));
        return "{\"file\": " + IoJson.quote(base) + ", \"value\": " + IoJson.quote(value) + ", \"layer\": " + (p == null ? "null" : IoJson.quote(p.name()))
                + ", \"op\": " + (p == null ? "\"input\"" : IoJson.quote(p.op().opName())) + ", \"shape\": [" + String.join(", ", dims) + "], \"dtype\": "
                + IoJson.quote(t.dtype().text()) + ", \"scale\": " + scale + ", \"zero_point\": " + zp + "}";
    }

    /** One value per line in two's complement hex of the dtype's width ($readmemh). */
    private static String hex(Tensor t) {
        int bits = t.dtype().bits(), digits = (bits + 3) / 4;
        long mask = bits == 64 ? -1L : (1L << bits) - 1;
        StringBuilder b = new StringBuilder();
        for (long v : t.toLongs()) {
            String h = Long.toHexString(v & mask);
            b.append("0".repeat(Math.max(0, digits - h.length()))).append(h).append('\n');
        }
        return b.toString();
    }

    private static String cArray(Tensor t, String name) {
        String type = switch (t.dtype()) {
            case I8, I4 -> "signed char"; case U8 -> "unsigned char"; case I16 -> "short"; case I32 -> "int"; default -> "long long";
        };
        long[] v = t.toLongs();
        StringBuilder b = new StringBuilder("// ").append(t.dtype().text()).append(t.shape()).append(", generated by nncc golden\n");
        b.append("static const ").append(type).append(' ').append(name).append('[').append(v.length).append("] = {");
        for (int i = 0; i < v.length; i++) b.append(i % 24 == 0 ? "\n    " : " ").append(v[i]).append(i + 1 < v.length ? "," : "");
        return b.append("\n};\n").toString();
    }
}
