package nncc.onnx.export;

import static nncc.onnx.export.GraphWriter.attr;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;

/**
 * Where each IR value lives in the ONNX graph being written. Every value has a tensor in its own element type
 * (an integer activation's int8 tensor is the output of a QuantizeLinear, or of a shape op run on int8); a
 * quantized integer value also gets, on first use by a float op, the float tensor of its DequantizeLinear.
 * Constants become initializers when first used, so unused ones (lookup tables) stay out of the file.
 */
final class ExportValues {
    /**
     * The scale and zero-point initializers of one quantized tensor ({@code zeroPoint} empty when left out: the
     * all-zero zero points of a bias, which only a DequantizeLinear reads), and the axis for per-axis parameters.
     */
    record Params(String scale, String zeroPoint, int axis) {
        /** The inputs of a QuantizeLinear or DequantizeLinear of {@code x} with these parameters. */
        List<String> inputsFor(String x) { return zeroPoint.isEmpty() ? List.of(x, scale) : List.of(x, scale, zeroPoint); }
    }

    private final Graph graph;
    private final GraphWriter out;
    private final Set<String> floatBoundary;
    private final boolean int8AsUint8;
    private final Map<String, String> tensors = new HashMap<>();
    private final Map<String, Params> params = new HashMap<>();

    /**
     * {@code floatBoundary}: graph input and output names that the float model's own inputs and outputs take;
     * {@code int8AsUint8}: write int8 activations as uint8 with the zero point moved up by 128.
     */
    ExportValues(Graph graph, GraphWriter out, Set<String> floatBoundary, boolean int8AsUint8) {
        this.graph = graph;
        this.out = out;
        this.floatBoundary = floatBoundary;
        this.int8AsUint8 = int8AsUint8;
    }

    /**
     * The element type of {@code v}'s tensor in the ONNX graph: its IR type, except that int8 activations become
     * uint8 (the same real values, {@code q + 128} with zero point {@code zp + 128}) when so chosen. Constants
     * keep their stored type.
     */
    DType onnxType(Value v) {
        DType t = v.type().dtype();
        return int8AsUint8 && t == DType.I8 && isQuantizedInt(v) && !graph.isConstant(v) ? DType.U8 : t;
    }

    static boolean isQuantizedInt(Value v) { return v.type().dtype().isInteger() && v.type().quant() != null; }

    /** The tensor holding {@code v} in its own element type; a constant is written as an initializer on first use. */
    String tensor(Value v) {
        String t = tensors.get(v.name());
        if (t != null) return t;
        Tensor data = graph.constantData(v);
        if (data == null) throw new ModelException("value %" + v.name() + " is used before it is defined");
        out.initializer(v.name(), data);
        tensors.put(v.name(), v.name());
        return v.name();
    }

    /**
     * Names the tensor that will hold {@code v} in its own type and records it: the value's own name, except for
     * a quantized integer graph input or output, whose name belongs to the float model's input or output.
     */
    String define(Value v) {
        String name = isQuantizedInt(v) && floatBoundary.contains(v.name()) ? out.fresh(v.name() + "_quantized") : v.name();
        tensors.put(v.name(), name);
        return name;
    }

    /** Records that an existing tensor holds {@code v}. */
    void alias(Value v, String tensor) { tensors.put(v.name(), tensor); }

    /**
     * The float tensor a float op reads for {@code v}: the value itself when float, else a new DequantizeLinear
     * of it. Each reader gets its own DequantizeLinear: ONNX Runtime fuses a DQ-op-Q group into its integer
     * kernels only when no other op shares the group's DequantizeLinear.
     */
    String dequantized(Value v) {
        if (v.type().dtype().isFloat()) return tensor(v);
        if (v.type().quant() == null)
            throw new ModelException("integer value %" + v.name() + " " + v.type()
                    + " has no quantization parameters, so no float op can read it");
        return dequantize(tensor(v), params(v), v.name() + "_dequantized");
    }

