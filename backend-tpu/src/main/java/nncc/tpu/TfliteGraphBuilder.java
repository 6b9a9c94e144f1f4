package nncc.tpu;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Rounding;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Op;
import nncc.ir.op.Reshape;
import nncc.ir.op.Transpose;

/**
 * Builds the IR graph of one TFLite subgraph and owns the layout rule: every rank-4 tensor that is not a weight
 * lives in the IR as NCHW (TFLite's NHWC dims [n, h, w, c] become [n, c, h, w]); tensors of other ranks keep
 * TFLite's layout. {@link #toNhwc}/{@link #toNchw} convert where an op's meaning depends on layout, emitting a
 * Reshape instead of a Transpose when both layouts hold the same memory order (h*w = 1 or c = 1).
 */
final class TfliteGraphBuilder {
    /** NHWC to NCHW and back, as Transpose perms. */
    static final List<Integer> TO_NCHW = List.of(0, 3, 1, 2), TO_NHWC = List.of(0, 2, 3, 1);

    final Graph graph;
    final TfliteTensors.Info[] tensors;
    private final Value[] values;
    private final Set<String> names = new HashSet<>();
    /** The node being lowered, for names and messages. */
    String opLabel = "";
    /** The requantization rounding of int8 ops ({@link TfliteImporter#load(byte[], String, Rounding)}). */
    Rounding int8Rounding = Rounding.DOUBLE_ROUND;

    TfliteGraphBuilder(Graph graph, TfliteTensors.Info[] tensors) {
        this.graph = graph;
        this.tensors = tensors;
        this.values = new Value[tensors.length];
    }

    /**
     * The rounding of an op with an {@code out}-typed output: the chosen int8 rounding, else TFLite's reference
     * (16-bit ops take their own Q15 form from the op records).
     */
    Rounding rounding(DType out) {
        if (out != DType.I8) return Rounding.DOUBLE_ROUND;
        return int8Rounding == Rounding.ONNX_FLOAT32 ? Rounding.SINGLE_ROUND : int8Rounding;
    }

    /**
     * Whether int8 convolutions and fully connected layers requantize in float32 ({@code onnx_float32}: the
     * accumulator times {@code fl(fl(sx * sw) / sy)}, rounded half to even, as XNNPACK's QS8/QC8 kernels do); the
     * other int8 ops then round once.
     */
    boolean floatLinear(DType out) { return out == DType.I8 && int8Rounding == Rounding.ONNX_FLOAT32; }

    /** XNNPACK's (and ONNX Runtime's) float32 scale per weight scale: {@code fl(fl(sx * sw[c]) / sy)}. */
    static List<Float> floatScales(float sx, nncc.ir.QuantParams wq, float sy) {
        List<Float> r = new java.util.ArrayList<>();
        for (int c = 0; c < wq.count(); c++) r.add(nncc.ir.OnnxArithmetic.linearScale(sx, wq.scale(c), sy));
        return r;
    }

    TfliteTensors.Info info(int tensor) {
        if (tensor < 0 || tensor >= tensors.length)
            throw new ModelException(opLabel + ": tensor index " + tensor + " outside [0, " + tensors.length + ")");
        return tensors[tensor];
    }

    String freshName(String base) {
        String n = base;
        for (int i = 1; !names.add(n); i++) n = base + "_" + i;
        return n;
    }

    /** A TFLite tensor's dims in the IR layout. */
    static long[] irDims(long[] nhwc) {
        return nhwc.length == 4 ? new long[] {nhwc[0], nhwc[3], nhwc[1], nhwc[2]} : nhwc.clone();
    }

    static int irAxis(int nhwcAxis, int rank) {
        if (rank != 4) return nhwcAxis;
        return new int[] {0, 2, 3, 1}[nhwcAxis];
    }

    /** The IR value of an op input: a computed tensor, or a constant (rank 4 transposed to NCHW). */
    Value input(int tensor) {
        TfliteTensors.Info t = info(tensor);
        if (values[tensor] != null) return values[tensor];
        if (t.data() == null) throw new ModelException(opLabel + ": " + t.describe() + " is read before any op writes it");
        Tensor data = t.rank() == 4 ? permute(t.data(), TO_NCHW) : t.data();
        QuantParams q = t.quant();
        if (q != null && q.isPerAxis() && t.rank() == 4)
            q = QuantParams.perAxis(irAxis(q.axis(), 4), q.scales(), q.zeroPoints());
        values[tensor] = graph.addConstant(freshName(t.name()), data, q);
        return values[tensor];
    }

