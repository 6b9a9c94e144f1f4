package nncc.hls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Concat;
import nncc.ir.op.Dropout;
import nncc.ir.op.Flatten;
import nncc.ir.op.Identity;
import nncc.ir.op.MaxPool;
import nncc.ir.op.Pad;
import nncc.ir.op.QAdd;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.QLut;
import nncc.ir.op.QMean;
import nncc.ir.op.QMul;
import nncc.ir.op.QSoftmax;
import nncc.ir.op.ReduceMean;
import nncc.ir.op.Requantize;
import nncc.ir.op.Reshape;
import nncc.ir.op.Squeeze;
import nncc.ir.op.Unsqueeze;

/**
 * The one place the HLS backend reads lowered op records: each supported node becomes an {@link HlsModel.Layer}
 * (configuration constants, the kernel of nncc's header library it calls, its constant arrays), every number
 * copied from the op's attributes, the tensor types and the constants. Shapes are one sample's: a leading batch
 * dimension (symbolic or 1) is dropped. Ops the header library has no kernel for are a one-line error.
 */
final class HlsLayers {
    private final Graph graph;
    private final int defaultReuse;
    private final java.util.Map<String, Integer> layerReuse;
    private int reuseFactor;
    private final String defaultStrategy;
    private final java.util.Map<String, HlsGenerator.Strategy> layerStrategy;
    private String strategy;
    private final Function<Value, String> bufferOf;

    HlsLayers(Graph graph, int reuseFactor, java.util.Map<String, Integer> layerReuse, String strategy,
              java.util.Map<String, HlsGenerator.Strategy> layerStrategy, Function<Value, String> bufferOf) {
        this.graph = graph;
        this.defaultReuse = reuseFactor;
        this.layerReuse = layerReuse;
        this.defaultStrategy = strategy;
        this.layerStrategy = layerStrategy;
        this.bufferOf = bufferOf;
    }

    /** The layers of node {@code n}, numbered {@code index}: one, or one per input for a Concat. */
    List<HlsModel.Layer> layers(Node n, int index) {
        reuseFactor = layerReuse.getOrDefault(n.name(), defaultReuse);
        HlsGenerator.Strategy own = layerStrategy.get(n.name());
        strategy = own == null ? defaultStrategy : own.name().toLowerCase(Locale.ROOT);
        if (n.op() instanceof Concat c) return concatParts(n, c, index);
        return List.of(layer(n, index));
    }

    private HlsModel.Layer layer(Node n, int index) {
        if (nncc.ir.OnnxArithmetic.uses(n.op())) throw nncc.ir.OnnxArithmetic.refusal(n.name(), "hls");
        if (nncc.ir.op.Layout.of(n.op()) != nncc.ir.op.Layout.NCHW) throw nncc.ir.op.Layout.refusal(n.name(), nncc.ir.op.Layout.of(n.op()), "hls");
        String id = "l" + index;
        HlsModel.Layer l = switch (n.op()) {
            case QConv op -> conv(n, op, id);
            case QGemm op -> dense(n, op, id);
            case QAdd op -> add(n, op, id);
            case QMul op -> mul(n, op, id);
            case QMean op -> mean(n, op, id);
            case QAveragePool op -> avgPool(n, op, id);
            case MaxPool op -> maxPool(n, op, id);
            case QLut op -> lut(n, op, id);
            case QSoftmax op -> softmax(n, op, id);
            case Requantize op -> requantize(n, op, id);
            case Pad op -> pad(n, op, id);
            case Reshape op -> copy(n, id);
            case Flatten op -> copy(n, id);
            case Squeeze op -> copy(n, id);
            case Unsqueeze op -> copy(n, id);
            case Identity op -> copy(n, id);
            case Dropout op -> copy(n, id);
            default -> throw n.error("--target hls has no kernel for " + n.op().opName()
                    + " (supported: QConv, QGemm, QAdd, QMul, QMean, QAveragePool, MaxPool, QLut, QSoftmax, Requantize, Pad, Concat, Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout)");
        };
        if (n.outputs().size() != 1) throw n.error("--target hls supports single-output nodes only");
        l.num("reuse_factor", reuseFactor);
        l.raw("nncc::strategy_t", "strategy", strategy.equals("resource") ? "nncc::RESOURCE" : "nncc::LATENCY");
        // the resource strategy folds the products of conv and dense layers (hls4ml's): their own kernel forms
        if (strategy.equals("resource") && (l.kernel.equals("conv2d") || l.kernel.equals("dense"))) l.call = l.kernel + "_resource";
        return l;
    }

