package nncc.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Op;

/**
 * The state of one import: the graph being built and what is known about every ONNX value so far — a run-time
 * {@link Value}, a constant {@link Tensor} (added to the graph only when a node or output reads it) or a
 * {@link SymbolicInts} shape vector (never added to the graph). Also hands out fresh value and node names.
 */
final class ImportScope {
    final String file;
    final int opset;
    final Graph graph;
    private final Map<String, Value> runtime = new HashMap<>();
    private final Map<String, Tensor> constants = new HashMap<>();
    private final Map<String, SymbolicInts> shapeVectors = new HashMap<>();
    private final Set<String> takenValueNames;
    private final Set<String> nodeNames = new HashSet<>();
    private final Map<String, Integer> uses;

    ImportScope(String file, int opset, Graph graph, Set<String> onnxValueNames, Map<String, Integer> uses) {
        this.file = file;
        this.opset = opset;
        this.graph = graph;
        this.takenValueNames = new HashSet<>(onnxValueNames);
        this.uses = uses;
    }

    /** Whether a node input or a graph output reads this ONNX value. */
    boolean isUsed(String name) { return uses.getOrDefault(name, 0) > 0; }

    boolean isDefined(String name) {
        return runtime.containsKey(name) || constants.containsKey(name) || shapeVectors.containsKey(name);
    }

    /** The constant data of a value, or null when it is not known at import time. */
    Tensor constant(String name) { return constants.get(name); }

    /** The shape vector with symbolic entries held by a value, or null. */
    SymbolicInts shapeVector(String name) { return shapeVectors.get(name); }

    /** The known value (a Tensor or SymbolicInts) or null when it is computed at run time. */
    Object known(String name) {
        Tensor t = constants.get(name);
        return t != null ? t : shapeVectors.get(name);
    }

    /** The type of any defined value. */
    TensorType typeOf(String name) {
        if (runtime.containsKey(name)) return runtime.get(name).type();
        if (constants.containsKey(name)) return constants.get(name).type();
        if (shapeVectors.containsKey(name)) return shapeVectors.get(name).type();
        throw new ModelException("value '" + name + "' is not defined");
    }

    /** The graph value for {@code name}, adding a known constant to the graph's constants on first use. */
    Value value(String name) {
        Value v = runtime.get(name);
        if (v != null) return v;
        Tensor t = constants.get(name);
        if (t != null) {
            v = graph.addConstant(name, t);
            runtime.put(name, v);
            return v;
        }
        SymbolicInts s = shapeVectors.get(name);
        if (s != null)
            throw new ModelException("value '" + name + "' is a shape computed from run-time sizes " + s
                    + "; such values can only be used as the shape input of a Reshape");
        throw new ModelException("value '" + name + "' is not defined");
    }

    void defineInput(Value v) {
        graph.addInput(v);
        runtime.put(v.name(), v);
    }

    /** Defines an ONNX value as known at import time: a Tensor, or a SymbolicInts (kept only while symbolic). */
    void defineKnown(String name, Object known) {
        checkFresh(name);
        Object k = known instanceof SymbolicInts s ? s.simplify() : known;
        if (k instanceof Tensor t) constants.put(name, t);
        else shapeVectors.put(name, (SymbolicInts) k);
    }

    /** Adds a constant made by the importer itself (zero points, reshaped operands) under a fresh name. */
    Value addHelperConstant(String base, Tensor t) {
        String name = freshValueName(base);
        Value v = graph.addConstant(name, t);
        runtime.put(name, v);
        return v;
    }

    private void checkFresh(String name) {
        if (isDefined(name)) throw new ModelException("value '" + name + "' is produced twice");
    }

    /**
     * Appends a node: output types come from the op's type inference. Returns the output values, named by
     * {@code outputNames} (at most as many as the op defines).
     */
    List<Value> emit(String nodeName, Op op, List<Value> inputs, List<String> outputNames) {
        List<TensorType> types = op.inferTypes(inputs.stream().map(Value::type).toList());
        if (outputNames.size() > types.size())
            throw new ModelException("output '" + outputNames.get(types.size()) + "' is not supported (the op defines "
                    + types.size() + " outputs)");
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < outputNames.size(); i++) {
            checkFresh(outputNames.get(i));
            outs.add(new Value(outputNames.get(i), types.get(i)));
        }
        graph.addNode(new Node(claimNodeName(nodeName), op, inputs, outs));
        for (Value o : outs) runtime.put(o.name(), o);
        return outs;
    }

    /** {@code base} if no node has that name yet, else a numbered variant. */
    String claimNodeName(String base) {
        String n = base;
        for (int i = 1; !nodeNames.add(n); i++) n = base + "_" + i;
        return n;
    }

    /** A value name used by neither the ONNX model nor the importer so far. */
    String freshValueName(String base) {
        String n = base;
        for (int i = 1; !takenValueNames.add(n); i++) n = base + "_" + i;
        return n;
    }
}
