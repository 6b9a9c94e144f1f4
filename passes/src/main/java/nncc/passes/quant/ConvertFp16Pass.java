package nncc.passes.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Cast;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * The {@code fp16} scheme: every f32 constant becomes f16 data (values beyond the f16 range saturate to
 * +-65504 instead of becoming infinite), every f32 value f16; graph inputs and outputs keep their names and f32
 * types, with a Cast after each input and before each output. Quantization plans on float types are dropped.
 * Model size halves.
 *
 * <pre>{@code
 * // before
 * input %x : f32[?N,4]
 * const %w : f32[2,4] = b64"..."
 * node @fc = Gemm {alpha = 1.0, beta = 1.0, transA = false, transB = true} (%x, %w) -> (%y : f32[?N,2])
 * output %y
 * // after
 * const %w : f16[2,4] = [...]
 * node @x.cast = Cast {to = f16} (%x) -> (%x.f16 : f16[?N,4])
 * node @fc = Gemm {...} (%x.f16, %w) -> (%y.f16 : f16[?N,2])
 * node @y.cast = Cast {to = f32} (%y.f16) -> (%y : f32[?N,2])
 * }</pre>
 * Cost: one walk over the nodes and one conversion of each float constant: O(nodes + weights).
 */
public final class ConvertFp16Pass implements Pass {
    public static final String NAME = "convert-fp16";
    private static final float F16_MAX = 65504f;

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.SHAPES_INFERRED; }

    @Override public Stage produces() { return Stage.LOWERED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("constants converted", "values converted",
                "casts inserted", "constant bytes before", "constant bytes after", "constant elements saturated");
        Set<String> taken = new HashSet<>(g.valuesByName().keySet());
        g.nodes().forEach(n -> taken.add(n.name()));
        Map<String, Value> current = new HashMap<>();
        for (Graph.Constant c : g.constants()) {
            Tensor t = c.data();
            stats.add("constant bytes before", t.byteSize());
            if (t.dtype() == DType.F32) {
                float[] v = t.toFloats();
                for (int i = 0; i < v.length; i++)
                    if (Math.abs(v[i]) > F16_MAX && Float.isFinite(v[i])) {
                        v[i] = Math.copySign(F16_MAX, v[i]);
                        stats.inc("constant elements saturated");
                    }
                t = Tensor.ofFloats(DType.F16, t.shape(), v);
                stats.inc("constants converted");
                current.put(c.value().name(), g.addConstant(c.value().name(), t, null));
            }
            stats.add("constant bytes after", t.byteSize());
        }
        List<Node> nodes = new ArrayList<>();
        List<Value> inputs = new ArrayList<>();
        for (Value original : g.inputs()) {
            Value in = original.type().dtype().isFloat() ? original.withType(original.type().withQuant(null)) : original;
            inputs.add(in);
            if (in.type().dtype() != DType.F32) continue;
            Value h = new Value(fresh(taken, in.name() + ".f16"), TensorType.of(DType.F16, in.type().shape()));
            nodes.add(new Node(fresh(taken, in.name() + ".cast"), new Cast(DType.F16), List.of(in), List.of(h)));
            current.put(in.name(), h);
            stats.inc("casts inserted");
        }
        Set<String> graphOutputs = new HashSet<>();
        g.outputs().forEach(v -> graphOutputs.add(v.name()));
        for (Node n : g.nodes()) {
            List<Value> ins = new ArrayList<>();
            for (Value v : n.inputs()) ins.add(current.getOrDefault(v.name(), v));
            List<TensorType> inferred;
            try {
                inferred = n.op().inferTypes(ins.stream().map(Value::type).toList());
            } catch (RuntimeException e) {
                throw n.error("cannot run in f16: " + e.getMessage());
            }
            List<Value> outs = new ArrayList<>();
            for (int i = 0; i < n.outputs().size(); i++) {
                Value o = n.outputs().get(i);
                TensorType t = inferred.get(i);
                if (t.dtype().isFloat()) t = new TensorType(t.dtype(), o.type().shape(), null);
                if (t.dtype() == DType.F16 && o.type().dtype() != DType.F16) stats.inc("values converted");
                boolean rename = graphOutputs.contains(o.name()) && t.dtype() == DType.F16;
                Value v = new Value(rename ? fresh(taken, o.name() + ".f16") : o.name(), t);
                current.put(o.name(), v);
                outs.add(v);
            }
            nodes.add(new Node(n.name(), n.op(), ins, outs));
        }
        List<Value> outputs = new ArrayList<>();
        Map<String, Value> inputByName = new HashMap<>();
        inputs.forEach(v -> inputByName.put(v.name(), v));
        for (Value o : g.outputs()) {
            Value v = inputByName.containsKey(o.name()) ? inputByName.get(o.name()) : current.getOrDefault(o.name(), o);
            if (v.type().dtype() == DType.F16 && o.type().dtype() == DType.F32 && !g.isConstant(o)) {
                Value back = new Value(o.name(), TensorType.of(DType.F32, o.type().shape()));
                nodes.add(new Node(fresh(taken, o.name() + ".cast"), new Cast(DType.F32), List.of(v), List.of(back)));
                stats.inc("casts inserted");
                v = back;
            }
            outputs.add(v);
        }
        g.setInputs(inputs);
        g.setNodes(nodes);
        g.setOutputs(outputs);
        return stats.result();
    }

    private static String fresh(Set<String> taken, String base) {
        String name = base;
        for (int i = 1; taken.contains(name); i++) name = base + "_" + i;
        taken.add(name);
        return name;
    }
}