    private HlsModel.Layer conv(Node n, QConv op, String id) {
        int[] x = sample(n, n.input(0), 3), y = sample(n, n.output(), 3), w = full(n.input(1));
        if (op.strides().size() != 2) throw n.error("--target hls supports 2-D convolutions only, got strides " + op.strides());
        HlsModel.Layer l = new HlsModel.Layer(id, n.name(), "QConv", "conv2d");
        linearTypes(l, n, op.outType(), op.weightBits());
        l.num("in_c", x[0]).num("in_h", x[1]).num("in_w", x[2]).num("out_c", y[0]).num("out_h", y[1]).num("out_w", y[2]);
        l.num("kernel_h", w[2]).num("kernel_w", w[3]).num("stride_h", op.strides().get(0)).num("stride_w", op.strides().get(1));
        l.num("pad_top", op.pads().get(0)).num("pad_left", op.pads().get(1));
        l.num("dilation_h", op.dilations().get(0)).num("dilation_w", op.dilations().get(1)).num("groups", op.group());
        requantStage(l, n, op.inputZp(), op.multiplier(), op.shift(), op.outputZp(), op.actMin(), op.actMax(), op.rounding(), y[0]);
        accumulator(l, op.accumulatorBits(), op.accumulator(), op.weightBits());
        return l;
    }

    private HlsModel.Layer dense(Node n, QGemm op, String id) {
        int[] x = sample(n, n.input(0), 1), y = sample(n, n.output(), 1);
        HlsModel.Layer l = new HlsModel.Layer(id, n.name(), "QGemm", "dense");
        linearTypes(l, n, op.outType(), op.weightBits());
        l.num("n_in", x[0]).num("n_out", y[0]);
        requantStage(l, n, op.inputZp(), op.multiplier(), op.shift(), op.outputZp(), op.actMin(), op.actMax(), op.rounding(), y[0]);
        accumulator(l, op.accumulatorBits(), op.accumulator(), op.weightBits());
        return l;
    }

    /**
     * The accumulator type: the IR's proven {@code accumulatorBits} (set by the accumulator-bits pass), or the
     * accumulator type's full width when the graph was not analysed (0); and the weights' bit width for the estimate.
     */
    private static void accumulator(HlsModel.Layer l, int accumulatorBits, DType accumulator, int weightBits) {
        int reference = accumulator == DType.I64 ? 64 : 32;
        int bits = accumulatorBits == 0 ? reference : accumulatorBits;
        l.type("accum_t", "ap_int<" + bits + ">").num("accum_bits", bits).num("reference_accum_bits", reference);
        l.num("weight_bits", weightBits);
    }

    /** Types of QConv/QGemm: weights at the IR's weightBits (stored as i8); int16 input accumulates in int64, as the CPU reference. */
    private void linearTypes(HlsModel.Layer l, Node n, DType out, int weightBits) {
        boolean wide = wideAccumulator(n);
        HlsTypes.cType(n, n.input(1).type().dtype()); // storage must be an integer type
        l.type("in_t", HlsTypes.cType(n, n.input(0).type().dtype())).type("out_t", HlsTypes.cType(n, out))
                .type("weight_t", "ap_int<" + weightBits + ">").type("bias_t", wide ? "ap_int<64>" : "ap_int<32>");
        l.flag("wide_accumulator", wide);
    }