    /** {@code v}'s integers dequantized with the parameters of {@code paramsOf} (for ops that only move integers). */
    String dequantizedAs(Value v, Value paramsOf) {
        Params p = onnxType(v) == onnxType(paramsOf) ? params(paramsOf)
                : params(v.name(), paramsOf.type().quant(), v.type().dtype(), onnxType(v), false);
        return dequantize(tensor(v), p, v.name() + "_dequantized");
    }

    /** A DequantizeLinear of {@code q} with {@code p}; returns the float output, named from {@code outputBase}. */
    String dequantize(String q, Params p, String outputBase) {
        return out.node1("DequantizeLinear", outputBase, outputBase, p.inputsFor(q),
                p.axis() >= 0 ? attr("axis", p.axis()) : null);
    }

    /** Quantizes the float tensor {@code x} into {@code v}'s tensor with {@code v}'s (per-tensor) parameters. */
    void quantize(String x, Value v) {
        Params p = params(v);
        if (p.axis() >= 0) throw new ModelException("value %" + v.name() + " " + v.type()
                + " has per-axis parameters; activations are quantized per tensor");
        String name = define(v);
        out.node("QuantizeLinear", name, p.inputsFor(x), List.of(name));
    }

    /** The scale and zero-point initializers of {@code v}'s quantization parameters (written once per value). */
    Params params(Value v) {
        Params p = params.get(v.name());
        if (p != null) return p;
        QuantParams q = v.type().quant();
        if (q == null) throw new ModelException("integer value %" + v.name() + " " + v.type() + " has no quantization parameters");
        p = params(v.name(), q, v.type().dtype(), onnxType(v), graph.isConstant(v));
        params.put(v.name(), p);
        return p;
    }

    /**
     * New initializers for parameters {@code q} of a tensor of IR type {@code irType}, written as {@code onnxType}
     * (uint8 for int8 moves the zero points up by 128), named from {@code base}. The all-zero int32 zero points of
     * a {@code constant} bias are left out (a DequantizeLinear defaults them), which keeps per-channel files
     * small; weights keep theirs (as ONNX Runtime's QGemm wants a zero point per scale) unless
     * {@code dropZeroInt8} (conv weights, see {@link #dequantizedConvWeight}).
     */
    Params params(String base, QuantParams q, DType irType, DType onnxType, boolean constant) {
        return params(base, q, irType, onnxType, constant, false);
    }

    /**
     * Conv weights as a float tensor: as {@link #dequantized}, but their all-zero int8 zero points are left out too
     * (DequantizeLinear defaults them; ONNX Runtime's QLinearConv takes that, its QGemm does not).
     */
    String dequantizedConvWeight(Value w) {
        if (!params.containsKey(w.name()) && graph.isConstant(w) && isQuantizedInt(w))
            params.put(w.name(), params(w.name(), w.type().quant(), w.type().dtype(), onnxType(w), true, true));
        return dequantized(w);
    }

    private Params params(String base, QuantParams q, DType irType, DType onnxType, boolean constant, boolean dropZeroInt8) {
        requireQdqType(base, onnxType);
        long shift = irType == DType.I8 && onnxType == DType.U8 ? 128 : 0;
        long[] zps = q.zeroPoints();
        boolean allZero = true;
        for (int i = 0; i < zps.length; i++) {
            zps[i] += shift;
            allZero &= zps[i] == 0;
        }
        Shape shape = q.isPerAxis() ? Shape.of(q.count()) : Shape.SCALAR;
        String scale = out.constant(base + "_scale", Tensor.ofFloats(shape, q.scales()));
        boolean leaveOut = constant && allZero && (onnxType == DType.I32 || dropZeroInt8 && onnxType == DType.I8);
        String zp = leaveOut ? "" : out.constant(base + "_zero_point", Tensor.ofLongs(onnxType, shape, zps));
        return new Params(scale, zp, q.axis());
    }

