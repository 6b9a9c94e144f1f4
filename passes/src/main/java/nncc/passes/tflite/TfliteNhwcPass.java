package nncc.passes.tflite;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Concat;
import nncc.ir.op.Dequantize;
import nncc.ir.op.Flatten;
import nncc.ir.op.Layout;
import nncc.ir.op.MaxPool;
import nncc.ir.op.Pad;
import nncc.ir.op.QAdd;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.QLut;
import nncc.ir.op.QMean;
import nncc.ir.op.QMul;
import nncc.ir.op.Quantize;
import nncc.ir.op.Requantize;
import nncc.ir.op.Reshape;
import nncc.ir.op.Slice;
import nncc.ir.op.Transpose;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * The layout change to TFLite's NHWC, as an IR rewrite, so the TFLite writer only serializes. Every rank-4 QConv,
 * QConvTranspose (filter OHWI), MaxPool and QAveragePool gets {@code layout = nhwc} ({@link Layout}): its activations {@code [N, H, W, C]}, its
 * filter permuted here to OHWI, or {@code [1, KH, KW, C*M]} for a depthwise conv (the depth multiplier M is then
 * {@code C*M / C}), per-channel scales on axis 0 or 3. NHWC data then flows on through ops that do not care (QAdd,
 * QMul, whose operands of lower rank are first given rank 4 as numpy broadcasting reads them, QLut, Requantize, Quantize, Dequantize) or whose axes map (Concat, Pad, Slice, QMean); rank-4 graph
 * inputs and outputs become NHWC (except inputs that only enter NCHW through a Transpose, as an imported .tflite's
 * do: such a Transpose, and one back to NHWC, fold away). Rows flattened from an NHWC activation (C > 1, H*W > 1) are
 * read as they are and the weight columns of every QGemm reading them are permuted to match, so no TRANSPOSE remains
 * for a plain CNN. Any other reader of an NHWC value gets a Transpose back to NCHW, so the pass is always exact: each
 * op computes the same integers on the same data, only stored in another order.
 *
 * <pre>{@code
 * before: input %x : i8[?N,1,28,28]{...}
 *         const %w : i8[16,1,3,3]{axis = 0, ...}
 *         node @c = QConv {strides = [1, 1], pads = [1, 1, 1, 1], ...} (%x, %w, %b) -> (%y : i8[?N,16,28,28]{...})
 *         node @gap = QMean {axes = [2, 3], keepDims = true, ...} (%y) -> (%m : i8[?N,16,1,1]{...})
 * after:  input %x : i8[?N,28,28,1]{...}
 *         const %w/ohwi : i8[16,3,3,1]{axis = 0, ...}
 *         node @c = QConv {..., layout = nhwc} (%x, %w/ohwi, %b) -> (%y : i8[?N,28,28,16]{...})
 *         node @gap = QMean {axes = [1, 2], keepDims = true, ...} (%y) -> (%m : i8[?N,1,1,16]{...})
 * }</pre>
 * A graph that already has an NHWC op is left as it is (the pass has run). Cost: one walk over the nodes; each filter
 * and each permuted QGemm weight is copied once.
 */
