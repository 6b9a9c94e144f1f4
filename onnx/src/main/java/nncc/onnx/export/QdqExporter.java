package nncc.onnx.export;

import static nncc.onnx.export.GraphWriter.attr;
import static nncc.onnx.export.GraphWriter.ints;
import static nncc.onnx.export.NativeOpWriter.convAttrs;

import ai.onnx.proto.OnnxMl.AttributeProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Value;
import nncc.ir.Verifier;
import nncc.ir.op.*;

/**
 * Exports a lowered (integer) nncc graph as a QDQ ONNX model (opset 13) that ONNX Runtime loads and runs: float
 * inputs quantized by QuantizeLinear, every integer op written as DequantizeLinear, the float op it computes and
 * QuantizeLinear with the parameters from the IR, int8 weights and int32 biases behind DequantizeLinear, and
 * float outputs dequantized from the integer results. Only quantized data is stored, so the file is about a
 * quarter of the float model's. A construct with no QDQ form is a {@link ModelException} naming the node.
 */
public final class QdqExporter {
    /** The ONNX opset of the exported models. */
    public static final int OPSET = 13;

    /** How integer activations are written. */
    public enum Activations {
        /** In their IR type: int8 stays int8 (the default). */
        AS_IS,
        /**
         * int8 activations written as uint8 with zero point + 128 (the same real values, the same integers shifted):
         * the form ONNX Runtime's x86 kernels prefer. ORT converts int8 QDQ pairs to uint8 itself, but not where a
         * tensor is read by several ops, and there it then runs the ops in float; with uint8 it fuses them too.
         */
        UINT8
    }

    /** How the exported model's internal tensors and nodes are named; graph inputs and outputs keep theirs. */
    public enum Names {
        /** Short base-36 names (the default): the file holds data, not names; {@link Exported#nameTable} maps back. */
        COMPACT,
        /** Names derived from the IR's value and node names (readable, but a large share of a small model's bytes). */
        IR
    }

    /**
     * An exported model and, for {@link Names#COMPACT}, the tab-separated table from each short name to the
     * IR-derived name it replaced (empty for {@link Names#IR}).
     */
    public record Exported(byte[] model, String nameTable) { }

    private final Graph graph;
    private final GraphWriter out;
    private final ExportValues values;
    private final LoweredOpWriter lowered;
    private final NativeOpWriter natives;
    private final Activations activations;

    private QdqExporter(Graph graph, Activations activations) {
        this.graph = graph;
        this.activations = activations;
        this.out = new GraphWriter(graph.name(), graph.valuesByName().keySet());
        Set<String> boundary = new HashSet<>();
        graph.inputs().forEach(v -> boundary.add(v.name()));
        graph.outputs().forEach(v -> boundary.add(v.name()));
        this.values = new ExportValues(graph, out, boundary, activations == Activations.UINT8);
        this.lowered = new LoweredOpWriter(values, out);
        this.natives = new NativeOpWriter(values, out);
    }

    /** The serialized ONNX ModelProto of {@code lowered}, integer activations in their IR type. */
    public static byte[] export(Graph lowered) { return export(lowered, Activations.AS_IS); }

    /** The serialized ONNX ModelProto of {@code lowered}, with compact internal names. */
    public static byte[] export(Graph lowered, Activations activations) {
        return export(lowered, activations, Names.COMPACT).model();
    }

    /** The serialized ONNX ModelProto of {@code lowered} and its name table. */
    public static Exported export(Graph lowered, Activations activations, Names names) {
        Verifier.verify(lowered);
        ai.onnx.proto.OnnxMl.ModelProto model = new QdqExporter(lowered, activations).build();
        if (names == Names.IR) return new Exported(model.toByteArray(), "");
        CompactNames.Result r = CompactNames.apply(model);
        return new Exported(r.model().toByteArray(), r.table());
    }

    /** Exports to {@code file} atomically: written to a temporary file beside it, then renamed over it. */
    public static void write(Graph lowered, Path file) { write(lowered, file, Activations.AS_IS); }