    private static void requireQdqType(String what, DType dtype) {
        switch (dtype) {
            case I8, U8, I32 -> { }
            case I16 -> throw new ModelException("%" + what + " is i16: int16 QuantizeLinear/DequantizeLinear need ONNX "
                    + "opset 21; the QDQ export writes opset 13 models with int8 or uint8 activations");
            default -> throw new ModelException("%" + what + " is " + dtype.text()
                    + "; ONNX QuantizeLinear/DequantizeLinear (opset 13) take int8, uint8 and int32 tensors");
        }
    }

    /**
     * The float tensor of an int32 bias: DequantizeLinear with zero point 0 and, per output channel c, scale
     * {@code sX * sW[c]} (the bias's own parameters when it carries other ones).
     */
    String dequantizedBias(Value bias, Value x, Value w) {
        if (bias.type().dtype() != DType.I32)
            throw new ModelException("bias %" + bias.name() + " " + bias.type() + " must be i32 for the QDQ export");
        QuantParams qx = requirePerTensor(x), qw = w.type().quant(), own = bias.type().quant();
        if (qw == null) throw new ModelException("weight %" + w.name() + " " + w.type() + " has no quantization parameters");
        if (own != null && !(qw.isPerAxis() && isProductOf(own, qx, qw))) return dequantized(bias);
        if (qw.isPerAxis()) {
            // per channel, the scales sX * sW[c] are computed in the graph from the two scale tensors it already holds
            // (float32 products, as the IR computes them; ONNX Runtime folds the Mul when it loads the model), so
            // the file does not store a second array of per-channel floats
            String scale = out.node1("Mul", bias.name() + "_scale", bias.name() + "_scale",
                    List.of(params(x).scale(), params(w).scale()));
            return dequantize(tensor(bias), new Params(scale, "", 0), bias.name() + "_dequantized");
        }
        QuantParams qb = QuantParams.perTensor(qx.scale(0) * qw.scale(0), 0);
        Params p = params(bias.name(), qb, DType.I32, DType.I32, true);
        return dequantize(tensor(bias), p, bias.name() + "_dequantized");
    }

    /** Whether {@code b} is per-axis with zero points 0 and scales exactly {@code sX * sW[c]} (float32 products). */
    private static boolean isProductOf(QuantParams b, QuantParams qx, QuantParams qw) {
        if (!b.isPerAxis() || b.count() != qw.count()) return false;
        for (int c = 0; c < b.count(); c++)
            if (b.zeroPoint(c) != 0 || Float.floatToIntBits(b.scale(c)) != Float.floatToIntBits(qx.scale(0) * qw.scale(c)))
                return false;
        return true;
    }

    /** The per-tensor parameters of an activation; an error naming the value when it has none or per-axis ones. */
    static QuantParams requirePerTensor(Value v) {
        QuantParams q = v.type().quant();
        if (q == null || q.isPerAxis())
            throw new ModelException("activation %" + v.name() + " " + v.type() + " needs per-tensor quantization parameters");
        return q;
    }

    /** Checks that the zero point an op subtracts from {@code v} is the one {@code v} carries. */
    static void requireZeroPoint(Value v, long zp) {
        QuantParams q = requirePerTensor(v);
        if (q.zeroPoint(0) != zp)
            throw new ModelException("input %" + v.name() + " has zero point " + q.zeroPoint(0)
                    + " but the op subtracts " + zp);
    }

    /** Weight parameters as a DequantizeLinear can take them: per tensor, or per axis along dim 0. */
    static void requireWeightParams(Value w) {
        QuantParams q = w.type().quant();
        if (q == null) throw new ModelException("weight %" + w.name() + " " + w.type() + " has no quantization parameters");
        if (q.isPerAxis() && q.axis() != 0)
            throw new ModelException("weight %" + w.name() + " is quantized along axis " + q.axis()
                    + "; per-channel weights must be quantized along the output channels (axis 0)");
        if (q.isPerAxis() && q.count() != w.type().shape().dim(0))
            throw new ModelException("weight %" + w.name() + " " + w.type() + " has " + q.count() + " scales for "
                    + w.type().shape().dim(0) + " output channels");
    }
}
