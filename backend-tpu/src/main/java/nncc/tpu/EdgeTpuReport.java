package nncc.tpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorType;

/**
 * Edge TPU compatibility of a .tflite file, op by op, in the spirit of {@code edgetpu_compiler}'s log. The rules
 * are Coral's published model requirements ("TensorFlow models on the Edge TPU", coral.ai/docs/edgetpu/models-intro,
 * sections "Model requirements" and "Supported operations"): every tensor 8-bit quantized (int8/uint8; int32
 * biases), constant sizes, constant parameters, at most 3 dims larger than 1 (the innermost), per-tensor
 * FULLY_CONNECTED weights (TFLite's converter writes them so for the Edge TPU), and an op from the supported list. As the compiler does, the first op that does not map and everything after it run on the CPU.
 * Parameter memory is compared with the Edge TPU's 8 MiB of on-chip SRAM.
 */
public final class EdgeTpuReport {
    /** On-chip parameter memory of the Edge TPU (Coral: "roughly 8 MB of SRAM"). */
    public static final long SRAM_BYTES = 8L << 20;

    /** Builtin ops Coral lists as supported by the Edge TPU. */
    private static final Set<Integer> SUPPORTED = Set.of(BuiltinOperator.ADD, BuiltinOperator.AVERAGE_POOL_2D,
            BuiltinOperator.CONCATENATION, BuiltinOperator.CONV_2D, BuiltinOperator.DEPTHWISE_CONV_2D,
            BuiltinOperator.EXPAND_DIMS, BuiltinOperator.FULLY_CONNECTED, BuiltinOperator.L2_NORMALIZATION,
            BuiltinOperator.LOGISTIC, BuiltinOperator.LSTM, BuiltinOperator.MAXIMUM, BuiltinOperator.MAX_POOL_2D,
            BuiltinOperator.MEAN, BuiltinOperator.MINIMUM, BuiltinOperator.MUL, BuiltinOperator.PACK, BuiltinOperator.PAD,
            BuiltinOperator.PRELU, BuiltinOperator.QUANTIZE, BuiltinOperator.REDUCE_MAX, BuiltinOperator.REDUCE_MIN,
            BuiltinOperator.RELU, BuiltinOperator.RELU6, BuiltinOperator.RELU_N1_TO_1, BuiltinOperator.RESHAPE,
            BuiltinOperator.RESIZE_BILINEAR, BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, BuiltinOperator.RSQRT,
            BuiltinOperator.SLICE, BuiltinOperator.SOFTMAX, BuiltinOperator.SPACE_TO_DEPTH, BuiltinOperator.SPLIT,
            BuiltinOperator.SQUEEZE, BuiltinOperator.STRIDED_SLICE, BuiltinOperator.SUB, BuiltinOperator.SUM,
            BuiltinOperator.SQUARED_DIFFERENCE, BuiltinOperator.TANH, BuiltinOperator.TRANSPOSE,
            BuiltinOperator.TRANSPOSE_CONV);

    /** One op's verdict: {@code reason} is null when it maps to the Edge TPU. */
    public record OpVerdict(int index, String op, boolean mapped, String reason) {}

    public record Result(List<OpVerdict> ops, int partitionAt, long parameterBytes) {
        public long tpuOps() { return ops.stream().filter(OpVerdict::mapped).count(); }

        public long cpuOps() { return ops.size() - tpuOps(); }
    }

    private EdgeTpuReport() {}

    public static Result analyze(byte[] tflite) {
        Model m = Model.getRootAsModel(ByteBuffer.wrap(tflite).order(ByteOrder.LITTLE_ENDIAN));
        SubGraph g = m.subgraphs(0);
        List<OpVerdict> verdicts = new ArrayList<>();
        int partition = -1;
        for (int i = 0; i < g.operatorsLength(); i++) {
            Operator op = g.operators(i);
            var oc = m.operatorCodes((int) op.opcodeIndex());
            int code = Math.max(oc.builtinCode(), oc.deprecatedBuiltinCode());
            String name = BuiltinOperator.name(code);
            String why = partition >= 0 ? "after the partition point (op " + partition + "): runs on the CPU" : problem(m, g, op, code);
            if (why != null && partition < 0) partition = i;
            verdicts.add(new OpVerdict(i, name, why == null, why));
        }
        long params = 0;
        java.util.Set<Long> counted = new java.util.HashSet<>(); // deduplicated buffers are stored once
        for (int t = 0; t < g.tensorsLength(); t++)
            if (counted.add(g.tensors(t).buffer())) params += m.buffers((int) g.tensors(t).buffer()).dataLength();
        return new Result(verdicts, partition, params);
    }

