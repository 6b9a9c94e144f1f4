package nncc.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.ModelException;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Op;

/**
 * One ONNX node being imported: typed access to its attributes (with ONNX defaults supplied by the caller),
 * its inputs (run-time, constant or symbolic) and outputs, errors that name the file, node, op and opset, and
 * emission of IR nodes under its name.
 */
final class OnnxNode {
    final NodeProto proto;
    final String name;
    final ImportScope scope;
    private final Map<String, AttributeProto> attributes = new HashMap<>();

    OnnxNode(NodeProto proto, String name, ImportScope scope) {
        this.proto = proto;
        this.name = name;
        this.scope = scope;
        for (AttributeProto a : proto.getAttributeList()) attributes.put(a.getName(), a);
    }

    String opType() { return proto.getOpType(); }

    int opset() { return scope.opset; }

    /** An error at this node: {@code file: node 'n': Op (opset k): message}. */
    ModelException error(String message) {
        return new ModelException(scope.file, name, ModelException.shorten(opType()) + " (opset " + opset() + "): " + message);
    }

    // ---- inputs

    int inputCount() { return proto.getInputCount(); }

    boolean hasInput(int i) { return i < proto.getInputCount() && !proto.getInput(i).isEmpty(); }

    String inputName(int i) { return proto.getInput(i); }

    private void require(int i) {
        if (!hasInput(i)) throw error("missing required input " + i);
    }

    /** Input i as a graph value (constants are added to the graph on first use). */
    Value input(int i) {
        require(i);
        return scope.value(inputName(i));
    }

    TensorType inputType(int i) {
        require(i);
        return scope.typeOf(inputName(i));
    }

    /** The constant data of input i, or null when absent or not constant. */
    Tensor constant(int i) { return hasInput(i) ? scope.constant(inputName(i)) : null; }

    /** The constant data of input i; an error naming {@code what} when it is computed at run time. */
    Tensor requireConstant(int i, String what) {
        require(i);
        Tensor t = scope.constant(inputName(i));
        if (t == null)
            throw error("run-time " + what + " (input '" + inputName(i) + "') is not supported; it must be a constant");
        return t;
    }

    /** Input i as something known at import time (Tensor or SymbolicInts), or null. */
    Object known(int i) { return hasInput(i) ? scope.known(inputName(i)) : null; }

    // ---- outputs

    int outputCount() { return proto.getOutputCount(); }

    boolean hasOutput(int i) { return i < proto.getOutputCount() && !proto.getOutput(i).isEmpty(); }

    String outputName(int i) { return proto.getOutput(i); }

    /** Whether output i exists and something reads it. */
    boolean outputUsed(int i) { return hasOutput(i) && scope.isUsed(outputName(i)); }

    void defineOutput(int i, Object known) {
        if (hasOutput(i)) scope.defineKnown(outputName(i), known);
    }

    // ---- emission

    /**
     * Emits {@code op} as this node. Outputs are named as in ONNX, up to the last one that is used (always at
     * least the first); a skipped output in between gets a fresh name.
     */
    List<Value> emit(Op op, List<Value> inputs) {
        int last = 0;
        for (int i = 1; i < outputCount(); i++) if (outputUsed(i)) last = i;
        if (!hasOutput(0)) throw error("output 0 has no name");
        List<String> outs = new ArrayList<>();
        for (int i = 0; i <= last; i++)
            outs.add(hasOutput(i) ? outputName(i) : scope.freshValueName(name + "_output" + i));
        return scope.emit(name, op, inputs, outs);
    }

    /** Emits a helper node (named {@code <node>_<suffix>}) with one fresh output. */
    Value emitHelper(String suffix, Op op, List<Value> inputs) {
        String out = scope.freshValueName(name + "_" + suffix);
        return scope.emit(name + "_" + suffix, op, inputs, List.of(out)).get(0);
    }

    /** Emits the final node of a rewrite under this node's name, producing ONNX output 0. */
    Value emitFinal(Op op, List<Value> inputs) {
        return scope.emit(name, op, inputs, List.of(outputName(0))).get(0);
    }

    // ---- attributes

    boolean has(String attr) { return attributes.containsKey(attr); }

    long getInt(String attr, long dflt) {
        AttributeProto a = attributes.get(attr);
        if (a == null) return dflt;
        if (a.hasI()) return a.getI();
        if (a.hasF() && a.getF() == Math.rint(a.getF())) return (long) a.getF();
        throw error("attribute " + attr + " must be an int");
    }

    int getIntAttr(String attr, int dflt) {
        long v = getInt(attr, dflt);
        if (v != (int) v) throw error("attribute " + attr + " = " + v + " is out of range");
        return (int) v;
    }

    float getFloat(String attr, float dflt) {
        AttributeProto a = attributes.get(attr);
        if (a == null) return dflt;
        if (a.hasF()) return a.getF();
        if (a.hasI()) return a.getI();
        throw error("attribute " + attr + " must be a float");
    }

    /** An ints attribute, or {@code dflt} (may be null) when absent. */
    List<Long> getInts(String attr, List<Long> dflt) {
        AttributeProto a = attributes.get(attr);
        if (a == null) return dflt;
        if (a.getType() != AttributeProto.AttributeType.INTS && a.getIntsCount() == 0 && (a.hasI() || a.hasF() || a.hasS()))
            throw error("attribute " + attr + " must be a list of ints");
        return a.getIntsList();
    }

    List<Float> getFloats(String attr, List<Float> dflt) {
        AttributeProto a = attributes.get(attr);
        return a == null ? dflt : a.getFloatsList();
    }

    String getString(String attr, String dflt) {
        AttributeProto a = attributes.get(attr);
        if (a == null) return dflt;
        if (!a.hasS()) throw error("attribute " + attr + " must be a string");
        return a.getS().toStringUtf8();
    }

    AttributeProto attribute(String attr) { return attributes.get(attr); }

    /** Ints attribute as ints, each checked to fit. */
    List<Integer> getIntList(String attr, List<Integer> dflt) {
        List<Long> l = getInts(attr, null);
        if (l == null) return dflt;
        List<Integer> r = new ArrayList<>();
        for (long v : l) {
            if (v != (int) v) throw error("attribute " + attr + " value " + v + " is out of range");
            r.add((int) v);
        }
        return r;
    }
}
