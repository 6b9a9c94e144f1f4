package nncc.hls;

import java.util.ArrayList;
import java.util.List;

/**
 * What the StringTemplate group {@code hls.stg} renders: the model's ports, buffers and layers, each layer a
 * configuration struct, one kernel call and its constant arrays. Plain objects with public fields (the form
 * StringTemplate reads); every number in them was read from the IR.
 */
public final class HlsModel {
    /** A named compile-time value of a configuration struct, {@code static const type name = value;}. */
    public static final class Constant {
        public final String type, name, value;

        Constant(String type, String name, Object value) { this.type = type; this.name = name; this.value = String.valueOf(value); }
    }

    /** A {@code typedef type name;} in a configuration struct. */
    public static final class Typedef {
        public final String name, type;

        Typedef(String name, String type) { this.name = name; this.type = type; }
    }

    /** A constant array (weights, biases, multipliers, shifts, tables) written as {@code static const type name[size]}. */
    public static final class Array {
        public final String type, name;
        public final int size;
        /** The values in rows of {@link #ROW} (the layout of the initializer text). */
        public final List<List<Long>> rows = new ArrayList<>();

        static final int ROW = 24;

        Array(String type, String name, List<Long> values) {
            this.type = type;
            this.name = name;
            this.size = values.size();
            for (int i = 0; i < values.size(); i += ROW) rows.add(values.subList(i, Math.min(values.size(), i + ROW)));
        }
    }

    /** An activation buffer: a graph input or output (a port) or an intermediate tensor of one sample. */
    public static final class Buffer {
        public final String name, type, rawType, irName, dtype;
        public final int size;
        public final boolean port;

        Buffer(String name, String type, String rawType, String irName, String dtype, int size, boolean port) {
            this.name = name; this.type = type; this.rawType = rawType; this.irName = irName; this.dtype = dtype; this.size = size; this.port = port;
        }
    }

    /** One layer: its configuration struct, the kernel it calls with which arguments, its constant arrays. */
    public static final class Layer {
        public final String id, irName, opName, kernel, config;
        /** The header-library function the glue calls: {@link #kernel}, or its {@code _resource} form under that strategy. */
        public String call;
        /** For the last layer of a node: the buffer holding the node's output, its size and the node's index (NNCC_TRACE). */
        public String traceBuffer;
        public int traceSize, traceNode;
        public final List<Typedef> typedefs = new ArrayList<>();
        public final List<Constant> constants = new ArrayList<>();
        public final List<String> args = new ArrayList<>();
        public final List<Array> arrays = new ArrayList<>();

        Layer(String id, String irName, String opName, String kernel) {
            this.id = id; this.irName = irName; this.opName = opName; this.kernel = kernel; this.config = "config_" + id;
            this.call = kernel;
        }

        /** For the template ({@code l.hasArrays}); no {@code hasArrays()}, which StringTemplate would take for {@code l.arrays}. */
        public boolean getHasArrays() { return !arrays.isEmpty(); }

        /** The integer value of constant {@code name} of the configuration struct. */
        long get(String name) {
            for (Constant c : constants) if (c.name.equals(name)) return Long.parseLong(c.value);
            throw new IllegalStateException("layer " + id + " has no constant " + name);
        }

        /** The bit width of typedef {@code name} ({@code ap_int<W>} or {@code ap_uint<W>}). */
        int typeBits(String name) {
            for (Typedef t : typedefs)
                if (t.name.equals(name)) return Integer.parseInt(t.type.substring(t.type.indexOf('<') + 1, t.type.indexOf('>')));
            throw new IllegalStateException("layer " + id + " has no type " + name);
        }

        Layer type(String name, String type) { typedefs.add(new Typedef(name, type)); return this; }

        Layer num(String name, long value) { constants.add(new Constant(Math.abs(value) > Integer.MAX_VALUE ? "long long" : "int", name, value)); return this; }

        Layer flag(String name, boolean value) { constants.add(new Constant("bool", name, value)); return this; }

        Layer raw(String type, String name, String value) { constants.add(new Constant(type, name, value)); return this; }
    }

    /** A FIFO between two dataflow processes ({@code --io stream}): {@code depth} elements, one sample's whole tensor. */
    public static final class Fifo {
        public final String name, type;
        public final int depth;

        Fifo(String name, String type, int depth) { this.name = name; this.type = type; this.depth = depth; }
    }

    /** One FIFO a dataflow process reads into its local buffer {@code buffer}. */
    public static final class StreamIn {
        public final Fifo fifo;
        public final String buffer;

        StreamIn(Fifo fifo, String buffer) { this.fifo = fifo; this.buffer = buffer; }
    }

    /**
     * A dataflow process ({@code --io stream}): reads whole input tensors from its FIFOs into local buffers (or, for a
     * graph input, from the port), runs one IR node's layers, and writes its output to every FIFO (or port) that reads it.
     */
    public static final class Process {
        public final String name;
        public final List<StreamIn> inputs = new ArrayList<>();
        public final List<Layer> layers = new ArrayList<>();
        /** The local buffer the layers write ({@code null} for a fork process), and the FIFOs or ports it is copied to. */
        public final Buffer output;
        public final List<Fifo> writes = new ArrayList<>();

        Process(String name, Buffer output) { this.name = name; this.output = output; }

        /** Every stream parameter: the FIFOs read, then those written. */
        public List<Fifo> getParams() {
            List<Fifo> p = new ArrayList<>();
            for (StreamIn i : inputs) p.add(i.fifo);
            p.addAll(writes);
            return p;
        }
    }

    public final String name, graphName, io, strategy, part, clockPeriodNs;
    /** {@code --io stream}: the dataflow processes in graph order and the FIFOs between them (ports excluded). */
    public final List<Process> processes = new ArrayList<>();
    public final List<Fifo> fifos = new ArrayList<>();
    public final int reuseFactor;
    public final List<Buffer> inputs = new ArrayList<>(), outputs = new ArrayList<>(), buffers = new ArrayList<>();
    public final List<Layer> layers = new ArrayList<>();

    HlsModel(String name, String graphName, String io, String strategy, int reuseFactor, String part, String clockPeriodNs) {
        this.name = name; this.graphName = graphName; this.io = io; this.strategy = strategy; this.reuseFactor = reuseFactor;
        this.part = part; this.clockPeriodNs = clockPeriodNs;
    }

    public boolean isStream() { return io.equals("stream"); }
}