    /** Weights, bias (zeros and has_bias false when absent), multipliers, shifts and the output stage numbers. */
    private void requantStage(HlsModel.Layer l, Node n, long inputZp, List<Integer> multiplier, List<Integer> shift, long outputZp,
                              int actMin, int actMax, Rounding rounding, int channels) {
        l.num("n_multipliers", multiplier.size()).flag("has_bias", n.inputs().size() > 2);
        l.num("input_zp", inputZp).num("output_zp", outputZp).num("act_min", actMin).num("act_max", actMax);
        l.raw("nncc::rounding_t", "rounding", rounding(rounding));
        l.args.add(bufferOf.apply(n.input(0)));
        l.args.add(bufferOf.apply(n.output()));
        l.arrays.add(new HlsModel.Array(HlsTypes.storageType(n, n.input(1).type().dtype()), "w_" + l.id, constant(n, n.input(1))));
        List<Long> bias = n.inputs().size() > 2 ? constant(n, n.input(2)) : java.util.Collections.nCopies(channels, 0L);
        boolean wide = wideAccumulator(n);
        l.arrays.add(new HlsModel.Array(wide ? "long long" : "int", "b_" + l.id, bias));
        l.arrays.add(new HlsModel.Array("int", "m_" + l.id, multiplier.stream().map(Integer::longValue).toList()));
        l.arrays.add(new HlsModel.Array("int", "s_" + l.id, shift.stream().map(Integer::longValue).toList()));
        for (HlsModel.Array a : l.arrays) l.args.add(a.name);
    }

    private HlsModel.Layer add(Node n, QAdd op, String id) {
        HlsModel.Layer l = broadcast(n, id, "QAdd", "add", op.outType());
        l.num("input_zp_a", op.inputZpA()).num("input_zp_b", op.inputZpB()).num("left_shift", op.leftShift());
        l.num("multiplier_a", op.multiplierA()).num("shift_a", op.shiftA()).num("multiplier_b", op.multiplierB()).num("shift_b", op.shiftB());
        l.num("multiplier", op.multiplier()).num("shift", op.shift()).num("output_zp", op.outputZp());
        l.num("act_min", op.actMin()).num("act_max", op.actMax()).raw("nncc::rounding_t", "rounding", rounding(op.rounding()));
        return l;
    }

    private HlsModel.Layer mul(Node n, QMul op, String id) {
        HlsModel.Layer l = broadcast(n, id, "QMul", "mul", op.outType());
        l.num("input_zp_a", op.inputZpA()).num("input_zp_b", op.inputZpB());
        l.num("multiplier", op.multiplier()).num("shift", op.shift()).num("output_zp", op.outputZp());
        l.num("act_min", op.actMin()).num("act_max", op.actMax()).raw("nncc::rounding_t", "rounding", rounding(op.rounding()));
        return l;
    }

    /** Output dims and each input's strides over them (0 where broadcast), as 4 dims after the batch. */
    private HlsModel.Layer broadcast(Node n, String id, String opName, String kernel, DType out) {
        HlsModel.Layer l = new HlsModel.Layer(id, n.name(), opName, kernel);
        l.type("a_t", HlsTypes.cType(n, n.input(0).type().dtype())).type("b_t", HlsTypes.cType(n, n.input(1).type().dtype())).type("out_t", HlsTypes.cType(n, out));
        Shape o = n.output().type().shape();
        int rank = o.rank();
        if (rank < 1 || rank - 1 > 4) throw n.error("--target hls broadcasts tensors of rank 1 to 5, got " + o);
        int[] dims = pad4(sample(n, n.output(), rank - 1));
        for (int i = 0; i < 4; i++) l.num("d" + i, dims[i]);
        String[] side = {"a", "b"};
        for (int k = 0; k < 2; k++) {
            Shape s = n.input(k).type().shape();
            long[] aligned = new long[rank];
            java.util.Arrays.fill(aligned, 1);
            for (int i = 0; i < s.rank(); i++) aligned[rank - s.rank() + i] = s.isSymbolic(i) ? 1 : s.dim(i);
            int[] strides = new int[rank - 1];
            int stride = 1;
            for (int i = rank - 1; i >= 1; i--) {
                strides[i - 1] = aligned[i] == 1 ? 0 : stride;
                stride *= (int) aligned[i];
            }
            int[] s4 = new int[4];
            System.arraycopy(strides, 0, s4, 4 - strides.length, strides.length);
            for (int i = 0; i < 4; i++) l.num(side[k] + "_s" + i, s4[i]);
            l.num("n_" + side[k], stride);
        }
        l.num("n_out", product(dims));
        operandArgs(l, n, 2);
        return l;
    }

