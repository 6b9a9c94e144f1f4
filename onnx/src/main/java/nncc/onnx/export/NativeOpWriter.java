package nncc.onnx.export;

import static nncc.onnx.export.GraphWriter.attr;
import static nncc.onnx.export.GraphWriter.ints;

import ai.onnx.proto.OnnxMl.AttributeProto;
import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.QuantParams;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.Cast;
import nncc.ir.op.Clip;
import nncc.ir.op.Concat;
import nncc.ir.op.Pad;
import nncc.ir.op.Reshape;
import nncc.onnx.OnnxTensors;

/**
 * Writes the IR ops that mirror an ONNX op one to one: float ops left in float between Dequantize and Quantize
 * (their fused activation becomes a Relu or Clip node), shape ops on integers (between DequantizeLinear and
 * QuantizeLinear with the output's parameters, which ONNX Runtime turns back into its int8 kernels), Identity as
 * no node at all, and ONNX's own quantization ops, passed through.
 */
final class NativeOpWriter {
    private final ExportValues values;
    private final GraphWriter out;

    NativeOpWriter(ExportValues values, GraphWriter out) {
        this.values = values;
        this.out = out;
    }

    /** A float op: every input float (or a plain integer, e.g. indices), then the fused activation. */
    void floatOp(Node n, String opType, Activation activation, AttributeProto... attrs) {
        List<String> in = new ArrayList<>();
        for (Value v : n.inputs()) {
            if (ExportValues.isQuantizedInt(v))
                throw new ModelException(opType + " is a float op but reads the quantized integer value %" + v.name()
                        + " " + v.type() + "; lower it to an integer op or dequantize its input");
            in.add(values.tensor(v));
        }
        Value y = n.output();
        if (activation == Activation.NONE) {
            out.node(opType, n.name(), in, outputs(n), attrs);
            return;
        }
        if (n.outputs().size() != 1) throw new ModelException("a fused activation needs a single-output op");
        String pre = out.node1(opType, n.name(), y.name() + "_preact", in, attrs);
        String name = values.define(y);
        switch (activation) {
            case RELU -> out.node("Relu", n.name() + "_relu", List.of(pre), List.of(name));
            case RELU6, RELU_N1_TO_1 -> LoweredOpWriter.clip(out, n.name() + "_clip", pre, activation.min(),
                    activation.max(), name);
            case NONE -> throw new AssertionError();
        }
    }

    void floatOp(Node n, String opType, AttributeProto... attrs) { floatOp(n, opType, Activation.NONE, attrs); }

    void clip(Node n, Clip op) {
        LoweredOpWriter.clip(out, n.name(), floatInput(n), op.min(), op.max(), values.define(n.output()));
    }

    void hardSwish(Node n) { LoweredOpWriter.hardSwish(out, n.name(), floatInput(n), values.define(n.output())); }

    private String floatInput(Node n) {
        Value v = n.input(0);
        if (!v.type().dtype().isFloat())
            throw new ModelException(n.op().opName() + " is a float op but reads %" + v.name() + " " + v.type());
        return values.tensor(v);
    }

    void cast(Node n, Cast op) { floatOp(n, "Cast", attr("to", OnnxTensors.elementType(op.to()))); }

    /**
     * A shape op (extra inputs such as shape, axes or pads after the data). On quantized integers it is written
     * as ONNX Runtime's quantizer writes it, DequantizeLinear, the op in float, QuantizeLinear, all with the
     * output's parameters: exactly the integer op (the values only move), and a form ORT turns back into the
     * int8 op while still fusing the neighbouring QDQ groups, which a bare int8 op between them would prevent.
     * Other integers (without parameters) run directly.
     */
    void shapeOp(Node n, String opType, List<String> extraInputs, AttributeProto... attrs) {
        List<String> in = new ArrayList<>();
        if (inQdqForm(n)) {
            Value y = n.output();
            for (Value v : n.inputs()) in.add(values.dequantizedAs(v, y));
            in.addAll(extraInputs);
            values.quantize(out.node1(opType, n.name(), y.name() + "_float", in, attrs), y);
            return;
        }
        for (Value v : n.inputs()) in.add(values.tensor(v));
        in.addAll(extraInputs);
        out.node(opType, n.name(), in, outputs(n), attrs);
    }

