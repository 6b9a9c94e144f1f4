package nncc.passes.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.*;

/**
 * A float (or fake-quant) IR graph made trainable: one {@link TrainLayer} per node, in graph order, reading
 * batched values (dim 0 of every non-constant value is the batch) and parameters (the constants that are conv and
 * dense weights and biases and batch-norm scales and shifts; batch-norm running statistics are updated, not
 * trained). One graph input and one graph output (the logits; a final Softmax is left out, the loss applies its
 * own). Ops without a derivative here are refused, naming the node.
 */
final class TrainingGraph {
    final Graph graph;
    final List<TrainLayer> layers = new ArrayList<>();
    /** Trained parameters by constant name, weights first seen first. */
    final Map<String, TrainValue> parameters = new LinkedHashMap<>();
    /** Constants updated in training but not by the optimizer (batch-norm running statistics). */
    final Map<String, TrainValue> statistics = new LinkedHashMap<>();
    /** Parameters that weight decay applies to (conv and dense weights). */
    final List<TrainValue> decayed = new ArrayList<>();
    final Map<String, FakeQuantLayer> fakeQuants = new LinkedHashMap<>();
    /** The ConvBn chains ({@link ConvBnForm}), each trained as one layer. */
    final List<ConvBnLayer> convBns = new ArrayList<>();
    final TrainValue input, logits;
    private final Map<String, TrainValue> values = new HashMap<>();
    private final int chunks;