    /** Registers {@code v} as TFLite tensor {@code tensor}, checking its type is that tensor's in the IR layout. */
    void bind(int tensor, Value v) {
        TfliteTensors.Info t = info(tensor);
        if (values[tensor] != null) throw new ModelException(opLabel + ": " + t.describe() + " is written twice");
        Shape want = Shape.of(irDims(t.shape()));
        if (v.type().dtype() != t.dtype() || !v.type().shape().equals(want))
            throw new ModelException(opLabel + ": " + t.describe() + " is declared " + t.dtype() + java.util.Arrays.toString(t.shape())
                    + " but the op computes " + v.type() + " (IR layout)");
        values[tensor] = v;
    }

    boolean isBound(int tensor) { return values[tensor] != null; }

    Value constant(String name, Tensor data, QuantParams q) {
        return graph.addConstant(freshName(name), data, q);
    }

    /**
     * Adds a node computing {@code op}; its output takes the inferred type, with {@code quant} attached when the
     * op itself does not define one (data movement of integers).
     */
    Value emit(String name, Op op, List<Value> inputs, QuantParams quant) {
        List<TensorType> types;
        try {
            types = op.inferTypes(inputs.stream().map(Value::type).toList());
        } catch (ModelException e) {
            throw new ModelException(opLabel + ": " + e.getRawMessage());
        }
        TensorType t = types.get(0);
        if (t.quant() == null && quant != null && t.dtype().isInteger()) t = t.withQuant(quant);
        Value out = new Value(freshName(name), t);
        graph.addNode(new Node(freshName(name), op, new ArrayList<>(inputs), List.of(out)));
        return out;
    }

    /** {@code v} (rank 4, NCHW) in NHWC order. */
    Value toNhwc(Value v) { return relayout(v, TO_NHWC, "nhwc"); }

    /** {@code v} (rank 4, NHWC) in NCHW order. */
    Value toNchw(Value v) { return relayout(v, TO_NCHW, "nchw"); }

    private Value relayout(Value v, List<Integer> perm, String suffix) {
        if (v.type().rank() != 4) return v;
        long[] d = v.type().shape().dims();
        long[] to = new long[4];
        for (int i = 0; i < 4; i++) to[i] = d[perm.get(i)];
        QuantParams q = v.type().quant();
        boolean fromNchw = perm.equals(TO_NHWC);
        long channels = fromNchw ? d[1] : d[3], pixels = fromNchw ? d[2] * d[3] : d[1] * d[2];
        boolean sameOrder = channels == 1 || pixels == 1;
        if (sameOrder && (q == null || !q.isPerAxis()))
            return emit(v.name() + "/" + suffix, new Reshape(java.util.Arrays.stream(to).boxed().toList(), true), List.of(v), q);
        return emit(v.name() + "/" + suffix, new Transpose(perm), List.of(v), q);
    }

    /** A constant's data with dims permuted (output dim i is input dim perm[i]). */
    static Tensor permute(Tensor t, List<Integer> perm) {
        long[] d = t.shape().dims();
        int r = d.length;
        long[] od = new long[r];
        for (int i = 0; i < r; i++) od[i] = d[perm.get(i)];
        int[] inStrides = new int[r];
        for (int i = r - 1, s = 1; i >= 0; i--) { inStrides[i] = s; s *= (int) d[i]; }
        byte[] raw = t.rawBytes();
        int elem = t.dtype().bits() / 8;
        if (elem == 0) throw new ModelException("cannot permute " + t.dtype().text() + " constants");
        byte[] out = new byte[raw.length];
        int n = (int) t.numElements();
        int[] pos = new int[r];
        for (int o = 0; o < n; o++) {
            int src = 0;
            for (int i = 0; i < r; i++) src += pos[i] * inStrides[perm.get(i)];
            System.arraycopy(raw, src * elem, out, o * elem, elem);
            for (int i = r - 1; i >= 0; i--) { if (++pos[i] < od[i]) break; pos[i] = 0; }
        }
        return Tensor.ofRaw(t.dtype(), Shape.of(od), out);
    }

    /** Graph input for TFLite tensor {@code tensor}: TFLite's own layout at the edge, NCHW inside. */
    void addGraphInput(int tensor) {
        TfliteTensors.Info t = info(tensor);
        if (t.dtype() == null) throw t.fail("unsupported input element type");
        Value in = new Value(freshName(t.name()), new TensorType(t.dtype(), t.irShape(), t.quant()));
        graph.addInput(in);
        values[tensor] = toNchw(in);
    }

    /** Graph output for TFLite tensor {@code tensor}, back in TFLite's layout. */
    void addGraphOutput(int tensor) {
        TfliteTensors.Info t = info(tensor);
        Value v = t.data() != null && values[tensor] == null ? input(tensor) : values[tensor];
        if (v == null) throw t.fail("graph output is never computed");
        graph.addOutput(toNhwc(v));
    }

    static DType dtypeOf(Value v) { return v.type().dtype(); }
}
