package nncc.passes.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.FakeQuant;
import nncc.ir.op.DequantizeLinear;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.QuantizeLinear;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Lowers a quantization-aware training graph: each {@link FakeQuant} of a constant weight becomes its integer codes
 * (computed by the FakeQuant's own rule, so the codes are exactly the trained values' grid points) and a
 * DequantizeLinear; each FakeQuant of an activation becomes a QuantizeLinear/DequantizeLinear pair with its scale
 * and zero point. {@link LowerQdqPass} then lowers the QDQ graph as it lowers any pre-quantized model, and the
 * QConv/QGemm reading a narrower weight grid get that {@code weightBits}.
 *
 * <pre>{@code
 * // before
 * node @w.fq = FakeQuant {scales = [0.5, 0.25], zeroPoints = [0, 0], bits = 4, narrowRange = true, signed = true, axis = 0} (%w) -> (%w.fq : f32[2,1,1,1])
 * node @x.fq = FakeQuant {scales = [0.5], zeroPoints = [10], bits = 8, narrowRange = false, signed = true, axis = -1} (%x) -> (%x.fq : f32[1,1,2,2])
 * // after
 * const %w.fq.codes : i8[2,1,1,1] = [3, -7]
 * node @w.fq = DequantizeLinear {axis = 0} (%w.fq.codes, %w.fq.scale, %w.fq.zp) -> (%w.fq : f32[2,1,1,1])
 * node @x.fq.q = QuantizeLinear {axis = 1, outType = i8} (%x, %x.fq.scale, %x.fq.zp) -> (%x.fq.q : i8[1,1,2,2])
 * node @x.fq = DequantizeLinear {axis = 1} (%x.fq.q, %x.fq.scale, %x.fq.zp) -> (%x.fq : f32[1,1,2,2])
 * }</pre>
 */
public final class LowerFakeQuantPass implements Pass {
    public static final String NAME = "lower-fake-quant";

    /** Weight bits per weight value name (the DequantizeLinear outputs this pass made), for {@link #applyWeightBits}. */
    private final Map<String, Integer> weightBits = new HashMap<>();

    @Override public String name() { return NAME; }

    @Override public Stage produces() { return Stage.BN_FOLDED; }

    public static boolean applies(Graph g) {
        return g.nodes().stream().anyMatch(n -> n.op() instanceof FakeQuant);
    }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("weights quantized", "activation pairs");
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof FakeQuant fq)) {
                nodes.add(n);
                continue;
            }
            if (fq.bits() > 8) throw new ModelException(null, n.name(), "FakeQuant of " + fq.bits() + " bits has no int8 lowering");
            Value x = n.input(0), y = n.output();
            int count = fq.scales().size();
            float[] scales = new float[count];
            long[] zps = new long[count];
            for (int i = 0; i < count; i++) {
                scales[i] = fq.scales().get(i);
                zps[i] = fq.zeroPoints().get(i);
            }
            Shape paramShape = fq.axis() < 0 ? Shape.SCALAR : Shape.of(count);
            Value s = g.addConstant(g.freshName(n.name() + ".scale"), Tensor.ofFloats(paramShape, scales));
            Value z = g.addConstant(g.freshName(n.name() + ".zp"), Tensor.ofLongs(DType.I8, paramShape, zps));
            Tensor w = g.constantData(x);
            if (w != null) {
                float[] v = w.toFloats();
                long[] codes = new long[v.length];
                int inner = 1;
                if (fq.axis() >= 0) for (int d = fq.axis() + 1; d < w.shape().rank(); d++) inner *= Math.toIntExact(w.shape().dim(d));
                for (int i = 0; i < v.length; i++) codes[i] = fq.code(v[i], fq.axis() < 0 ? 0 : (i / inner) % count);
                Value c = g.addConstant(g.freshName(n.name() + ".codes"), Tensor.ofLongs(DType.I8, w.shape(), codes));
                nodes.add(new Node(n.name(), new DequantizeLinear(Math.max(fq.axis(), 0)), List.of(c, s, z), List.of(y)));
                weightBits.put(y.name(), fq.bits());
                stats.inc("weights quantized");
            } else {
                if (fq.axis() >= 0 || !fq.signed())
                    throw new ModelException(null, n.name(), "only signed per-tensor activation FakeQuants lower to int8");
                Value q = new Value(g.freshName(n.name() + ".q"), new TensorType(DType.I8, x.type().shape(), null));
                nodes.add(new Node(g.freshName(n.name() + ".quantize"), new QuantizeLinear(1, DType.I8), List.of(x, s, z), List.of(q)));
                nodes.add(new Node(n.name(), new DequantizeLinear(1), List.of(q, s, z), List.of(y)));
                stats.inc("activation pairs");
            }
        }
        g.setNodes(nodes);
        g.removeUnusedConstants();
        return stats.resultChangedBy("weights quantized", "activation pairs");
    }

    /**
     * After {@link LowerQdqPass}: each QConv/QGemm whose weights came from a FakeQuant of fewer than 8 bits states
     * that width ({@code weightBits}); the lowered weight constant's name starts with the DequantizeLinear output's.
     */
    public int applyWeightBits(Graph g) {
        int changed = 0;
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            Integer bits = n.inputs().size() > 1 ? bitsOf(n.input(1).name()) : null;
            Node out = n;
            if (bits != null && n.op() instanceof QConv q && q.weightBits() != bits) {
                out = n.withOp(new QConv(q.strides(), q.pads(), q.dilations(), q.group(), q.inputZp(), q.multiplier(), q.shift(),
                        q.outputZp(), q.outputScale(), q.outType(), q.actMin(), q.actMax(), q.rounding(), q.accumulator(), bits,
                        q.activation()));
            } else if (bits != null && n.op() instanceof QGemm q && q.weightBits() != bits) {
                out = n.withOp(new QGemm(q.inputZp(), q.multiplier(), q.shift(), q.outputZp(), q.outputScale(), q.outType(),
                        q.actMin(), q.actMax(), q.rounding(), q.accumulator(), bits, q.activation()));
            }
            if (out != n) changed++;
            nodes.add(out);
        }
        g.setNodes(nodes);
        return changed;
    }

    private Integer bitsOf(String constant) {
        Integer best = null;
        int length = -1;
        for (var e : weightBits.entrySet())
            if (constant.startsWith(e.getKey()) && e.getKey().length() > length) {
                best = e.getValue();
                length = e.getKey().length();
            }
        return best;
    }
}
