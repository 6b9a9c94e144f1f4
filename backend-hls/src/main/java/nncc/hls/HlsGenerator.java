package nncc.hls;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Value;
import org.stringtemplate.v4.ST;
import org.stringtemplate.v4.STErrorListener;
import org.stringtemplate.v4.STGroup;
import org.stringtemplate.v4.STGroupFile;
import org.stringtemplate.v4.misc.STMessage;

/**
 * {@code nncc compile --target hls}: turns a lowered integer graph into a Vitis-HLS-style C++ project. The layers
 * come from {@link HlsLayers}, the text from the StringTemplate group {@code hls.stg} (glue only: configuration
 * structs, the top function, buffers, pragmas, constant arrays, testbench, build.tcl, csim.sh) and the kernels
 * are nncc's header library, copied into {@code firmware/nncc/}. Output is deterministic: stable names, the
 * graph's node order, no timestamps.
 */
public final class HlsGenerator {
    private HlsGenerator() {}

    /** Options of the generated project. */
    public record Options(Io io, int reuseFactor, Strategy strategy, String part, double clockMhz, Map<String, Integer> layerReuse,
                          Map<String, Strategy> layerStrategy) {
        public Options {
            if (reuseFactor < 1) throw new IllegalArgumentException("--reuse-factor must be at least 1, got " + reuseFactor);
            layerReuse = Map.copyOf(layerReuse);
            layerStrategy = Map.copyOf(layerStrategy);
            for (Map.Entry<String, Integer> e : layerReuse.entrySet())
                if (e.getValue() < 1) throw new IllegalArgumentException("reuse factor of layer " + e.getKey() + " must be at least 1, got " + e.getValue());
            if (!(clockMhz > 0)) throw new IllegalArgumentException("--clock-mhz must be positive, got " + clockMhz);
            HlsEstimate.part(part);
        }

        /** Without per-layer strategies. */
        public Options(Io io, int reuseFactor, Strategy strategy, String part, double clockMhz, Map<String, Integer> layerReuse) {
            this(io, reuseFactor, strategy, part, clockMhz, layerReuse, Map.of());
        }

        public Options(Io io, int reuseFactor, Strategy strategy) { this(io, reuseFactor, strategy, DEFAULT_PART, 200, Map.of()); }

        public static Options defaults() { return new Options(Io.PARALLEL, 1, Strategy.LATENCY); }
    }

    /** The part the estimate and build.tcl use unless told otherwise. */
    public static final String DEFAULT_PART = "xczu7ev-ffvc1156-2-e";

    /** The parts the estimate knows. */
    public static List<String> parts() { return HlsEstimate.PARTS.stream().map(HlsEstimate.Part::name).toList(); }

    /** How the top function takes its inputs and gives its outputs. */
    public enum Io { PARALLEL, STREAM }

    /** How loops are scheduled. */
    public enum Strategy { LATENCY, RESOURCE }

    /** Line width the constant arrays wrap at. */
    private static final int LINE_WIDTH = 120;

    /** Every generated file by its path relative to the project folder (sorted), as UTF-8 text. */
    public static Map<String, byte[]> generate(Graph g, Options o) {
        HlsModel m = model(g, o);
        STGroup group = new STGroupFile(HlsGenerator.class.getResource("/nncc/hls/hls.stg"), "UTF-8", '«', '»');
        group.setListener(new FailOnError());
        Map<String, byte[]> files = new TreeMap<>();
        put(files, "firmware/" + m.name + ".h", render(group, "topHeader", m, null));
        put(files, "firmware/" + m.name + ".cpp", render(group, "topSource", m, null));
        put(files, "firmware/parameters.h", render(group, "parameters", m, null));
        for (HlsModel.Layer l : m.layers)
            if (l.getHasArrays()) put(files, "firmware/weights/" + l.id + ".h", render(group, "weights", m, l));
        for (String h : CSimToolchain.KERNEL_HEADERS) put(files, "firmware/nncc/" + h, CSimToolchain.kernelHeader(h));
        put(files, "tb/" + m.name + "_tb.cpp", render(group, "testbench", m, null));
        put(files, "tb_data/README.md", "Put the testbench's input here as input.bin (raw integer inputs, every sample back to back,\n"
                + "as ../io.json describes) before running build.tcl; the C simulation writes csim_output.bin.\n");
        put(files, "csim.sh", render(group, "csim", m, null));
        put(files, "build.tcl", render(group, "buildTcl", m, null));
        HlsEstimate.Part part = HlsEstimate.part(o.part());
        put(files, "report.md", HlsEstimate.markdown(m, part, o.clockMhz()));
        put(files, "report.json", HlsEstimate.json(m, part, o.clockMhz()));
        return files;
    }

    /** The project's top function name: the graph's name as a C identifier. */
    public static String topName(Graph g) {
        String s = identifier(g.name() == null || g.name().isEmpty() ? "model" : g.name());
        return Character.isDigit(s.charAt(0)) ? "model_" + s : s;
    }