    TrainingGraph(Graph graph, boolean lsq, int chunks) {
        this.graph = graph;
        this.chunks = chunks;
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1)
            throw new ModelException("training needs one graph input and one output (the logits), the graph has "
                    + graph.inputs().size() + " inputs and " + graph.outputs().size() + " outputs");
        Value in = graph.inputs().get(0);
        input = batched(in);
        input.aliased = false;
        Value out = graph.outputs().get(0);
        Map<String, ConvBnForm.Chain> chainsByConv = new HashMap<>();
        java.util.Set<String> chainNodes = new java.util.HashSet<>();
        for (ConvBnForm.Chain c : ConvBnForm.chains(graph)) {
            chainsByConv.put(c.conv().name(), c);
            for (Node n : c.nodes()) chainNodes.add(n.name());
        }
        for (Node n : graph.nodes()) {
            if (n.op() instanceof Softmax && n.output().name().equals(out.name())) {
                out = n.input(0);
                break;
            }
            if (chainsByConv.containsKey(n.name())) {
                ConvBnLayer l = convBn(chainsByConv.get(n.name()), lsq);
                layers.add(l);
                convBns.add(l);
            } else if (!chainNodes.contains(n.name())) layers.add(layer(n, lsq));
        }
        logits = values.get(out.name());
        if (logits == null || logits.dims.length != 1)
            throw new ModelException(null, null, "the graph output %" + out.name() + " must be 2-D logits [batch, classes]");
    }

    /** All values the layers write, for buffer allocation. */
    List<TrainValue> batchedValues() {
        return values.values().stream().filter(v -> v.batched).toList();
    }

    List<TrainValue> unbatchedValues() {
        return values.values().stream().filter(v -> !v.batched).toList();
    }

    void allocate(int batch) {
        for (TrainValue v : values.values()) v.allocate(batch, chunks);
        for (FakeQuantLayer f : fakeQuants.values()) f.scale.allocate(batch, chunks);
        input.grad = null;
    }

    private TrainValue batched(Value v) {
        Shape s = v.type().shape();
        if (s.rank() < 2) throw new ModelException(null, null, "value %" + v.name() + " has no batch dimension");
        int[] dims = new int[s.rank() - 1];
        for (int i = 1; i < s.rank(); i++) {
            if (s.isSymbolic(i) || s.dim(i) < 0)
                throw new ModelException(null, null, "value %" + v.name() + " has a symbolic dimension " + i + " (only the batch may be)");
            dims[i - 1] = Math.toIntExact(s.dim(i));
        }
        TrainValue t = new TrainValue(v.name(), dims, true);
        values.put(v.name(), t);
        return t;
    }

    private TrainValue read(Node n, int i, boolean trained, boolean decay) {
        Value v = n.input(i);
        TrainValue t = values.get(v.name());
        if (t != null) return t;
        Tensor data = graph.constantData(v);
        if (data == null) throw new ModelException(null, n.name(), "input %" + v.name() + " is not computed before the node");
        if (!data.dtype().isFloat()) throw new ModelException(null, n.name(), "constant %" + v.name() + " is not float");
        long[] d = data.shape().dims();
        int[] dims = new int[d.length];
        for (int k = 0; k < d.length; k++) dims[k] = Math.toIntExact(d[k]);
        t = TrainValue.parameter(v.name(), dims, data.toFloats());
        values.put(v.name(), t);
        (trained ? parameters : statistics).put(v.name(), t);
        if (decay) decayed.add(t);
        return t;
    }

    private TrainLayer layer(Node n, boolean lsq) {
        String name = n.name();
        return switch (n.op()) {
            case Conv op -> {
                if (n.input(0).type().rank() != 4) throw unsupported(n, "only 2-D convolutions train");
                List<TrainValue> ins = new ArrayList<>(List.of(read(n, 0, false, false), read(n, 1, true, true)));
                if (n.inputs().size() > 2) ins.add(read(n, 2, true, false));
                yield new ConvLayer(name, ins, batched(n.output()), op.strides(), op.pads(), op.dilations(), op.group(), op.activation());
            }
            case Gemm op -> {
                if (op.alpha() != 1f || op.beta() != 1f || op.transA())
                    throw unsupported(n, "Gemm trains with alpha = beta = 1 and no transA");
                yield dense(n, op.transB(), op.activation());
            }
            case MatMul op -> dense(n, false, Activation.NONE);
            case BatchNormalization op -> {
                List<TrainValue> ins = List.of(read(n, 0, false, false), read(n, 1, true, false), read(n, 2, true, false),
                        read(n, 3, false, false), read(n, 4, false, false));
                yield new BatchNormLayer(name, ins, batched(n.output()), op.epsilon(), chunks);
            }
            case Relu op -> new ElementLayers.Clamp(name, read(n, 0, false, false), batched(n.output()), 0f, Float.POSITIVE_INFINITY);
            case Clip op -> new ElementLayers.Clamp(name, read(n, 0, false, false), batched(n.output()), op.min(), op.max());
            case Add op -> {
                TrainValue a = read(n, 0, false, false), b = read(n, 1, false, false);
                if (!a.batched || !b.batched || a.perImage != b.perImage)
                    throw unsupported(n, "Add trains on two activations of one shape");
                yield new ElementLayers.Sum(name, a, b, batched(n.output()), op.activation().min(), op.activation().max());
            }
            case Reshape op -> alias(n);
            case Flatten op -> alias(n);
            case Identity op -> alias(n);
            case Dropout op -> alias(n);
            case MaxPool op -> {
                if (op.dilations().stream().anyMatch(d -> d != 1)) throw unsupported(n, "dilated max pooling does not train");
                TrainValue x = read(n, 0, false, false), y = batched(n.output());
                yield new PoolLayers.Max(name, x, y, window(x, y, op.kernel(), op.strides(), op.pads()));
            }
            case AveragePool op -> {
                TrainValue x = read(n, 0, false, false), y = batched(n.output());
                yield new PoolLayers.Average(name, x, y, window(x, y, op.kernel(), op.strides(), op.pads()), op.countIncludePad());
            }
            case GlobalAveragePool op -> new PoolLayers.GlobalAverage(name, read(n, 0, false, false), batched(n.output()));
            case FakeQuant op -> {
                boolean weight = graph.isConstant(n.input(0));
                TrainValue x = read(n, 0, weight, weight);
                TrainValue y;
                if (weight) {
                    y = new TrainValue(n.output().name(), x.dims, false);
                    y.data = new float[x.perImage];
                    values.put(y.name, y);
                } else y = batched(n.output());
                FakeQuantLayer f = new FakeQuantLayer(name, x, y, op, lsq, weight);
                fakeQuants.put(name, f);
                yield f;
            }
            default -> throw unsupported(n, "no derivative for " + n.op().opName());
        };
    }

    /** One layer for a whole {@link ConvBnForm} chain; its inner values are registered for allocation. */
    private ConvBnLayer convBn(ConvBnForm.Chain c, boolean lsq) {
        Node conv = c.conv(), bn = c.batchNorm();
        TrainValue x = read(conv, 0, false, false);
        if (x.dims.length != 3) throw unsupported(conv, "only 2-D convolutions train");
        TrainValue w = read(c.scale(), 0, true, true);
        TrainValue b = c.bias() == null ? null : read(c.bias(), 1, true, false);
        TrainValue gamma = read(bn, 1, true, false), beta = read(bn, 2, true, false);
        TrainValue mean = read(bn, 3, false, false), var = read(bn, 4, false, false);
        TrainValue folded = internal(c.scale().output().name(), w.dims);
        TrainValue quantized = folded;
        FakeQuantLayer fq = null;
        if (c.weightQuant() != null) {
            quantized = internal(c.weightQuant().output().name(), w.dims);
            fq = new FakeQuantLayer(c.weightQuant().name(), folded, quantized, (FakeQuant) c.weightQuant().op(), lsq, true);
            fakeQuants.put(c.weightQuant().name(), fq);
        }
        TrainValue raw = batched(conv.output());
        TrainValue unfolded = batched((c.bias() == null ? c.divide() : c.bias()).output());
        TrainValue foldedBias = internal(conv.name() + "#folded-bias", new int[] {w.dims[0]});
        Node xProducer = graph.producer(conv.input(0));
        FakeQuantLayer xq = xProducer == null ? null : fakeQuants.get(xProducer.name());
        TrainValue inputScale = xq != null && ((FakeQuant) xProducer.op()).axis() < 0 ? xq.scale : null;
        return new ConvBnLayer(c, x, w, b, gamma, beta, mean, var, folded, quantized, fq, raw, unfolded, foldedBias,
                batched(bn.output()), inputScale, chunks);
    }

    /** A per-step value computed from parameters (not trained itself), allocated and zeroed with the others. */
    private TrainValue internal(String name, int[] dims) {
        int n = 1;
        for (int d : dims) n = Math.multiplyExact(n, d);
        TrainValue t = TrainValue.parameter(name, dims, new float[n]);
        values.put(name, t);
        return t;
    }

    private TrainLayer dense(Node n, boolean transB, Activation act) {
        TrainValue x = read(n, 0, false, false);
        if (x.dims.length != 1) throw unsupported(n, "the dense input must be 2-D [batch, features]");
        List<TrainValue> ins = new ArrayList<>(List.of(x, read(n, 1, true, true)));
        if (n.inputs().size() > 2) ins.add(read(n, 2, true, false));
        return new DenseLayer(n.name(), ins, batched(n.output()), transB, act);
    }

    private TrainLayer alias(Node n) {
        TrainValue x = read(n, 0, false, false), y = batched(n.output());
        if (x.perImage != y.perImage) throw unsupported(n, "a reshape across the batch dimension does not train");
        return new ElementLayers.Alias(n.name(), x, y);
    }

    private static PoolLayers.Window window(TrainValue x, TrainValue y, List<Integer> k, List<Integer> s, List<Integer> p) {
        return new PoolLayers.Window(x.dims[0], x.dims[1], x.dims[2], y.dims[1], y.dims[2], k.get(0), k.get(1), s.get(0),
                s.get(1), p.get(0), p.get(1));
    }

    private static ModelException unsupported(Node n, String why) {
        return new ModelException(null, n.name(), "cannot train node '" + n.name() + "' (" + n.op().opName() + "): " + why);
    }
}