    /** Exports to {@code file} atomically: written to a temporary file beside it, then renamed over it. */
    public static void write(Graph lowered, Path file, Activations activations) {
        byte[] bytes = export(lowered, activations);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ModelException(file.toString(), null, "cannot write: " + e.getMessage(), e);
        } finally {
            if (tmp != null) try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort */ }
        }
    }

    private ai.onnx.proto.OnnxMl.ModelProto build() {
        for (Value v : graph.inputs()) writeInput(v);
        for (Node n : graph.nodes()) {
            try {
                requireStorageOfArithmetic(n);
                if (nncc.ir.op.Layout.of(n.op()) != nncc.ir.op.Layout.NCHW) throw nncc.ir.op.Layout.refusal(n.name(), nncc.ir.op.Layout.of(n.op()), "onnx");
                writeNode(n);
            } catch (ModelException e) {
                if (e.node() != null) throw e;
                throw new ModelException(null, n.name(), n.op().opName() + ": " + e.getRawMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new ModelException(null, n.name(), n.op().opName() + ": " + e.getMessage(), e);
            }
        }
        Set<String> written = new HashSet<>();
        for (Value v : graph.outputs()) if (written.add(v.name())) writeOutput(v);
        return out.model(OPSET, "QDQ export of the nncc graph '" + graph.name() + "'");
    }

    /** A quantized integer input becomes a float input and its QuantizeLinear; any other input stays as it is. */
    private void writeInput(Value v) {
        if (!ExportValues.isQuantizedInt(v)) {
            out.input(v.name(), v.type().dtype(), v.type().shape());
            values.alias(v, v.name());
            return;
        }
        try {
            out.input(v.name(), DType.F32, v.type().shape());
            values.quantize(v.name(), v);
        } catch (ModelException e) {
            throw new ModelException("graph input %" + v.name() + ": " + e.getRawMessage());
        }
    }

    /** A quantized integer output is dequantized into a float output of the same name. */
    private void writeOutput(Value v) {
        if (graph.inputs().stream().anyMatch(i -> i.name().equals(v.name()))) { // the input itself, as it was written
            out.output(v.name(), ExportValues.isQuantizedInt(v) ? DType.F32 : v.type().dtype(), v.type().shape());
            return;
        }
        if (!ExportValues.isQuantizedInt(v)) {
            if (!values.tensor(v).equals(v.name())) // an Identity's output, which shares its input's tensor
                out.node("Identity", v.name() + "_Identity", List.of(values.tensor(v)), List.of(v.name()));
            out.output(v.name(), v.type().dtype(), v.type().shape());
            return;
        }
        try {
            ExportValues.Params p = values.params(v);
            out.node("DequantizeLinear", v.name(), p.inputsFor(values.tensor(v)), List.of(v.name()),
                    p.axis() >= 0 ? attr("axis", p.axis()) : null);
            out.output(v.name(), DType.F32, v.type().shape());
        } catch (ModelException e) {
            throw new ModelException("graph output %" + v.name() + ": " + e.getRawMessage());
        }
    }

    /** One IR node; the switch is exhaustive over the sealed op type, so a new op must say how it exports. */
    private void writeNode(Node n) {
        switch (n.op()) {
            case Conv op -> natives.floatOp(n, "Conv", op.activation(), convAttrs(op.strides(), op.pads(), op.dilations(), op.group()));
            case ConvTranspose op -> natives.floatOp(n, "ConvTranspose", op.activation(), with(
                    convAttrs(op.strides(), op.pads(), op.dilations(), op.group()), ints("output_padding", op.outputPadding())));
            case Gemm op -> natives.floatOp(n, "Gemm", op.activation(), attr("alpha", op.alpha()), attr("beta", op.beta()),
                    attr("transA", op.transA() ? 1 : 0), attr("transB", op.transB() ? 1 : 0));
            case MatMul op -> natives.floatOp(n, "MatMul");
            case Add op -> natives.floatOp(n, "Add", op.activation());
            case Sub op -> natives.floatOp(n, "Sub", op.activation());
            case Mul op -> natives.floatOp(n, "Mul", op.activation());
            case Div op -> natives.floatOp(n, "Div");
            case Relu op -> natives.floatOp(n, "Relu");
            case LeakyRelu op -> natives.floatOp(n, "LeakyRelu", attr("alpha", op.alpha()));
            case PRelu op -> natives.floatOp(n, "PRelu");
            case Clip op -> natives.clip(n, op);
            case Sigmoid op -> natives.floatOp(n, "Sigmoid");
            case Tanh op -> natives.floatOp(n, "Tanh");
            case HardSigmoid op -> natives.floatOp(n, "HardSigmoid", attr("alpha", op.alpha()), attr("beta", op.beta()));
            case HardSwish op -> natives.hardSwish(n);
            case Softmax op -> natives.floatOp(n, "Softmax", attr("axis", op.axis()));
            case MaxPool op -> natives.maxPool(n, ints("kernel_shape", op.kernel()), ints("strides", op.strides()),
                    ints("pads", op.pads()), ints("dilations", op.dilations()), attr("ceil_mode", op.ceilMode() ? 1 : 0),
                    attr("storage_order", op.storageOrder()));
            case AveragePool op -> natives.floatOp(n, "AveragePool", ints("kernel_shape", op.kernel()),
                    ints("strides", op.strides()), ints("pads", op.pads()), attr("ceil_mode", op.ceilMode() ? 1 : 0),
                    attr("count_include_pad", op.countIncludePad() ? 1 : 0));
            case GlobalAveragePool op -> natives.floatOp(n, "GlobalAveragePool");
            case BatchNormalization op -> natives.floatOp(n, "BatchNormalization", attr("epsilon", op.epsilon()));
            case Reshape op -> natives.reshape(n, op);
            case Flatten op -> natives.shapeOp(n, "Flatten", attr("axis", op.axis()));
            case Transpose op -> natives.shapeOp(n, "Transpose", ints("perm", op.perm()));
            case Slice op -> natives.slice(n, op);
            case Pow op -> natives.floatOp(n, "Pow");
            case Sqrt op -> natives.floatOp(n, "Sqrt");
            case Erf op -> natives.floatOp(n, "Erf");
            case Gelu op -> FloatDecompositions.gelu(out, values, n, op);
            case LayerNormalization op -> FloatDecompositions.layerNormalization(out, values, n, op);
            case Concat op -> natives.concat(n, op);
            case Squeeze op -> natives.axesOp(n, "Squeeze", op.axes());
            case Unsqueeze op -> natives.axesOp(n, "Unsqueeze", op.axes());
            case Pad op -> natives.pad(n, op);
            case Gather op -> natives.passThrough(n, "Gather", attr("axis", op.axis()));
            case ReduceMean op -> natives.floatOp(n, "ReduceMean", op.axes().isEmpty() ? null : ints("axes", op.axes()),
                    attr("keepdims", op.keepDims() ? 1 : 0));
            case Identity op -> natives.identity(n);
            case Dropout op -> natives.identity(n);
            case QuantizeLinear op -> quantizeLinear(n, op);
            case DequantizeLinear op -> natives.passThrough(n, "DequantizeLinear", attr("axis", op.axis()));
            case QLinearConv op -> natives.passThrough(n, "QLinearConv", convAttrs(op.strides(), op.pads(), op.dilations(), op.group()));
            case QLinearMatMul op -> natives.passThrough(n, "QLinearMatMul");
            case ConvInteger op -> natives.passThrough(n, "ConvInteger", convAttrs(op.strides(), op.pads(), op.dilations(), op.group()));
            case MatMulInteger op -> natives.passThrough(n, "MatMulInteger");
            case Cast op -> natives.cast(n, op);
            case Quantize op -> lowered.quantize(n);
            case Dequantize op -> lowered.dequantize(n, op);
            case Requantize op -> lowered.requantize(n, op);
            case QConv op -> lowered.conv(n, op);
            case QGemm op -> lowered.gemm(n, op);
            case QAdd op -> lowered.add(n, op);
            case QMul op -> lowered.mul(n, op);
            case QMean op -> lowered.mean(n, op);
            case QAveragePool op -> lowered.averagePool(n, op);
            case QLut op -> lowered.lut(n, op);
            case QSoftmax op -> lowered.softmax(n, op);
            case nncc.ir.op.QConvTranspose op -> throw n.error("a lowered transposed convolution has no QDQ export yet");
            case DynamicQuantConv op -> throw hybrid();
            case DynamicQuantGemm op -> throw hybrid();
            case FakeQuant op -> throw new ModelException("FakeQuant (a quantization-aware training graph) has no QDQ export of its own: lower it first (nncc compile lowers it)");
        }
    }

    /**
     * An op in ONNX Runtime's float arithmetic whose result depends on how ORT stores int8 (QLinearAdd, QLinearMul and
     * QLinearAveragePool add zero points in float) was computed for one storage; the export must write that one.
     */
    private void requireStorageOfArithmetic(Node n) {
        int offset = switch (n.op()) {
            case QAdd q -> q.rounding() == nncc.ir.Rounding.ONNX_FLOAT32 ? q.onnxOffset() : -1;
            case QMul q -> q.rounding() == nncc.ir.Rounding.ONNX_FLOAT32 ? q.onnxOffset() : -1;
            case QAveragePool q -> q.onnxScales().isEmpty() ? -1 : q.onnxOffset();
            default -> -1;
        };
        if (offset < 0 || n.output().type().dtype() != DType.I8) return;
        int written = activations == Activations.UINT8 ? 128 : 0;
        if (offset != written)
            throw new ModelException(null, n.name(), n.op().opName() + ": computed for ONNX Runtime's " + (offset == 128 ? "uint8" : "int8")
                    + " storage of int8 activations (onnxOffset " + offset + "), but the export writes them as "
                    + (written == 128 ? "uint8" : "int8") + "; export with the matching activations or quantize again");
    }

    /** QuantizeLinear with its zero point made explicit: without one, ONNX would quantize to uint8. */
    private void quantizeLinear(Node n, QuantizeLinear op) {
        if (n.inputs().size() > 2 || op.outType() == DType.U8) {
            natives.passThrough(n, "QuantizeLinear", attr("axis", op.axis()));
            return;
        }
        nncc.ir.Shape s = n.input(1).type().shape();
        long[] zeros = new long[Math.toIntExact(s.numElements())];
        String zp = out.constant(n.output().name() + "_zero_point", nncc.ir.Tensor.ofLongs(op.outType(), s, zeros));
        out.node("QuantizeLinear", n.name(), List.of(values.tensor(n.input(0)), values.tensor(n.input(1)), zp),
                List.of(values.define(n.output())), attr("axis", op.axis()));
    }

    private static ModelException hybrid() {
        return new ModelException("hybrid (dynamic) quantization has no QDQ form: it quantizes activations on the fly "
                + "per inference; export a statically quantized (int8) model");
    }

    private static AttributeProto[] with(AttributeProto[] a, AttributeProto... more) {
        return Stream.concat(Arrays.stream(a), Arrays.stream(more)).toArray(AttributeProto[]::new);
    }
}