    private static HlsModel model(Graph g, Options o) {
        HlsModel m = new HlsModel(topName(g), g.name(), o.io().name().toLowerCase(Locale.ROOT), o.strategy().name().toLowerCase(Locale.ROOT),
                o.reuseFactor(), HlsEstimate.part(o.part()).name(), String.format(Locale.ROOT, "%.3f", 1000 / o.clockMhz()));
        boolean stream = o.io() == Io.STREAM;
        Map<String, String> buffers = new HashMap<>();
        for (Value v : g.inputs()) {
            HlsModel.Buffer p = port(g, v, "in_");
            m.inputs.add(p);
            buffers.put(v.name(), stream ? p.name + "_buf" : p.name);
            if (stream) m.buffers.add(new HlsModel.Buffer(p.name + "_buf", p.type, p.rawType, v.name(), p.dtype, p.size, false));
        }
        Map<String, HlsModel.Buffer> outputs = new HashMap<>();
        for (Value v : g.outputs()) {
            if (outputs.containsKey(v.name())) throw new ModelException(null, null, "--target hls: output " + v.name() + " is listed twice");
            HlsModel.Buffer p = port(g, v, "out_");
            m.outputs.add(p);
            outputs.put(v.name(), p);
        }
        for (String name : o.layerReuse().keySet())
            if (!g.nodesByName().containsKey(name)) throw new ModelException(null, name, "--layer-reuse names no node of the graph");
        for (String name : o.layerStrategy().keySet())
            if (!g.nodesByName().containsKey(name)) throw new ModelException(null, name, "a layer strategy names no node of the graph");
        List<Value> reads = new java.util.ArrayList<>();
        HlsLayers reader = new HlsLayers(g, o.reuseFactor(), o.layerReuse(), m.strategy, o.layerStrategy(), v -> {
            String b = buffers.get(v.name());
            if (b == null) throw new ModelException(null, null, "--target hls: value " + v.name() + " is used before it is computed");
            if (!reads.contains(v)) reads.add(v);
            return b;
        });
        Dataflow dataflow = stream ? new Dataflow(m) : null;
        if (stream) for (int k = 0; k < g.inputs().size(); k++) dataflow.input(g.inputs().get(k), m.inputs.get(k), m.buffers.get(k));
        List<Node> nodes = g.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Value y = n.output();
            HlsModel.Buffer port = outputs.get(y.name()), out;
            if (port != null) {
                buffers.put(y.name(), stream ? port.name + "_buf" : port.name);
                out = stream ? new HlsModel.Buffer(port.name + "_buf", port.type, port.rawType, y.name(), port.dtype, port.size, false) : port;
                if (stream) m.buffers.add(out);
            } else {
                String name = "t" + i;
                buffers.put(y.name(), name);
                out = new HlsModel.Buffer(name, HlsTypes.cType(n, y.type().dtype()), rawType(y.type().dtype()), y.name(),
                        y.type().dtype().text(), HlsLayers.elements(n, y), false);
                m.buffers.add(out);
            }
            reads.clear();
            List<HlsModel.Layer> layers = reader.layers(n, i);
            HlsModel.Layer last = layers.get(layers.size() - 1);
            last.traceBuffer = buffers.get(y.name());
            last.traceSize = HlsLayers.elements(n, y);
            last.traceNode = i;
            m.layers.addAll(layers);
            if (stream) dataflow.node(n, i, reads.stream().filter(v -> !n.outputs().contains(v)).toList(), layers, out, port);
        }
        for (Value v : g.outputs())
            if (!buffers.containsKey(v.name()) || g.inputs().contains(v))
                throw new ModelException(null, null, "--target hls: output " + v.name() + " must be computed by a node");
        return m;
    }

    private static HlsModel.Buffer port(Graph g, Value v, String prefix) {
        DType t = v.type().dtype();
        var s = v.type().shape();
        if (s.rank() == 0 || (!s.isSymbolic(0) && s.dim(0) != 1))
            throw new ModelException(null, null, "--target hls runs one sample at a time: " + v.name() + " is " + s + " (batch dim must be ?N or 1)");
        long size = 1;
        for (int i = 1; i < s.rank(); i++) {
            if (s.isSymbolic(i)) throw new ModelException(null, null, "--target hls needs static shapes: " + v.name() + " is " + s);
            size *= s.dim(i);
        }
        return new HlsModel.Buffer(prefix + identifier(v.name()), HlsTypes.cType(null, t), rawType(t), v.name(), t.text(), Math.toIntExact(size), true);
    }

    private static String rawType(DType t) {
        if (!t.isInteger()) throw new ModelException(null, null, "--target hls needs integer tensors, got " + t.text());
        return HlsTypes.storageType(null, t);
    }

    /** {@code s} with every character outside [A-Za-z0-9_] replaced by '_', runs collapsed, no leading/trailing '_'. */
    static String identifier(String s) {
        String r = s.replaceAll("[^A-Za-z0-9_]+", "_").replaceAll("_+", "_").replaceAll("^_|_$", "");
        return r.isEmpty() ? "v" : r;
    }

    private static String render(STGroup group, String template, HlsModel m, HlsModel.Layer l) {
        ST st = group.getInstanceOf(template);
        if (st == null) throw new IllegalStateException("hls.stg has no template " + template);
        st.add("m", m);
        if (l != null) st.add("l", l);
        return st.render(LINE_WIDTH);
    }

    /** A template error is a bug in hls.stg or HlsModel: fail instead of writing a broken file. */
    private static final class FailOnError implements STErrorListener {
        @Override public void compileTimeError(STMessage msg) { throw new IllegalStateException("hls.stg: " + msg); }

        @Override public void runTimeError(STMessage msg) { throw new IllegalStateException("hls.stg: " + msg); }

        @Override public void IOError(STMessage msg) { throw new IllegalStateException("hls.stg: " + msg); }

        @Override public void internalError(STMessage msg) { throw new IllegalStateException("hls.stg: " + msg); }
    }

    private static void put(Map<String, byte[]> files, String path, String text) { files.put(path, text.getBytes(StandardCharsets.UTF_8)); }
}
