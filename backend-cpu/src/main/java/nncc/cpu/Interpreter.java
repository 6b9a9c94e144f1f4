package nncc.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.Graph;
import nncc.ir.GraphStats;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.Verifier;

/**
 * The CPU reference interpreter: runs a {@link Graph} on concrete input tensors. Construction does the
 * per-model work once (verifies the graph, decodes constants, prepares one kernel per node, packing constant
 * weights, and rejects ops or types without a kernel); {@link #run} then only executes. An interpreter's only
 * mutable state is a thread-safe cache of the output types inferred for the last input shapes, so several threads may
 * run it at once, e.g. on different batches; with {@code threads} it splits a run's work itself.
 *
 * <p>Symbolic input dims (a batch {@code ?N}) take the size of the actual input for the whole run; each node's
 * concrete output types come from {@code op.inferTypes} on its concrete input types.
 */
public final class Interpreter {
    /** One prepared node: its kernel and where its inputs and outputs live in the run's value slots. */
    private record Step(Node node, Kernel kernel, int[] inputSlots, int[] outputSlots, TensorType[] inputTypes,
                        TensorType[] staticOutputTypes, int[] slotsFreedAfter) {}

    private final List<Value> inputs;
    private final List<Value> outputs;
    private final int[] inputSlots;
    private final int[] outputSlots;
    private final NdArray[] constantSlots;
    private final Step[] steps;
    private final KernelSet kernels;
    private final Parallel parallel;
    /** Whether a batch runs image by image (see {@link #runsImageByImage}). */
    private final boolean imageByImage;
    /** The kernels' preparation deferred to their first run (packing constant weights), in node order. */
    private final List<Deferred<?>> deferred = new ArrayList<>();
    /** Per step, the output types last inferred (runs on several threads may replace each other's entries: all are right). */
    private final java.util.concurrent.atomic.AtomicReferenceArray<InferredTypes> inferred;

    public Interpreter(Graph graph) { this(graph, KernelSet.best()); }

    /**
     * An interpreter whose runs use {@code threads} threads: the threads take the images of a batch in turn, and the
     * large layers of a single image split their output channels. Results are the same for every thread count.
     */
    public Interpreter(Graph graph, int threads) { this(graph, KernelSet.best(), threads); }

    /** An interpreter running the given kernel set (tests compare the scalar and the Vector API kernels). */
    Interpreter(Graph graph, KernelSet kernels) { this(graph, kernels, 1); }