public final class TfliteNhwcPass implements Pass {
    public static final String NAME = "tflite-nhwc";

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.LOWERED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("ops rewritten", "inputs in nhwc", "outputs in nhwc", "filters permuted",
                "fully connected columns permuted", "transposes folded", "transposes inserted", "constants permuted", "operands given rank 4");
        if (g.nodes().stream().anyMatch(n -> Layout.of(n.op()) == Layout.NHWC)) return stats.result(); // already TFLite's layout
        NhwcValues v = new NhwcValues(g, stats);
        List<Value> inputs = new ArrayList<>();
        for (Value x : g.inputs()) {
            if (x.type().rank() == 4 && !onlyEntersNchw(g, x)) {
                inputs.add(v.permutedOutput(x));
                stats.inc("inputs in nhwc");
            } else {
                v.set(x, x, false);
                inputs.add(x);
            }
        }
        Map<String, Value> gemmWeights = new HashMap<>();
        for (Node n : List.copyOf(g.nodes())) {
            Node r = rewrite(g, n, v, gemmWeights, stats);
            if (r != null) v.nodes.add(r);
        }
        List<Value> outputs = new ArrayList<>();
        Map<String, String> renames = new HashMap<>();
        Set<String> inputNames = new HashSet<>();
        inputs.forEach(x -> inputNames.add(x.name()));
        Set<String> ownNames = new HashSet<>(); // values that are outputs under their own name: never renamed
        for (Value y : g.outputs()) if (v.rep(y).value().name().equals(y.name())) ownNames.add(y.name());
        for (Value y : g.outputs()) {
            NhwcValues.Rep r = v.rep(y);
            Value now = r.value();
            if (renames.containsKey(now.name())) now = new Value(renames.get(now.name()), now.type()); // a second output of the same data
            else if (!now.name().equals(y.name()) && !inputNames.contains(now.name()) && !g.isConstant(now) && !ownNames.contains(now.name())) {
                renames.put(now.name(), y.name()); // a folded transpose led here: the data keeps the output's name
                now = new Value(y.name(), now.type());
            }
            if (r.permuted()) stats.inc("outputs in nhwc");
            outputs.add(now);
        }
        g.setNodes(renames.isEmpty() ? v.nodes : renamed(v.nodes, renames));
        g.setInputs(inputs);
        g.setOutputs(outputs);
        g.removeUnusedConstants();
        return stats.result();
    }

    /** The node that replaces {@code n} (null when it folds away), after the nodes it needs are added to {@code v}. */
    private static Node rewrite(Graph g, Node n, NhwcValues v, Map<String, Value> gemmWeights, PassResult.Stats stats) {
        Value x = n.inputs().isEmpty() ? null : n.input(0);
        boolean rank4 = x != null && x.type().rank() == 4, permuted = x != null && v.permuted(x);
        Node done = switch (n.op()) {
            case QConv c when rank4 && g.constantData(n.input(1)) != null -> conv(g, n, c, v, stats);
            case nncc.ir.op.QConvTranspose t when rank4 && g.constantData(n.input(1)) != null -> transposeConv(g, n, t, v, stats);
            case MaxPool p when rank4 && n.outputs().size() == 1 -> spatial(n, p.withLayout(Layout.NHWC), v);
            case QAveragePool p when rank4 -> spatial(n, p.withLayout(Layout.NHWC), v);
            case QLut op when permuted -> elementwise(n, v, 1);
            case Requantize op when permuted -> elementwise(n, v, 1);
            case Quantize op when permuted -> elementwise(n, v, 1);
            case Dequantize op when permuted -> elementwise(n, v, 1);
            case QAdd op when broadcastsToRank4(n) && anyPermuted(n, v) -> binary(n, v);
            case QMul op when broadcastsToRank4(n) && anyPermuted(n, v) -> binary(n, v);
            case Concat c when n.output().type().rank() == 4 && anyPermuted(n, v) ->
                    nhwcNode(n, new Concat(nhwcAxis(c.axis())), n.inputs().stream().map(v::nhwc).toList(), v);
            case Pad p when permuted && p.pads().size() == 8 -> nhwcNode(n, new Pad(nhwcPads(p.pads()), p.mode(), p.value()), List.of(v.nhwc(x)), v);
            case Slice s when permuted -> nhwcNode(n, new Slice(s.axes().stream().map(TfliteNhwcPass::nhwcAxis).toList(), s.starts(),
                    s.ends(), s.steps()), List.of(v.nhwc(x)), v);
            case QMean m when permuted -> NhwcRows.mean(n, m, v);
            case Flatten f when permuted && f.axis() == 1 -> NhwcRows.rows(g, n, v, gemmWeights, stats);
            case Reshape r when permuted && n.output().type().rank() == 2 -> NhwcRows.rows(g, n, v, gemmWeights, stats);
            case Reshape r when rank4 && n.output().type().rank() == 4 -> NhwcRows.relabel(n, v, stats);
            case Transpose t when rank4 -> transpose(n, t, v, stats);
            default -> null;
        };
        if (done == null) return keep(n, v, gemmWeights);
        if (done == FOLDED) return null;
        stats.inc("ops rewritten");
        return done;
    }

    /** What a rule returns for a node that folds away (its output's data is another value's). */
    static final Node FOLDED = new Node("(folded)", new nncc.ir.op.Identity(), List.of(),
            List.of(new Value("(folded)", nncc.ir.TensorType.of(DType.I8, 1))));

    private static Node conv(Graph g, Node n, QConv c, NhwcValues v, PassResult.Stats stats) {
        Value w = n.input(1);
        boolean depthwise = c.group() > 1 && n.input(0).type().shape().dim(1) == c.group();
        List<Integer> perm = depthwise ? Layout.OIHW_TO_DEPTHWISE : Layout.TO_NHWC;
        Tensor filter = Layout.permute(g.constantData(w), perm);
        Value wn = v.constant(w.name() + (depthwise ? "/1hwc" : "/ohwi"), filter, Layout.permute(w.type(), perm));
        stats.inc("filters permuted");
        List<Value> in = new ArrayList<>(List.of(v.nhwc(n.input(0)), wn));
        for (int i = 2; i < n.inputs().size(); i++) in.add(v.nchw(n.input(i)));
        return nhwcNode(n, c.withLayout(Layout.NHWC), in, v);
    }

    private static Node transposeConv(Graph g, Node n, nncc.ir.op.QConvTranspose t, NhwcValues v, PassResult.Stats stats) {
        Value w = n.input(1);
        Value wn = v.constant(w.name() + "/ohwi", Layout.permute(g.constantData(w), Layout.TO_NHWC), Layout.permute(w.type(), Layout.TO_NHWC));
        stats.inc("filters permuted");
        List<Value> in = new ArrayList<>(List.of(v.nhwc(n.input(0)), wn));
        for (int i = 2; i < n.inputs().size(); i++) in.add(v.nchw(n.input(i)));
        return nhwcNode(n, t.withLayout(Layout.NHWC), in, v);
    }

    private static Node spatial(Node n, nncc.ir.op.Op nhwcOp, NhwcValues v) {
        return nhwcNode(n, nhwcOp, List.of(v.nhwc(n.input(0))), v);
    }

    /** An op that reads its first {@code dataInputs} inputs element by element in NHWC; further inputs (tables) as they are. */
    private static Node elementwise(Node n, NhwcValues v, int dataInputs) {
        List<Value> in = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) in.add(i < dataInputs ? v.nhwc(n.input(i)) : v.nchw(n.input(i)));
        return nhwcNode(n, n.op(), in, v);
    }

    /** A broadcasting binary op on NHWC data: an operand of lower rank is first given rank 4 (numpy: leading 1s). */
    private static Node binary(Node n, NhwcValues v) {
        List<Value> in = new ArrayList<>();
        for (Value i : n.inputs()) in.add(i.type().rank() == 4 ? v.nhwc(i) : v.expandedNhwc(i));
        return nhwcNode(n, n.op(), in, v);
    }

    /** Whether the output is rank 4 and every operand of lower rank has static dims (so it can be expanded). */
    private static boolean broadcastsToRank4(Node n) {
        return n.output().type().rank() == 4 && n.inputs().stream().allMatch(i -> i.type().rank() == 4 || i.type().shape().isStatic());
    }

    static Node nhwcNode(Node n, nncc.ir.op.Op op, List<Value> inputs, NhwcValues v) {
        return new Node(n.name(), op, inputs, List.of(v.permutedOutput(n.output())));
    }

    /** A rank-4 Transpose: to NHWC from NHWC data, or to NCHW from NHWC-shaped data, is the data itself. */
    private static Node transpose(Node n, Transpose t, NhwcValues v, PassResult.Stats stats) {
        Value x = n.input(0);
        NhwcValues.Rep r = v.rep(x);
        List<Integer> perm = t.perm();
        if (!r.permuted()) {
            if (!perm.equals(Layout.TO_NCHW)) return null;
            v.set(n.output(), r.value(), true);
            stats.inc("transposes folded");
            return FOLDED;
        }
        List<Integer> q = perm.stream().map(Layout.TO_NCHW::get).toList(); // NCHW dim p[j] is NHWC dim TO_NCHW[p[j]]
        if (q.equals(List.of(0, 1, 2, 3))) {
            v.set(n.output(), r.value(), false);
            stats.inc("transposes folded");
            return FOLDED;
        }
        v.set(n.output(), n.output(), false);
        return new Node(n.name(), new Transpose(q), List.of(r.value()), n.outputs());
    }

    /** {@code n} as it was, reading every input in NCHW order (and a QGemm its permuted weight, if rows changed order). */
    private static Node keep(Node n, NhwcValues v, Map<String, Value> gemmWeights) {
        List<Value> in = new ArrayList<>();
        for (Value i : n.inputs()) in.add(v.nchw(i));
        Value w = gemmWeights.get(n.name());
        if (w != null) in.set(1, w);
        for (Value o : n.outputs()) v.set(o, o, false);
        return n.withInputs(in);
    }

    /** Whether every reader of graph input {@code x} is a change to NCHW that keeps its data where it is. */
    private static boolean onlyEntersNchw(Graph g, Value x) {
        List<Node> readers = g.consumers(x);
        return !readers.isEmpty() && readers.stream().allMatch(r -> r.op() instanceof Transpose t && t.perm().equals(Layout.TO_NCHW)
                || r.op() instanceof Reshape && NhwcRows.sameData(x.type().shape(), r.output().type().shape(), Layout.TO_NCHW));
    }

    private static boolean anyPermuted(Node n, NhwcValues v) { return n.inputs().stream().anyMatch(v::permuted); }

    /** The NHWC position of NCHW axis {@code a} (negative counts from the end). */
    static int nhwcAxis(int a) { return Layout.TO_NCHW.get(a < 0 ? a + 4 : a); }

    private static List<Long> nhwcPads(List<Long> p) {
        List<Long> r = new ArrayList<>();
        for (int half = 0; half < 2; half++) for (int i = 0; i < 4; i++) r.add(p.get(half * 4 + Layout.TO_NHWC.get(i)));
        return r;
    }

    /** The nodes with values renamed ({@code from -> to}) wherever they are read or produced. */
    private static List<Node> renamed(List<Node> nodes, Map<String, String> renames) {
        List<Node> r = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            List<Value> in = n.inputs().stream().map(x -> renames.containsKey(x.name()) ? new Value(renames.get(x.name()), x.type()) : x).toList();
            List<Value> out = n.outputs().stream().map(x -> renames.containsKey(x.name()) ? new Value(renames.get(x.name()), x.type()) : x).toList();
            r.add(new Node(n.name(), n.op(), in, out));
        }
        return r;
    }

    static boolean isInt8Matrix(Tensor t, long columns) {
        return t != null && t.dtype() == DType.I8 && t.shape().rank() == 2 && t.shape().dim(1) == columns;
    }

    static boolean isStatic(Shape s, int... dims) {
        for (int d : dims) if (s.isSymbolic(d)) return false;
        return true;
    }
}