    void shapeOp(Node n, String opType, AttributeProto... attrs) { shapeOp(n, opType, List.of(), attrs); }

    /** Integer inputs and a single integer output with per-tensor parameters. */
    private static boolean inQdqForm(Node n) {
        Value y = n.output();
        return n.outputs().size() == 1 && ExportValues.isQuantizedInt(y) && !y.type().quant().isPerAxis()
                && n.inputs().stream().allMatch(v -> v.type().dtype().isInteger());
    }

    void reshape(Node n, Reshape op) {
        if (op.allowZero() && op.shape().contains(0L))
            throw new ModelException("Reshape with allowzero (target " + op.shape() + ") needs opset 14; the export writes opset 13");
        shapeOp(n, "Reshape", List.of(out.int64s(n.output().name() + "_shape", op.shape())));
    }

    /** Slice with its constant starts, ends, axes and steps as int64 inputs (opset 10 and later). */
    void slice(Node n, nncc.ir.op.Slice op) {
        String base = n.output().name();
        shapeOp(n, "Slice", List.of(out.int64s(base + "_starts", op.starts()), out.int64s(base + "_ends", op.ends()),
                out.int64s(base + "_axes", op.axes()), out.int64s(base + "_steps", op.steps())));
    }

    void axesOp(Node n, String opType, List<Integer> axes) {
        shapeOp(n, opType, axes.isEmpty() ? List.of() : List.of(out.int64s(n.output().name() + "_axes", axes)));
    }

    /**
     * Pad: pads and the fill value as inputs. nncc fills an integer tensor with the integer {@code (long) value};
     * in the QDQ form that is the float it stands for, {@code (fill - zp) * scale}, which quantizes back exactly.
     */
    void pad(Node n, Pad op) {
        Value y = n.output();
        DType t = n.input(0).type().dtype();
        Tensor fill;
        if (t.isFloat()) fill = Tensor.ofFloats(t, Shape.SCALAR, op.value());
        else if (inQdqForm(n)) {
            QuantParams q = y.type().quant();
            fill = Tensor.scalar((float) (((long) op.value() - q.zeroPoint(0)) * (double) q.scale(0)));
        } else fill = Tensor.ofLongs(t, Shape.SCALAR, (long) op.value());
        String base = y.name();
        shapeOp(n, "Pad", List.of(out.int64s(base + "_pads", op.pads()), out.constant(base + "_fill", fill)),
                attr("mode", op.mode().name().toLowerCase(java.util.Locale.ROOT)));
    }

    /** Identity (and inference Dropout): no node, the output is the input's tensor. */
    void identity(Node n) {
        if (n.outputs().size() > 1) {
            if (!n.input(0).type().dtype().isFloat())
                throw new ModelException("Dropout with a mask output on integer %" + n.input(0).name() + " has no ONNX form");
            floatOp(n, "Dropout");
            return;
        }
        values.alias(n.output(), values.tensor(n.input(0)));
    }

    void maxPool(Node n, AttributeProto... attrs) {
        if (n.outputs().size() > 1 && !n.input(0).type().dtype().isFloat())
            throw new ModelException("MaxPool indices of integer %" + n.input(0).name() + " have no ONNX Runtime kernel");
        shapeOp(n, "MaxPool", attrs);
    }

    /**
     * Concat, like nncc's kernel, joins the integers as they are, so in the QDQ form every input is dequantized
     * with the output's parameters (the lowering equalizes them first, or inserts Requantize).
     */
    void concat(Node n, Concat op) { shapeOp(n, "Concat", attr("axis", op.axis())); }

    /** An ONNX quantization op (QuantizeLinear, QLinearConv...) on its inputs' own tensors. */
    void passThrough(Node n, String opType, AttributeProto... attrs) {
        out.node(opType, n.name(), n.inputs().stream().map(values::tensor).toList(), outputs(n), attrs);
    }

    static AttributeProto[] convAttrs(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group) {
        return new AttributeProto[] {ints("strides", strides), ints("pads", pads), ints("dilations", dilations),
                attr("group", group)};
    }

    private List<String> outputs(Node n) { return n.outputs().stream().map(values::define).toList(); }
}