    private HlsModel.Layer mean(Node n, QMean op, String id) {
        Shape x = n.input(0).type().shape();
        List<Integer> axes = new ReduceMean(op.axes(), op.keepDims()).reducedAxes(x.rank());
        int first = axes.stream().mapToInt(Integer::intValue).min().orElse(1), last = axes.stream().mapToInt(Integer::intValue).max().orElse(0);
        if (axes.isEmpty() || first == 0 || last - first + 1 != axes.size())
            throw n.error("--target hls reduces one run of adjacent non-batch axes, got axes " + axes);
        int[] dims = sample(n, n.input(0), x.rank() - 1);
        HlsModel.Layer l = new HlsModel.Layer(id, n.name(), "QMean", "mean");
        l.type("in_t", HlsTypes.cType(n, n.input(0).type().dtype())).type("out_t", HlsTypes.cType(n, op.outType()));
        l.num("outer", product(java.util.Arrays.copyOfRange(dims, 0, first - 1)))
                .num("reduce", product(java.util.Arrays.copyOfRange(dims, first - 1, last)))
                .num("inner", product(java.util.Arrays.copyOfRange(dims, last, dims.length)));
        l.num("input_zp", op.inputZp()).num("output_zp", op.outputZp()).raw("nncc::rounding_t", "rounding", rounding(op.rounding()));
        l.num("multiplier", op.multiplier()).num("shift", op.shift());
        operandArgs(l, n, 1);
        l.args.add(l.config + "::multiplier");
        l.args.add(l.config + "::shift");
        return l;
    }

    private HlsModel.Layer avgPool(Node n, QAveragePool op, String id) {
        HlsModel.Layer l = window(n, id, "QAveragePool", "avg_pool2d", op.kernel(), op.strides(), op.pads());
        l.num("act_min", op.actMin()).num("act_max", op.actMax());
        return l;
    }

    private HlsModel.Layer maxPool(Node n, MaxPool op, String id) {
        HlsModel.Layer l = window(n, id, "MaxPool", "max_pool2d", op.kernel(), op.strides(), op.pads());
        l.num("dilation_h", op.dilations().get(0)).num("dilation_w", op.dilations().get(1));
        return l;
    }

    private HlsModel.Layer window(Node n, String id, String opName, String kernel, List<Integer> size, List<Integer> strides, List<Integer> pads) {
        if (size.size() != 2) throw n.error("--target hls pools over 2-D windows only, got kernel " + size);
        int[] x = sample(n, n.input(0), 3), y = sample(n, n.output(), 3);
        HlsModel.Layer l = new HlsModel.Layer(id, n.name(), opName, kernel);
        l.type("in_t", HlsTypes.cType(n, n.input(0).type().dtype())).type("out_t", HlsTypes.cType(n, n.output().type().dtype()));
        l.num("channels", x[0]).num("in_h", x[1]).num("in_w", x[2]).num("out_h", y[1]).num("out_w", y[2]);
        l.num("pool_h", size.get(0)).num("pool_w", size.get(1)).num("stride_h", strides.get(0)).num("stride_w", strides.get(1));
        l.num("pad_top", pads.get(0)).num("pad_left", pads.get(1));
        operandArgs(l, n, 1);
        return l;
    }

    private HlsModel.Layer lut(Node n, QLut op, String id) {
        HlsModel.Layer l = elementwise(n, id, "QLut", "lut", op.outType());
        List<Long> table = constant(n, n.input(1));
        l.num("table_size", table.size());
        l.arrays.add(new HlsModel.Array(HlsTypes.storageType(n, op.outType()), "table_" + id, table));
        l.args.add("table_" + id);
        return l;
    }

    /** The input seen as [outer, n, inner] around the softmax axis (not the batch axis); the IR's three numbers. */
    private HlsModel.Layer softmax(Node n, QSoftmax op, String id) {
        int rank = n.input(0).type().rank();
        int axis = op.axis() < 0 ? op.axis() + rank : op.axis();
        if (axis == 0) throw n.error("--target hls cannot take a softmax along the batch dimension");
        int[] dims = sample(n, n.input(0), rank - 1);
        HlsModel.Layer l = new HlsModel.Layer(id, n.name(), "QSoftmax", "softmax");
        l.type("in_t", HlsTypes.cType(n, n.input(0).type().dtype())).type("out_t", HlsTypes.cType(n, op.outType()));
        l.num("outer", product(java.util.Arrays.copyOfRange(dims, 0, axis - 1))).num("n", dims[axis - 1])
                .num("inner", product(java.util.Arrays.copyOfRange(dims, axis, dims.length)));
        l.num("input_multiplier", op.inputMultiplier()).num("input_left_shift", op.inputLeftShift()).num("diff_min", op.diffMin());
        l.num("out_bits", op.outType().bits());
        operandArgs(l, n, 1);
        return l;
    }

