package nncc.ir.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Op;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Builds a {@link Graph} from a .nnir parse tree, declaration by declaration in text order: a node may only
 * read values declared above it, graph outputs may name any value. Remembers where each node and value was
 * declared so later errors (the verifier's) can point at a line.
 */
final class GraphBuilder {
    private final String file;
    private final AttributeReader attributes;
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, SourcePosition> valuePositions = new HashMap<>();
    private final Map<String, SourcePosition> nodePositions = new HashMap<>();
    private SourcePosition graphPosition;

    GraphBuilder(String file) {
        this.file = file;
        this.attributes = new AttributeReader(file);
    }

    /** Where node {@code name} was declared, or the graph header when unknown. */
    SourcePosition nodePosition(String name) {
        return name != null && nodePositions.containsKey(name) ? nodePositions.get(name) : graphPosition;
    }

    Graph build(NnirParser.FileContext file) {
        NnirParser.GraphDeclContext gd = file.graphDecl();
        graphPosition = at(gd.getStart());
        Graph g = new Graph(name(gd.AT_NAME(), null));
        List<NnirParser.OutputDeclContext> outputs = new ArrayList<>();
        for (NnirParser.DeclContext d : gd.decl()) {
            if (d.inputDecl() != null) g.addInput(define(d.inputDecl().PCT_NAME(), d.inputDecl().tensorType(), null));
            else if (d.constDecl() != null) addConstant(g, d.constDecl());
            else if (d.nodeDecl() != null) g.addNode(node(d.nodeDecl()));
            else outputs.add(d.outputDecl());
        }
        for (NnirParser.OutputDeclContext o : outputs) g.addOutput(use(o.PCT_NAME(), null));
        return g;
    }

    private void addConstant(Graph g, NnirParser.ConstDeclContext c) {
        Value v = define(c.PCT_NAME(), c.tensorType(), null);
        SourcePosition where = at(c.PCT_NAME());
        if (!v.type().shape().isStatic())
            throw where.error("constant %" + v.name() + " needs a static shape, got " + IrPrinter.type(v.type()));
        Tensor data;
        try {
            if (c.constData() instanceof NnirParser.Base64DataContext b64)
                data = ConstantText.fromBase64(v.type().dtype(), v.type().shape(), b64.B64().getText());
            else {
                List<TerminalNode> numbers = new ArrayList<>();
                for (NnirParser.NumberContext n : ((NnirParser.LiteralDataContext) c.constData()).number())
                    numbers.add((TerminalNode) n.getChild(0));
                data = ConstantText.fromLiteral(v.type().dtype(), v.type().shape(), numbers);
            }
        } catch (IllegalArgumentException e) {
            throw where.error("constant %" + v.name() + ": " + e.getMessage());
        }
        g.addConstant(v.name(), data, v.type().quant());
    }

    private Node node(NnirParser.NodeDeclContext n) {
        String name = name(n.AT_NAME(), null);
        SourcePosition where = at(n.AT_NAME());
        if (nodePositions.containsKey(name))
            throw where.error(name, "duplicate node name, first declared at " + nodePositions.get(name));
        nodePositions.put(name, where);
        Op op = attributes.readOp(n.ident().getText(), n.attrDict(), n.ident(), name);
        List<Value> inputs = new ArrayList<>();
        for (TerminalNode in : n.PCT_NAME()) inputs.add(use(in, name));
        List<Value> outputs = new ArrayList<>();
        for (NnirParser.ResultContext r : n.result()) outputs.add(define(r.PCT_NAME(), r.tensorType(), name));
        return new Node(name, op, inputs, outputs);
    }

    /** Declares a value; {@code node} (or null) is the declaring node, for messages. */
    private Value define(TerminalNode nameToken, NnirParser.TensorTypeContext type, String node) {
        String name = name(nameToken, node);
        SourcePosition where = at(nameToken);
        if (name.isEmpty()) throw where.error(node, "empty value name");
        if (values.containsKey(name))
            throw where.error(node, "value %" + name + " already defined at " + valuePositions.get(name));
        Value v = new Value(name, type(type, node));
        values.put(name, v);
        valuePositions.put(name, where);
        return v;
    }

    private Value use(TerminalNode nameToken, String node) {
        String name = name(nameToken, node);
        Value v = values.get(name);
        if (v == null) throw at(nameToken).error(node, "undefined value %" + name);
        return v;
    }

    private TensorType type(NnirParser.TensorTypeContext t, String node) {
        SourcePosition where = at(t.getStart());
        DType dtype;
        try {
            dtype = DType.parse(t.ident().getText());
        } catch (IllegalArgumentException e) {
            throw where.error(node, e.getMessage());
        }
        int rank = t.dim().size();
        long[] dims = new long[rank];
        String[] symbols = new String[rank];
        for (int i = 0; i < rank; i++) {
            NnirParser.DimContext d = t.dim(i);
            if (d.SYM_DIM() != null) {
                symbols[i] = name(d.SYM_DIM(), node);
                continue;
            }
            try {
                dims[i] = Long.parseLong(d.INT().getText());
            } catch (NumberFormatException e) {
                throw at(d.getStart()).error(node, "dimension " + d.getText() + " is out of range");
            }
        }
        QuantParams quant = t.attrDict() == null ? null : attributes.readQuant(t.attrDict(), node);
        try {
            return new TensorType(dtype, Shape.withSymbols(dims, symbols), quant);
        } catch (IllegalArgumentException e) {
            throw where.error(node, "bad type " + t.getText() + ": " + e.getMessage());
        }
    }

    private SourcePosition at(TerminalNode n) { return SourcePosition.of(file, n); }

    private SourcePosition at(org.antlr.v4.runtime.Token t) { return SourcePosition.of(file, t); }

    /** Re-raises a verifier error at the line of the node it names (or the graph header). */
    ModelException locate(ModelException e) {
        return e.inFile(nodePosition(e.node()).toString());
    }

    /** The name in a sigil token (%x, @n, ?N), unquoted. */
    private String name(TerminalNode t, String node) {
        try {
            return Lexemes.unsigil(t.getText());
        } catch (IllegalArgumentException e) {
            throw at(t).error(node, e.getMessage());
        }
    }
}
