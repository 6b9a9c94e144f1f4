package nncc.passes.tflite;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Layout;
import nncc.ir.op.Transpose;
import nncc.passes.PassResult;

/**
 * The bookkeeping of {@link TfliteNhwcPass}: for every value of the graph before the pass, the value that now holds
 * its data and whether that one holds it permuted to NHWC ({@code [N, C, H, W]} stored as {@code [N, H, W, C]}), the
 * rewritten node list, and the Transposes (or permuted constants) made where a reader needs the other order.
 */
final class NhwcValues {
    /** Where an original value's data now is: {@code value}, permuted to NHWC or as it was. */
    record Rep(Value value, boolean permuted) {}

    private final Graph g;
    private final PassResult.Stats stats;
    private final Map<String, Rep> reps = new HashMap<>();
    private final Map<String, Value> asNhwc = new HashMap<>(), asNchw = new HashMap<>();
    private final Set<String> issued = new HashSet<>();
    final List<Node> nodes = new ArrayList<>();

    NhwcValues(Graph g, PassResult.Stats stats) {
        this.g = g;
        this.stats = stats;
    }

    void set(Value original, Value now, boolean permuted) { reps.put(original.name(), new Rep(now, permuted)); }

    Rep rep(Value original) {
        Rep r = reps.get(original.name());
        return r != null ? r : new Rep(original, false); // constants and values no rule touched
    }

    boolean permuted(Value original) { return rep(original).permuted(); }

    /** A new output value for {@code original} whose data is {@code original}'s permuted to NHWC (same name). */
    Value permutedOutput(Value original) {
        Value v = original.withType(Layout.permute(original.type(), Layout.TO_NHWC));
        set(original, v, true);
        return v;
    }

    /** {@code original}'s data in NHWC order: its rep, a permuted constant or a Transpose to NHWC made here. */
    Value nhwc(Value original) {
        Rep r = rep(original);
        if (r.permuted()) return r.value();
        Value cached = asNhwc.get(original.name());
        if (cached != null) return cached;
        TensorType t = Layout.permute(r.value().type(), Layout.TO_NHWC);
        Value y;
        Tensor data = g.constantData(original);
        if (data != null) {
            y = g.addConstant(fresh(original.name() + "/nhwc"), Layout.permute(data, Layout.TO_NHWC), t.quant());
            stats.inc("constants permuted");
        } else {
            y = new Value(fresh(original.name() + "/nhwc"), t);
            nodes.add(new Node(fresh(original.name() + "/to_nhwc"), new Transpose(Layout.TO_NHWC), List.of(r.value()), List.of(y)));
            stats.inc("transposes inserted");
        }
        asNhwc.put(original.name(), y);
        return y;
    }

    /**
     * A static operand of rank below 4 given rank 4 as numpy broadcasting reads it (leading 1s), in NHWC order: a
     * reshaped, permuted constant, a Reshape straight to the NHWC shape when that moves no element, else a Reshape and
     * a Transpose.
     */
    Value expandedNhwc(Value original) {
        Value cached = asNhwc.get(original.name());
        if (cached != null) return cached;
        long[] d = original.type().shape().dims(), nchw = {1, 1, 1, 1};
        System.arraycopy(d, 0, nchw, 4 - d.length, d.length);
        nncc.ir.Shape nchwShape = nncc.ir.Shape.of(nchw), nhwcShape = Layout.permute(nchwShape, Layout.TO_NHWC);
        nncc.ir.QuantParams q = original.type().quant();
        if (q != null && q.isPerAxis()) q = nncc.ir.QuantParams.perAxis(Layout.TO_NCHW.get(q.axis() + 4 - d.length), q.scales(), q.zeroPoints());
        TensorType nhwcType = new TensorType(original.type().dtype(), nhwcShape, q);
        Tensor data = g.constantData(original);
        Value y;
        if (data != null) {
            y = g.addConstant(fresh(original.name() + "/nhwc"), Layout.permute(data.reshape(nchwShape), Layout.TO_NHWC), q);
            stats.inc("constants permuted");
        } else {
            Value from = rep(original).value();
            if (!NhwcRows.sameData(nchwShape, nhwcShape, Layout.TO_NHWC)) {
                Value wide = new Value(fresh(original.name() + "/rank4"), original.type().withShape(nchwShape));
                nodes.add(new Node(fresh(original.name() + "/to_rank4"), new nncc.ir.op.Reshape(java.util.Arrays.stream(nchw).boxed().toList(), false),
                        List.of(from), List.of(wide)));
                from = wide;
                y = new Value(fresh(original.name() + "/nhwc"), nhwcType);
                nodes.add(new Node(fresh(original.name() + "/to_nhwc"), new Transpose(Layout.TO_NHWC), List.of(from), List.of(y)));
                stats.inc("transposes inserted");
            } else {
                y = new Value(fresh(original.name() + "/nhwc"), nhwcType);
                nodes.add(new Node(fresh(original.name() + "/to_rank4"), new nncc.ir.op.Reshape(java.util.Arrays.stream(nhwcShape.dims()).boxed().toList(), false),
                        List.of(from), List.of(y)));
            }
            stats.inc("operands given rank 4");
        }
        asNhwc.put(original.name(), y);
        return y;
    }

    /** {@code original}'s data in its own (NCHW) order: its rep, or a Transpose back made here. */
    Value nchw(Value original) {
        Rep r = rep(original);
        if (!r.permuted()) return r.value();
        Value cached = asNchw.get(original.name());
        if (cached != null) return cached;
        Value y = new Value(fresh(original.name() + "/nchw"), original.type());
        nodes.add(new Node(fresh(original.name() + "/to_nchw"), new Transpose(Layout.TO_NCHW), List.of(r.value()), List.of(y)));
        stats.inc("transposes inserted");
        asNchw.put(original.name(), y);
        return y;
    }

    /** A constant holding {@code data} with {@code type}'s quantization, named after {@code base}. */
    Value constant(String base, Tensor data, TensorType type) {
        return g.addConstant(fresh(base), data, type.quant());
    }

    /** A name no value, node or earlier fresh name of this pass uses. */
    String fresh(String base) {
        String name = g.freshName(base);
        for (int i = 1; !issued.add(name); i++) name = g.freshName(base + "_" + i);
        return name;
    }
}