    private HlsModel.Layer requantize(Node n, Requantize op, String id) {
        HlsModel.Layer l = elementwise(n, id, "Requantize", "requantize", op.outType());
        l.num("input_zp", op.inputZp()).num("multiplier", op.multiplier()).num("shift", op.shift()).num("output_zp", op.outputZp());
        l.raw("nncc::rounding_t", "rounding", rounding(op.rounding()));
        return l;
    }

    private HlsModel.Layer elementwise(Node n, String id, String opName, String kernel, DType out) {
        HlsModel.Layer l = new HlsModel.Layer(id, n.name(), opName, kernel);
        l.type("in_t", HlsTypes.cType(n, n.input(0).type().dtype())).type("out_t", HlsTypes.cType(n, out));
        l.num("n", elements(n, n.input(0)));
        operandArgs(l, n, 1);
        return l;
    }

    private HlsModel.Layer pad(Node n, Pad op, String id) {
        if (op.mode() != Pad.Mode.CONSTANT) throw n.error("--target hls pads in constant mode only, got " + op.mode());
        if (!Float.isFinite(op.value())) throw n.error("pad value " + op.value() + " is not finite");
        int rank = n.input(0).type().rank();
        if (rank - 1 > 4) throw n.error("--target hls pads tensors of rank up to 5");
        for (int i = 0; i < 1; i++) if (op.pads().get(i) != 0 || op.pads().get(i + rank) != 0) throw n.error("--target hls cannot pad the batch dimension");
        int[] in = pad4(sample(n, n.input(0), rank - 1)), out = pad4(sample(n, n.output(), rank - 1));
        HlsModel.Layer l = new HlsModel.Layer(id, n.name(), "Pad", "pad_constant");
        l.type("in_t", HlsTypes.cType(n, n.input(0).type().dtype())).type("out_t", HlsTypes.cType(n, n.output().type().dtype()));
        for (int i = 0; i < 4; i++) l.num("in" + i, in[i]).num("out" + i, out[i]);
        for (int i = 0; i < 4; i++) {
            int d = i - (4 - (rank - 1)) + 1; // the IR dim of padded dim i (0 or less: an added leading 1)
            l.num("begin" + i, d >= 1 ? op.pads().get(d) : 0);
        }
        // the reference converts the float pad value with a Java (long) cast: truncation toward zero, as C++'s
        l.raw("long long", "value", "(long long)(" + floatLiteral(op.value()) + ")");
        l.num("n_in", product(in)).num("n_out", product(out));
        operandArgs(l, n, 1);
        return l;
    }

    private HlsModel.Layer copy(Node n, String id) {
        HlsModel.Layer l = new HlsModel.Layer(id, n.name(), n.op().opName(), "copy");
        int size = elements(n, n.input(0));
        if (size != elements(n, n.output())) throw n.error("input and output sizes differ");
        l.type("in_t", HlsTypes.cType(n, n.input(0).type().dtype())).type("out_t", HlsTypes.cType(n, n.output().type().dtype()));
        l.num("n", size);
        operandArgs(l, n, 1);
        return l;
    }