    private static String problem(Model m, SubGraph g, Operator op, int code) {
        if (!SUPPORTED.contains(code)) return "unsupported op";
        List<Integer> tensors = new ArrayList<>();
        for (int k = 0; k < op.inputsLength(); k++) if (op.inputs(k) >= 0) tensors.add(op.inputs(k));
        for (int k = 0; k < op.outputsLength(); k++) tensors.add(op.outputs(k));
        for (int idx : tensors) {
            Tensor t = g.tensors(idx);
            boolean constant = m.buffers((int) t.buffer()).dataLength() > 0;
            byte type = t.type();
            boolean eightBit = type == TensorType.INT8 || type == TensorType.UINT8;
            boolean indexLike = constant && type == TensorType.INT32; // biases, shapes, axes, paddings
            if (!eightBit && !indexLike) return "tensor '" + t.name() + "' has unsupported type " + TensorType.name(type);
            if (eightBit && (t.quantization() == null || t.quantization().scaleLength() == 0))
                return "tensor '" + t.name() + "' is not quantized";
            for (int d = 0; d < t.shapeSignatureLength(); d++)
                if (t.shapeSignature(d) < 0) return "tensor '" + t.name() + "' has a dynamic shape";
            int big = 0;
            for (int d = 0; d < t.shapeLength(); d++) if (t.shape(d) > 1) big++;
            boolean outerBig = false;
            for (int d = 0; d < t.shapeLength() - 3; d++) if (t.shape(d) > 1) outerBig = true;
            if (!constant && t.shapeLength() > 3 && outerBig)
                return "tensor '" + t.name() + "' has rank " + t.shapeLength() + " with a non-unit outer dim (" + big + " dims > 1)";
        }
        if (code == BuiltinOperator.FULLY_CONNECTED && op.inputsLength() > 1 && op.inputs(1) >= 0) {
            Tensor w = g.tensors(op.inputs(1));
            if (w.quantization() != null && w.quantization().scaleLength() > 1)
                return "per-channel FULLY_CONNECTED weights ('" + w.name() + "', " + w.quantization().scaleLength()
                        + " scales; op version 12): the Edge TPU compiler takes one weight scale per FULLY_CONNECTED";
        }
        int paramInputs = code == BuiltinOperator.CONV_2D || code == BuiltinOperator.DEPTHWISE_CONV_2D
                || code == BuiltinOperator.FULLY_CONNECTED ? 1 : -1;
        for (int k = paramInputs; k > 0 && k < op.inputsLength(); k++) {
            int idx = op.inputs(k);
            if (idx >= 0 && m.buffers((int) g.tensors(idx).buffer()).dataLength() == 0)
                return "parameter '" + g.tensors(idx).name() + "' is not constant";
        }
        return null;
    }

    public static String markdown(Result r, String model) {
        StringBuilder s = new StringBuilder("# Edge TPU compatibility: " + model + "\n\n");
        s.append(String.format(Locale.ROOT, "- ops on the Edge TPU: %d, on the CPU: %d%n", r.tpuOps(), r.cpuOps()));
        s.append(r.partitionAt() < 0 ? "- the whole model maps to the Edge TPU\n"
                : "- partition point: op " + r.partitionAt() + " (it and every later op run on the CPU)\n");
        s.append(String.format(Locale.ROOT, "- parameters: %d bytes of %d bytes on-chip SRAM (%.1f %%)%s%n", r.parameterBytes(), SRAM_BYTES,
                100.0 * r.parameterBytes() / SRAM_BYTES, r.parameterBytes() > SRAM_BYTES ? ": does not fit, streamed from host memory" : ""));
        s.append("- rules: Coral's model requirements and supported operations (coral.ai/docs/edgetpu/models-intro)\n\n");
        s.append("| # | op | maps to | reason |\n|---|---|---|---|\n");
        for (OpVerdict v : r.ops())
            s.append("| ").append(v.index()).append(" | ").append(v.op()).append(" | ").append(v.mapped() ? "Edge TPU" : "CPU")
                    .append(" | ").append(v.reason() == null ? "" : v.reason()).append(" |\n");
        return s.toString();
    }

    public static String json(Result r) {
        StringBuilder s = new StringBuilder("{\n  \"sram_bytes\": " + SRAM_BYTES + ",\n  \"parameter_bytes\": " + r.parameterBytes()
                + ",\n  \"tpu_ops\": " + r.tpuOps() + ",\n  \"cpu_ops\": " + r.cpuOps() + ",\n  \"partition_at\": "
                + (r.partitionAt() < 0 ? "null" : r.partitionAt()) + ",\n  \"ops\": [");
        for (int i = 0; i < r.ops().size(); i++) {
            OpVerdict v = r.ops().get(i);
            s.append(i == 0 ? "\n" : ",\n").append("    {\"index\": ").append(v.index()).append(", \"op\": \"").append(v.op())
                    .append("\", \"edgetpu\": ").append(v.mapped()).append(", \"reason\": ")
                    .append(v.reason() == null ? "null" : "\"" + v.reason().replace("\\", "\\\\").replace("\"", "\\\"") + "\"").append("}");
        }
        return s.append("\n  ]\n}\n").toString();
    }
}
