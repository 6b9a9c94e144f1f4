package nncc.onnx;

import static java.util.Map.entry;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.Map;
import java.util.Set;
import nncc.ir.ModelException;

/**
 * The attributes the ONNX specification defines for each supported op (over all opsets), so that an attribute
 * nncc would silently ignore (a typo, or one from a newer opset that changes the meaning) is refused by name,
 * and the 0/1 flags hold 0 or 1. Ops missing from the table are not checked here (their importers check).
 */
final class OnnxAttributes {
    private OnnxAttributes() {}

    private static final Set<String> CONV = Set.of("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
    private static final Set<String> LEGACY_BINARY = Set.of("broadcast", "axis", "consumed_inputs");
    private static final Set<String> CONSUMED = Set.of("consumed_inputs");

    private static final Map<String, Set<String>> KNOWN = Map.ofEntries(
            entry("Conv", CONV),
            entry("ConvInteger", CONV),
            entry("QLinearConv", CONV),
            entry("ConvTranspose", Set.of("auto_pad", "dilations", "group", "kernel_shape", "output_padding", "output_shape",
                    "pads", "strides")),
            entry("MaxPool", Set.of("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides")),
            entry("AveragePool", Set.of("auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides")),
            entry("GlobalAveragePool", Set.of()),
            entry("Gemm", Set.of("alpha", "beta", "transA", "transB", "broadcast")),
            entry("MatMul", Set.of()),
            entry("QLinearMatMul", Set.of()),
            entry("MatMulInteger", Set.of()),
            entry("QuantizeLinear", Set.of("axis", "saturate", "block_size", "output_dtype", "precision")),
            entry("DequantizeLinear", Set.of("axis", "block_size", "output_dtype")),
            entry("Add", LEGACY_BINARY),
            entry("Sub", LEGACY_BINARY),
            entry("Mul", LEGACY_BINARY),
            entry("Div", LEGACY_BINARY),
            entry("Relu", CONSUMED),
            entry("Sigmoid", CONSUMED),
            entry("Tanh", CONSUMED),
            entry("HardSwish", Set.of()),
            entry("Identity", Set.of()),
            entry("LeakyRelu", Set.of("alpha", "consumed_inputs")),
            entry("HardSigmoid", Set.of("alpha", "beta", "consumed_inputs")),
            entry("PRelu", CONSUMED),
            entry("Clip", Set.of("min", "max", "consumed_inputs")),
            entry("Dropout", Set.of("ratio", "is_test", "seed", "consumed_inputs")),
            entry("Softmax", Set.of("axis")),
            entry("BatchNormalization", Set.of("epsilon", "momentum", "spatial", "is_test", "consumed_inputs", "training_mode")),
            entry("ReduceMean", Set.of("axes", "keepdims", "noop_with_empty_axes")),
            entry("Reshape", Set.of("shape", "allowzero", "consumed_inputs")),
            entry("Flatten", Set.of("axis")),
            entry("Transpose", Set.of("perm")),
            entry("Concat", Set.of("axis")),
            entry("Squeeze", Set.of("axes")),
            entry("Unsqueeze", Set.of("axes")),
            entry("Pad", Set.of("mode", "pads", "paddings", "value")),
            entry("Gather", Set.of("axis")),
            entry("Constant", Set.of("value", "sparse_value", "value_float", "value_floats", "value_int", "value_ints",
                    "value_string", "value_strings")),
            entry("Shape", Set.of("start", "end")),
            entry("Cast", Set.of("to", "saturate", "round_mode")),
            entry("Slice", Set.of("starts", "ends", "axes")),
            entry("ConstantOfShape", Set.of("value")),
            entry("Range", Set.of()));

    /** Attributes whose value is a flag: 0 or 1. */
    private static final Set<String> FLAGS = Set.of("ceil_mode", "count_include_pad", "transA", "transB", "keepdims",
            "noop_with_empty_axes", "allowzero", "training_mode", "storage_order", "saturate", "is_test");

    /** Throws naming the node and attribute when an attribute is unknown to the op or a flag is not 0 or 1. */
    static void check(NodeProto np, String file, String node, int opset) {
        Set<String> known = KNOWN.get(np.getOpType());
        if (known == null) return;
        for (AttributeProto a : np.getAttributeList()) {
            String name = a.getName();
            if (!known.contains(name))
                throw new ModelException(file, node, np.getOpType() + " (opset " + opset + "): unknown attribute '"
                        + ModelException.shorten(name) + "' (" + np.getOpType() + " takes " + new java.util.TreeSet<>(known) + ")");
            if (FLAGS.contains(name) && a.hasI() && a.getI() != 0 && a.getI() != 1)
                throw new ModelException(file, node, np.getOpType() + " (opset " + opset + "): attribute " + name + " = "
                        + a.getI() + " must be 0 or 1");
        }
    }
}