    /** The parts of a Concat: for input {@code k}, a layer copying it into the output at its column offset. */
    private List<HlsModel.Layer> concatParts(Node n, Concat op, int index) {
        int rank = n.output().type().rank();
        int axis = op.axis() < 0 ? op.axis() + rank : op.axis();
        if (axis == 0) throw n.error("--target hls cannot concatenate along the batch dimension");
        int[] out = sample(n, n.output(), rank - 1);
        int outer = product(java.util.Arrays.copyOfRange(out, 0, axis - 1)), innerOut = product(java.util.Arrays.copyOfRange(out, axis - 1, out.length));
        List<HlsModel.Layer> parts = new ArrayList<>();
        int offset = 0;
        for (int k = 0; k < n.inputs().size(); k++) {
            int[] in = sample(n, n.input(k), rank - 1);
            int innerIn = product(java.util.Arrays.copyOfRange(in, axis - 1, in.length));
            HlsModel.Layer l = new HlsModel.Layer("l" + index + "_" + k, n.name(), "Concat", "concat_part");
            l.type("in_t", HlsTypes.cType(n, n.input(k).type().dtype())).type("out_t", HlsTypes.cType(n, n.output().type().dtype()));
            l.num("outer", outer).num("inner_in", innerIn).num("inner_out", innerOut).num("offset", offset);
            l.num("reuse_factor", reuseFactor);
            l.raw("nncc::strategy_t", "strategy", strategy.equals("resource") ? "nncc::RESOURCE" : "nncc::LATENCY");
            l.args.add(operand(l, n, k));
            l.args.add(bufferOf.apply(n.output()));
            offset += innerIn;
            parts.add(l);
        }
        return parts;
    }

    /** Arguments: the first {@code count} inputs (constants become arrays of the layer), then the output buffer. */
    private void operandArgs(HlsModel.Layer l, Node n, int count) {
        for (int k = 0; k < count; k++) l.args.add(operand(l, n, k));
        l.args.add(bufferOf.apply(n.output()));
    }

    private String operand(HlsModel.Layer l, Node n, int k) {
        Value v = n.input(k);
        if (!graph.isConstant(v)) return bufferOf.apply(v);
        String name = "c" + k + "_" + l.id;
        l.arrays.add(new HlsModel.Array(HlsTypes.cType(n, v.type().dtype()), name, constant(n, v)));
        return name;
    }

    private List<Long> constant(Node n, Value v) {
        Tensor t = graph.constantData(v);
        if (t == null) throw n.error("--target hls needs " + v.name() + " to be a constant");
        long[] a = t.toLongs();
        List<Long> r = new ArrayList<>(a.length);
        for (long x : a) r.add(x);
        return r;
    }

    /** A value's dims without the batch dim (which must be symbolic or 1), checked to have {@code rank} dims. */
    private static int[] sample(Node n, Value v, int rank) {
        Shape s = v.type().shape();
        if (s.rank() != rank + 1) throw n.error("--target hls expects " + v.name() + " of rank " + (rank + 1) + ", got " + s);
        if (!s.isSymbolic(0) && s.dim(0) != 1) throw n.error("--target hls runs one sample at a time: batch dim of " + v.name() + " is " + s.dim(0));
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) {
            if (s.isSymbolic(i + 1)) throw n.error("--target hls needs static shapes: " + v.name() + " is " + s);
            d[i] = Math.toIntExact(s.dim(i + 1));
        }
        return d;
    }

    private static int[] full(Value v) { return v.type().shape().toIntArray(); }

    /** The elements of one sample of {@code v}. */
    static int elements(Node n, Value v) { return product(sample(n, v, v.type().rank() - 1)); }

    static int product(int[] d) {
        long p = 1;
        for (int x : d) p *= x;
        return Math.toIntExact(p);
    }

    private static int[] pad4(int[] d) {
        int[] r = {1, 1, 1, 1};
        System.arraycopy(d, 0, r, 4 - d.length, d.length);
        return r;
    }

    /** The accumulator the lowered op states (the IR decides; i64 takes TFLite's Q15 requantization). */
    private static boolean wideAccumulator(Node n) {
        return switch (n.op()) {
            case nncc.ir.op.QConv c -> c.accumulator() == DType.I64;
            case nncc.ir.op.QGemm g -> g.accumulator() == DType.I64;
            default -> false;
        };
    }

    /** int32 roundings by name; the int64 form ({@code single_round_q15}) is selected by {@code wide_accumulator}. */
    private static String rounding(Rounding r) { return r == Rounding.SINGLE_ROUND ? "nncc::SINGLE_ROUND" : "nncc::DOUBLE_ROUND"; }

    private static String floatLiteral(float f) { return Float.toString(f).toLowerCase(Locale.ROOT) + "f"; }
}
