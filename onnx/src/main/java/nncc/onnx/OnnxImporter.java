package nncc.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Tensor;
import nncc.ir.Verifier;

/**
 * Imports an ONNX model (opset 1 and up in the default domain) into a verified IR {@link Graph}: inputs that are
 * not initializers become graph inputs, initializers become constants, shape computations fold away at import,
 * every node output is typed by the IR op's type inference. Bad input is a one-line {@link ModelException}.
 */
public final class OnnxImporter {
    private OnnxImporter() {}

    public static Graph load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelException(file.toString(), null, "cannot read: " + e.getMessage(), e);
        }
        return load(bytes, file.toString());
    }

    /** Imports a serialized ModelProto; {@code fileName} is only used in messages. */
    public static Graph load(byte[] bytes, String fileName) {
        return load(bytes, fileName, Map.of());
    }

    /**
     * Imports a model with some graph inputs bound to constants (they are treated as initializers, so shape
     * computations over them fold). Used to import backend-test models whose operands arrive as inputs.
     */
    public static Graph load(byte[] bytes, String fileName, Map<String, Tensor> constantInputs) {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new ModelException(fileName, null, "not a valid ONNX model: " + e.getMessage(), e);
        }
        if (model.getIrVersion() <= 0 || !model.hasGraph())
            throw new ModelException(fileName, null, "not a valid ONNX model: no " + (model.getIrVersion() <= 0 ? "ir_version" : "graph"));
        try {
            Graph g = importGraph(model, fileName, constantInputs);
            Verifier.verify(g);
            return g;
        } catch (ModelException e) {
            throw e.inFile(fileName);
        } catch (RuntimeException e) { // a malformed model that slipped past the checks: still one line, no trace
            String why = e instanceof IllegalArgumentException || e instanceof ArithmeticException ? e.getMessage() : e.toString();
            throw new ModelException(fileName, null, "cannot import: " + why, e);
        }
    }

    /** The newest default-domain opset nncc knows the operator semantics of. */
    public static final int MAX_OPSET = 23;

    private static int defaultOpset(ModelProto model, String file) {
        for (OperatorSetIdProto o : model.getOpsetImportList())
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                if (o.getVersion() < 1 || o.getVersion() > MAX_OPSET)
                    throw new ModelException(file, null, "imports opset " + o.getVersion() + " of the default ONNX domain; nncc supports opsets 1 to "
                            + MAX_OPSET);
                return (int) o.getVersion();
            }
        if (model.getIrVersion() < 3) return 1; // before IR version 3 there was no opset_import
        throw new ModelException(file, null, "the model imports no opset of the default ONNX domain");
    }

    private static Graph importGraph(ModelProto model, String file, Map<String, Tensor> constantInputs) {
        GraphProto gp = model.getGraph();
        if (gp.getNodeCount() == 0) throw new ModelException(file, null, "empty graph (no nodes)");
        if (gp.getOutputCount() == 0) throw new ModelException(file, null, "the graph declares no outputs");
        checkNameLengths(gp, file);
        if (gp.getSparseInitializerCount() > 0) throw new ModelException(file, null, "sparse initializers are not supported");
        int opset = defaultOpset(model, file);
        Graph graph = new Graph(gp.getName().isEmpty() ? file.substring(file.lastIndexOf('/') + 1) : gp.getName());

        Set<String> names = new HashSet<>();
        Map<String, Integer> uses = new HashMap<>();
        for (ValueInfoProto v : gp.getInputList()) names.add(v.getName());
        for (TensorProto t : gp.getInitializerList()) names.add(t.getName());
        for (NodeProto np : gp.getNodeList()) {
            names.addAll(np.getOutputList());
            for (String in : np.getInputList()) if (!in.isEmpty()) uses.merge(in, 1, Integer::sum);
        }
        for (ValueInfoProto v : gp.getOutputList()) uses.merge(v.getName(), 1, Integer::sum);
        names.remove("");
        ImportScope scope = new ImportScope(file, opset, graph, names, uses);

        Set<String> initializers = new HashSet<>();
        for (TensorProto t : gp.getInitializerList()) {
            if (!initializers.add(t.getName())) throw new ModelException(file, null, "initializer '" + t.getName() + "' appears twice");
            scope.defineKnown(t.getName(), OnnxTensors.fromProto(t, modelDir(file)));
        }
        for (ValueInfoProto v : gp.getInputList()) {
            if (initializers.contains(v.getName())) continue;
            Tensor bound = constantInputs.get(v.getName());
            if (bound != null) {
                nncc.ir.TensorType declared = OnnxTypes.valueType(v);
                if (declared.dtype() != bound.dtype() || !declared.shape().accepts(bound.shape()))
                    throw new ModelException(file, null, "input '" + v.getName() + "' is declared " + declared
                            + " but is bound to " + bound);
                scope.defineKnown(v.getName(), bound);
                continue;
            }
            if (v.getName().isEmpty()) throw new ModelException(file, null, "a graph input has no name");
            scope.defineInput(new nncc.ir.Value(v.getName(), OnnxTypes.valueType(v)));
        }
        for (String bound : constantInputs.keySet())
            if (gp.getInputList().stream().noneMatch(v -> v.getName().equals(bound)))
                throw new ModelException(file, null, "cannot bind '" + bound + "': the graph has no such input");
        rejectUnsupportedOps(gp, file, opset);
        for (OnnxNode n : sortedNodes(gp, scope)) importNode(n);
        for (ValueInfoProto v : gp.getOutputList()) {
            TypeProto.ValueCase kind = v.getType().getValueCase();
            if (kind != TypeProto.ValueCase.TENSOR_TYPE && kind != TypeProto.ValueCase.VALUE_NOT_SET)
                OnnxTypes.valueType(v); // throws the non-tensor type error
            if (!scope.isDefined(v.getName()))
                throw new ModelException(file, null, "graph output '" + v.getName() + "' is never produced");
            nncc.ir.Value produced = scope.value(v.getName());
            checkDeclaredOutput(v, produced, file);
            graph.addOutput(produced);
        }
        return graph;
    }

    /**
     * One error naming every op type of the graph nncc cannot import, with how many nodes use it and the first of
     * them, so a user sees the whole gap at once. A single unsupported op type keeps the one-node message.
     */
    private static void rejectUnsupportedOps(GraphProto gp, String file, int opset) {
        java.util.Map<String, List<String>> unsupported = new java.util.LinkedHashMap<>();
        for (int i = 0; i < gp.getNodeCount(); i++) {
            NodeProto np = gp.getNode(i);
            String domain = np.getDomain();
            boolean foreign = !domain.isEmpty() && !domain.equals("ai.onnx");
            if (!foreign && OpImporters.get(np.getOpType()) != null) continue;
            String type = foreign ? "'" + np.getOpType() + "' of domain '" + domain + "'" : "'" + np.getOpType() + "'";
            unsupported.computeIfAbsent(type, k -> new ArrayList<>()).add(np.getName().isEmpty() ? np.getOpType() + "_" + i : np.getName());
        }
        if (unsupported.size() < 2) return; // none, or one type: the node's own import reports it
        List<String> parts = new ArrayList<>();
        unsupported.forEach((type, nodes) -> parts.add(type + " (" + nodes.size() + (nodes.size() == 1 ? " node" : " nodes")
                + ", first '" + nodes.get(0) + "')"));
        throw new ModelException(file, null, unsupported.size() + " unsupported op types (opset " + opset + "): "
                + String.join(", ", parts));
    }

    /**
     * Refuses a graph output whose declared element type or fixed dims differ from what its node computes
     * (a symbolic or absent dim on either side matches anything; an output with no declared type is not checked).
     */
    private static void checkDeclaredOutput(ValueInfoProto v, nncc.ir.Value produced, String file) {
        if (v.getType().getValueCase() != TypeProto.ValueCase.TENSOR_TYPE) return;
        TypeProto.Tensor tt = v.getType().getTensorType();
        nncc.ir.TensorType got = produced.type();
        String what = "graph output '" + v.getName() + "' is declared ";
        if (tt.getElemType() != 0 && OnnxTypes.dtype(tt.getElemType()) != got.dtype())
            throw new ModelException(file, null, what + "of element type " + OnnxTypes.dtype(tt.getElemType()).text()
                    + " but its node computes " + got);
        if (!tt.hasShape()) return;
        var dims = tt.getShape().getDimList();
        if (dims.size() != got.rank())
            throw new ModelException(file, null, what + "with rank " + dims.size() + " but its node computes " + got);
        for (int i = 0; i < dims.size(); i++)
            if (dims.get(i).hasDimValue() && !got.shape().isSymbolic(i) && dims.get(i).getDimValue() != got.shape().dim(i))
                throw new ModelException(file, null, what + "with dim " + i + " = " + dims.get(i).getDimValue()
                        + " but its node computes " + got);
    }

    /** The folder external data is read from: the model file's own (the working directory for a bare name). */
    private static Path modelDir(String file) {
        try {
            Path p = Path.of(file).toAbsolutePath().getParent();
            return p != null && Files.isDirectory(p) ? p : null;
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    /** Refuses node and value names longer than the .nnir form accepts (so an imported model prints and reads back). */
    private static void checkNameLengths(GraphProto gp, String file) {
        int max = nncc.ir.text.IrParser.MAX_NAME_LENGTH;
        java.util.function.Consumer<String> check = name -> {
            if (name.length() > max)
                throw new ModelException(file, null, "name '" + ModelException.shorten(name) + "' is longer than the limit of " + max + " characters");
        };
        check.accept(gp.getName());
        for (ValueInfoProto v : gp.getInputList()) check.accept(v.getName());
        for (ValueInfoProto v : gp.getOutputList()) check.accept(v.getName());
        for (TensorProto t : gp.getInitializerList()) check.accept(t.getName());
        for (NodeProto np : gp.getNodeList()) {
            check.accept(np.getName());
            np.getInputList().forEach(check);
            np.getOutputList().forEach(check);
        }
    }

    private static void importNode(OnnxNode n) {
        NodeProto np = n.proto;
        String domain = np.getDomain();
        String opType = ModelException.shorten(np.getOpType());
        try {
            if (!domain.isEmpty() && !domain.equals("ai.onnx"))
                throw new ModelException(n.scope.file, null, "unsupported op '" + opType + "' of domain '"
                        + ModelException.shorten(domain) + "' (opset " + n.opset() + ") at node '" + n.name + "'");
            OpImporter importer = OpImporters.get(np.getOpType());
            if (importer == null)
                throw new ModelException(n.scope.file, null, "unsupported op '" + opType + "' (opset "
                        + n.opset() + ") at node '" + n.name + "'");
            OnnxAttributes.check(np, n.scope.file, n.name, n.opset());
            if (!ConstantFolder.tryFold(n)) importer.importNode(n);
        } catch (ModelException e) {
            if (e.node() != null || e.file() != null) throw e;
            throw new ModelException(n.scope.file, n.name, opType + " (opset " + n.opset() + "): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            String why = e instanceof IllegalArgumentException || e instanceof ArithmeticException ? e.getMessage() : e.toString();
            throw new ModelException(n.scope.file, n.name, opType + " (opset " + n.opset() + "): " + why, e);
        }
    }

    /** The nodes in a topological order (stable for already sorted graphs), each with its IR node name. */
    private static List<OnnxNode> sortedNodes(GraphProto gp, ImportScope scope) {
        List<OnnxNode> pending = new ArrayList<>();
        for (int i = 0; i < gp.getNodeCount(); i++) {
            NodeProto np = gp.getNode(i);
            pending.add(new OnnxNode(np, np.getName().isEmpty() ? ModelException.shorten(np.getOpType()) + "_" + i : np.getName(), scope));
        }
        Set<String> ready = new HashSet<>();
        for (ValueInfoProto v : gp.getInputList()) ready.add(v.getName());
        for (TensorProto t : gp.getInitializerList()) ready.add(t.getName());
        List<OnnxNode> sorted = new ArrayList<>();
        while (!pending.isEmpty()) {
            List<OnnxNode> next = new ArrayList<>();
            for (OnnxNode n : pending) {
                if (n.proto.getInputList().stream().allMatch(in -> in.isEmpty() || ready.contains(in))) {
                    sorted.add(n);
                    ready.addAll(n.proto.getOutputList());
                } else {
                    next.add(n);
                }
            }
            if (next.size() == pending.size()) {
                OnnxNode stuck = next.get(0);
                String missing = stuck.proto.getInputList().stream().filter(in -> !in.isEmpty() && !ready.contains(in))
                        .findFirst().orElse("?");
                throw new ModelException(scope.file, stuck.name, stuck.opType() + ": input '" + missing
                        + "' is never produced (or the graph has a cycle)");
            }
            pending = next;
        }
        return sorted;
    }
}
