package nncc.hls;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.Node;
import nncc.ir.Value;

/**
 * The {@code --io stream} structure of a project: one dataflow process per graph input (reads the port and fans its
 * tensor out) and per IR node (reads its inputs' FIFOs into local buffers, runs the node's layers, writes its output
 * to one FIFO per reader, or to the output port). Each FIFO holds one sample's whole tensor (depth = its element
 * count): a process reads all its inputs before computing and writes all its output after, so no process ever blocks
 * on a full FIFO and the DATAFLOW region cannot deadlock, while consecutive samples overlap across layers.
 */
final class Dataflow {
    private final HlsModel m;
    /** The process producing each value, by value name. */
    private final Map<String, HlsModel.Process> producer = new HashMap<>();

    Dataflow(HlsModel m) { this.m = m; }

    /** The process of graph input {@code v}: port {@code port} into local buffer {@code buffer}. */
    void input(Value v, HlsModel.Buffer port, HlsModel.Buffer buffer) {
        HlsModel.Process p = new HlsModel.Process("read_" + port.name, buffer);
        p.inputs.add(new HlsModel.StreamIn(new HlsModel.Fifo(port.name, port.type, port.size), buffer.name));
        producer.put(v.name(), p);
        m.processes.add(p);
    }

    /**
     * The process of node {@code n} (index {@code index}) running {@code layers}, which read {@code reads} and write
     * {@code out}; {@code port} is the output port when the node's output is a graph output, else null.
     */
    void node(Node n, int index, List<Value> reads, List<HlsModel.Layer> layers, HlsModel.Buffer out, HlsModel.Buffer port) {
        HlsModel.Process p = new HlsModel.Process("node_l" + index, out);
        for (Value v : reads) {
            HlsModel.Process from = producer.get(v.name());
            if (from == null) throw n.error("--io stream: " + v.name() + " has no producing process");
            HlsModel.Fifo f = new HlsModel.Fifo("s_" + from.output.name + "_l" + index, from.output.type, from.output.size);
            from.writes.add(f);
            m.fifos.add(f);
            p.inputs.add(new HlsModel.StreamIn(f, from.output.name));
        }
        p.layers.addAll(layers);
        if (port != null) p.writes.add(new HlsModel.Fifo(port.name, port.type, port.size));
        producer.put(n.output().name(), p);
        m.processes.add(p);
    }
}