    /** An interpreter running the given kernel set on {@code threads} threads. */
    Interpreter(Graph graph, KernelSet kernels, int threads) {
        this.kernels = kernels.supported();
        this.parallel = Parallel.of(threads);
        Verifier.verify(graph);
        this.inputs = List.copyOf(graph.inputs());
        this.outputs = List.copyOf(graph.outputs());
        this.imageByImage = batchIndependent(inputs, outputs) && imagesStaySeparate(graph) && weightsReusedWithinAnImage(graph);
        // one slot per value: graph inputs, then constants, then node outputs
        Map<String, Integer> slotOf = new HashMap<>();
        for (Value v : inputs) slotOf.put(v.name(), slotOf.size());
        for (Graph.Constant c : graph.constants()) slotOf.put(c.value().name(), slotOf.size());
        for (Node n : graph.nodes()) for (Value o : n.outputs()) slotOf.put(o.name(), slotOf.size());
        this.constantSlots = new NdArray[slotOf.size()];
        for (Graph.Constant c : graph.constants()) constantSlots[slotOf.get(c.value().name())] = NdArray.fromTensor(c.data(), this.kernels == KernelSet.VECTOR);
        this.inputSlots = inputs.stream().mapToInt(v -> slotOf.get(v.name())).toArray();
        this.outputSlots = outputs.stream().mapToInt(v -> slotOf.get(v.name())).toArray();

        List<Node> nodes = graph.nodes();
        int[] lastUse = new int[slotOf.size()];
        Arrays.fill(lastUse, -1);
        for (int i = 0; i < nodes.size(); i++) for (Value v : nodes.get(i).inputs()) lastUse[slotOf.get(v.name())] = i;
        for (int s : outputSlots) lastUse[s] = Integer.MAX_VALUE;
        this.steps = new Step[nodes.size()];
        this.inferred = new java.util.concurrent.atomic.AtomicReferenceArray<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) steps[i] = prepareStep(nodes.get(i), i, slotOf, lastUse);
    }

    /**
     * Packs every layer's constant weights that no run has packed yet, in node order. Runs pack a layer's weights when
     * they first reach it, so calling this is never needed; a thread with nothing else to do may call it while another
     * starts the first run (calibration does), which then finds the weights it reaches packed or being packed. Safe
     * to call from several threads and more than once.
     */
    public void packWeights() {
        List<Deferred<?>> all;
        synchronized (deferred) {
            all = List.copyOf(deferred);
        }
        for (Deferred<?> d : all) d.get();
    }

    /** The same as {@code new Interpreter(graph)}. */
    public static Interpreter prepare(Graph graph) { return new Interpreter(graph); }

    private Step prepareStep(Node n, int index, Map<String, Integer> slotOf, int[] lastUse) {
        int[] in = n.inputs().stream().mapToInt(v -> slotOf.get(v.name())).toArray();
        int[] out = n.outputs().stream().mapToInt(v -> slotOf.get(v.name())).toArray();
        TensorType[] inTypes = n.inputs().stream().map(Value::type).toArray(TensorType[]::new);
        NdArray[] consts = new NdArray[in.length];
        for (int k = 0; k < in.length; k++) consts[k] = constantSlots[in[k]];
        boolean isStatic = Arrays.stream(inTypes).allMatch(t -> t.shape().isStatic());
        TensorType[] staticOut = isStatic ? n.outputs().stream().map(Value::type).toArray(TensorType[]::new) : null;
        Kernel kernel;
        try {
            kernel = Kernels.prepare(new NodeContext(n, List.of(inTypes), consts, kernels, parallel, deferred));
        } catch (ModelException e) {
            throw e.atNode(n.name());
        }
        int[] freed = Arrays.stream(in).distinct()
                .filter(s -> lastUse[s] == index && constantSlots[s] == null).toArray();
        return new Step(n, kernel, in, out, inTypes, staticOut, freed);
    }

    /** Runs the graph on inputs given in the graph's input order; returns the outputs in the graph's order. */
    public List<Tensor> run(List<Tensor> inputsInGraphOrder) { return run(inputsInGraphOrder, null); }

    /** As {@link #run(List)}, reporting every node's outputs to {@code sink} (may be null). */
    public List<Tensor> run(List<Tensor> inputsInGraphOrder, TraceSink sink) { return runWith(inputsInGraphOrder, sink, null); }

    /**
     * As {@link #run(List)}, reporting every node's execution time to {@code timer}. Plain runs pay one null check
     * per node for this; only timed runs read the clock.
     */
    public List<Tensor> runTimed(List<Tensor> inputsInGraphOrder, NodeTimer timer) { return runWith(inputsInGraphOrder, null, timer); }

    /**
     * As {@link #run(List)}, reporting the float outputs {@code sink} wants as arrays without copying them (the cheap
     * trace for statistics over every activation, such as calibration).
     */
    public List<Tensor> runTracingFloats(List<Tensor> inputsInGraphOrder, FloatTraceSink sink) {
        java.util.Objects.requireNonNull(sink, "sink");
        return runWith(inputsInGraphOrder, null, null, sink);
    }

    private List<Tensor> runWith(List<Tensor> inputsInGraphOrder, TraceSink sink, NodeTimer timer) {
        return runWith(inputsInGraphOrder, sink, timer, null);
    }

    private List<Tensor> runWith(List<Tensor> inputsInGraphOrder, TraceSink sink, NodeTimer timer, FloatTraceSink floatSink) {
        if (inputsInGraphOrder.size() != inputs.size())
            throw new ModelException("the model takes " + inputs.size() + " input(s) "
                    + inputs.stream().map(Value::name).toList() + ", got " + inputsInGraphOrder.size());
        int batch = splittableBatch(inputsInGraphOrder);
        if (sink == null && floatSink == null && batch > 1 && !Parallel.insidePart()) return runImageByImage(inputsInGraphOrder, batch, timer);
        NdArray[] slots = execute(inputsInGraphOrder, sink, timer, floatSink);
        List<Tensor> result = new ArrayList<>(outputs.size());
        for (int s : outputSlots) result.add(slots[s].toTensor());
        return result;
    }

    /** The batch size when this run may be split into single images (see {@link #runsImageByImage}); else 0. */
    private int splittableBatch(List<Tensor> given) {
        if (!imageByImage) return 0;
        long n = given.get(0).shape().rank() == 0 ? 0 : given.get(0).shape().dim(0);
        for (Tensor t : given) if (t.shape().rank() == 0 || t.shape().dim(0) != n) return 0;
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    /**
     * Runs the images of a batch one by one, each as a run of its own, and joins the outputs along dim 0. The kernels'
     * batch-1 paths (polyphase planes, pointwise products read in place, depthwise planes) are faster per image than
     * their batched forms, and one image's tensors stay in cache from layer to layer. With several threads each thread
     * claims whole images in turn (no kernel inside splits further). Every image's result is the same as in a run of
     * its own, so the output does not depend on the batch size or the thread count. A {@code timer} (may be null) gets
     * one report per node after the run: its time summed over the images.
     */
    private List<Tensor> runImageByImage(List<Tensor> given, int batch, NodeTimer timer) {
        Map<String, Long> symbols = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) checkInput(inputs.get(i), given.get(i), symbols); // errors name the whole batch
        @SuppressWarnings("unchecked")
        List<Tensor>[] perImage = new List[batch];
        long[][] nanos = timer == null ? null : new long[batch][steps.length];
        parallel.forEachChunk(batch, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                List<Tensor> one = new ArrayList<>(given.size());
                for (Tensor t : given) one.add(t.sliceBatch(i, i + 1));
                long[] times = nanos == null ? null : nanos[i];
                perImage[i] = runWith(one, null, times == null ? null : (step, node, ns) -> times[step] += ns);
            }
        });
        if (timer != null)
            for (int step = 0; step < steps.length; step++) {
                long sum = 0;
                for (long[] t : nanos) sum += t[step];
                timer.nodeTimed(step, steps[step].node(), sum);
            }
        List<Tensor> joined = new ArrayList<>(outputs.size());
        for (int k = 0; k < outputs.size(); k++) {
            List<Tensor> pieces = new ArrayList<>(batch);
            for (List<Tensor> p : perImage) pieces.add(p.get(k));
            joined.add(Tensor.concatBatch(pieces));
        }
        return joined;
    }

    /** Whether every graph input and output has the same symbolic dim 0, the batch. */
    private static boolean batchIndependent(List<Value> inputs, List<Value> outputs) {
        String symbol = null;
        for (Value v : inputs.isEmpty() ? List.<Value>of() : concat(inputs, outputs)) {
            Shape s = v.type().shape();
            if (s.rank() == 0 || !s.isSymbolic(0)) return false;
            if (symbol == null) symbol = s.symbol(0);
            else if (!symbol.equals(s.symbol(0))) return false;
        }
        return symbol != null;
    }

    /**
     * Whether no node mixes the images of a batch, as far as the types show: every node output keeps the inputs' batch
     * symbol at dim 0 and nowhere else (a reshape, transpose, concatenation or reduction across images changes dim 0 or
     * moves the symbol), and no softmax or layer normalization runs along dim 0. Only then may a batch run image by
     * image; otherwise it stays whole.
     */
    private static boolean imagesStaySeparate(Graph graph) {
        if (graph.inputs().isEmpty()) return false;
        String batch = graph.inputs().get(0).type().shape().symbol(0);
        for (Node n : graph.nodes()) {
            for (Value v : n.outputs()) {
                Shape s = v.type().shape();
                if (s.rank() == 0 || !batch.equals(s.symbol(0))) return false;
                for (int i = 1; i < s.rank(); i++) if (batch.equals(s.symbol(i))) return false;
            }
            int rank = n.outputs().get(0).type().shape().rank();
            int axis = switch (n.op()) {
                case nncc.ir.op.Softmax op -> op.axis();
                case nncc.ir.op.QSoftmax op -> op.axis();
                case nncc.ir.op.LayerNormalization op -> op.axis();
                default -> 1;
            };
            if (axis == 0 || axis == -rank) return false;
        }
        return true;
    }

    /**
     * Whether every weight serves many multiply-adds within one image (convolutions: each filter slides over the
     * image), so that reading the weights again for every image costs little. A matrix product on a batch of vectors
     * (an MLP, say) uses each weight once per image: it stays a batched product, reading each weight once per batch.
     */
    private static boolean weightsReusedWithinAnImage(Graph graph) {
        try {
            GraphStats stats = GraphStats.of(graph);
            return stats.macs() >= MIN_MACS_PER_WEIGHT * stats.parameters();
        } catch (RuntimeException e) { // a shape the counter cannot size: keep the batch whole
            return false;
        }
    }

    /** Multiply-adds per image per weight above which a batch runs image by image (the CNNs here: 13 and 60+; an MLP: 1). */
    private static final int MIN_MACS_PER_WEIGHT = 4;

    /**
     * Whether plain runs of a batch take the images one by one: the batch is the same symbolic dim 0 of every input
     * and output and of every node output (only there), no op mixes images, and the weights are reused within an
     * image. Callers that trace runs (calibration) then feed single images themselves, so that traced runs take the
     * same batch-1 paths.
     */
    public boolean runsImageByImage() { return imageByImage; }

    private static List<Value> concat(List<Value> a, List<Value> b) {
        List<Value> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Runs the graph on inputs given by name; returns the outputs by name, in the graph's output order. */
    public Map<String, Tensor> run(Map<String, Tensor> inputsByName) { return run(inputsByName, null); }

    /** As {@link #run(Map)}, reporting every node's outputs to {@code sink} (may be null). */
    public Map<String, Tensor> run(Map<String, Tensor> inputsByName, TraceSink sink) {
        List<Tensor> ordered = new ArrayList<>();
        for (Value v : inputs) {
            Tensor t = inputsByName.get(v.name());
            if (t == null) throw new ModelException("missing input '" + v.name() + "' (the model takes "
                    + inputs.stream().map(Value::name).toList() + ")");
            ordered.add(t);
        }
        for (String name : inputsByName.keySet())
            if (inputs.stream().noneMatch(v -> v.name().equals(name)))
                throw new ModelException("unknown input '" + name + "' (the model takes "
                        + inputs.stream().map(Value::name).toList() + ")");
        List<Tensor> results = run(ordered, sink);
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (int i = 0; i < outputs.size(); i++) byName.put(outputs.get(i).name(), results.get(i));
        return byName;
    }

    /** Per thread, each step's output array of the previous run on that thread (see {@link OutputBuffers}). */
    private final ThreadLocal<Object[]> outputArrays = new ThreadLocal<>();

    private NdArray[] execute(List<Tensor> given, TraceSink sink, NodeTimer timer, FloatTraceSink floatSink) {
        NdArray[] slots = constantSlots.clone();
        Object[] arrays = outputArrays.get();
        if (arrays == null) outputArrays.set(arrays = new Object[steps.length]);
        Map<String, Long> symbols = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            checkInput(inputs.get(i), given.get(i), symbols);
            slots[inputSlots[i]] = NdArray.fromTensor(given.get(i), kernels == KernelSet.VECTOR);
        }
        for (int index = 0; index < steps.length; index++) {
            Step step = steps[index];
            long started = timer != null ? System.nanoTime() : 0L;
            NdArray[] in = new NdArray[step.inputSlots().length];
            for (int k = 0; k < in.length; k++) in[k] = slots[step.inputSlots()[k]];
            TensorType[] outTypes = outputTypes(index, step, in);
            NdArray[] out;
            OutputBuffers.enter(arrays, index);
            try {
                out = step.kernel().run(in, outTypes);
            } catch (ModelException e) {
                throw e.atNode(step.node().name());
            } finally {
                OutputBuffers.exit();
            }
            for (int k = 0; k < outTypes.length; k++) {
                if (out[k].dtype != outTypes[k].dtype() || !out[k].irShape().equals(outTypes[k].shape()))
                    throw new IllegalStateException("CPU kernel of node " + step.node().describe() + " produced "
                            + out[k] + " for output " + k + " of type " + outTypes[k]);
                slots[step.outputSlots()[k]] = out[k];
            }
            if (timer != null) timer.nodeTimed(index, step.node(), System.nanoTime() - started);
            if (sink != null) {
                List<Tensor> traced = new ArrayList<>(out.length);
                for (NdArray a : out) traced.add(a.toTensor());
                sink.accept(step.node(), traced);
            }
            if (floatSink != null) traceFloats(step.node(), out, floatSink);
            for (int s : step.slotsFreedAfter()) slots[s] = null;
        }
        return slots;
    }

    /** Hands the float outputs of a node that {@code sink} wants to it: f32 data as is, other float types converted. */
    private static void traceFloats(Node node, NdArray[] out, FloatTraceSink sink) {
        for (int k = 0; k < out.length; k++) {
            NdArray a = out[k];
            if (!a.dtype.isFloat() || !sink.wants(node, k)) continue;
            sink.accept(node, k, a.shape.clone(), a.dtype == nncc.ir.DType.F32 ? a.floats : a.toTensor().toFloats());
        }
    }

    /** A step's output types inferred for these input shapes (the last ones seen, so steady-state runs skip inference). */
    private record InferredTypes(int[][] inputShapes, TensorType[] outputTypes) {
        boolean matches(NdArray[] in) {
            if (in.length != inputShapes.length) return false;
            for (int k = 0; k < in.length; k++) if (!Arrays.equals(inputShapes[k], in[k].shape)) return false;
            return true;
        }
    }

    /** The concrete output types of a step: declared when every input shape is static, else inferred (and remembered). */
    private TensorType[] outputTypes(int index, Step step, NdArray[] in) {
        if (step.staticOutputTypes() != null) return step.staticOutputTypes();
        InferredTypes last = inferred.get(index);
        if (last != null && last.matches(in)) return last.outputTypes();
        int[][] shapes = new int[in.length][];
        for (int k = 0; k < in.length; k++) shapes[k] = in[k].shape.clone();
        TensorType[] types = outputTypes(step, in);
        inferred.set(index, new InferredTypes(shapes, types));
        return types;
    }

    /** The concrete output types of a step inferred from its inputs' shapes. */
    private static TensorType[] outputTypes(Step step, NdArray[] in) {
        List<TensorType> concrete = new ArrayList<>(in.length);
        for (int k = 0; k < in.length; k++) concrete.add(step.inputTypes()[k].withShape(in[k].irShape()));
        List<TensorType> inferred;
        try {
            inferred = step.node().op().inferTypes(concrete);
        } catch (ModelException e) {
            throw e.atNode(step.node().name());
        }
        return inferred.subList(0, step.outputSlots().length).toArray(TensorType[]::new);
    }

    /** Checks a given input against the graph input's type and binds its symbolic dims. */
    private static void checkInput(Value v, Tensor t, Map<String, Long> symbols) {
        Shape want = v.type().shape();
        if (t.dtype() != v.type().dtype() || !want.accepts(t.shape()))
            throw new ModelException("input '" + v.name() + "': expected " + v.type().dtype().text() + want
                    + ", got " + t.dtype().text() + t.shape());
        for (int i = 0; i < want.rank(); i++) {
            if (!want.isSymbolic(i)) continue;
            long size = t.shape().dim(i);
            Long bound = symbols.putIfAbsent(want.symbol(i), size);
            if (bound != null && bound != size)
                throw new ModelException("input '" + v.name() + "': dim " + i + " (?" + want.symbol(i) + ") is " + size
                        + " but an earlier input set ?" + want.symbol(i) + " to " + bound);
        }
    }

    /** The graph inputs this interpreter expects, in order. */
    public List<Value> inputs() { return inputs; }

    /** The graph outputs this interpreter produces, in order. */
    public List<Value> outputs() { return outputs; }
}
