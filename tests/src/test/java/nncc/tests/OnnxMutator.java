package nncc.tests;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Structure-aware mutations of ONNX models (the byte-level ones of {@link Mutator} mostly make files that do
 * not parse): outputs removed, int attributes, dims, opsets and initializer elements set to interesting
 * values (0, -1, 5, 2^31, 2^40, 2^62, NaN, Inf), op types swapped, unknown attributes added, inputs rewired.
 */
final class OnnxMutator {
    private OnnxMutator() {}

    private static final long[] INTERESTING = {0, 1, -1, 2, 5, 255, 1L << 31, 1L << 32, 1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE};
    private static final float[] FLOATS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e38f, 1e-45f};
    private static final String[] OPS = {"Relu", "Conv", "Add", "MaxPool", "Pad", "Reshape", "Gemm", "PRelu", "Softmax", "Concat",
            "Transpose", "BatchNormalization", "Flatten", "AveragePool", "Clip", "Unknown"};

    /** A mutated copy of {@code model} (returned as is when it does not parse), 1 to 3 mutations. */
    static byte[] mutate(byte[] model, SplittableRandom rnd) {
        ModelProto m;
        try {
            m = ModelProto.parseFrom(model);
        } catch (Exception e) {
            return model;
        }
        ModelProto.Builder b = m.toBuilder();
        int rounds = 1 + rnd.nextInt(3);
        for (int r = 0; r < rounds; r++) once(b, rnd);
        return b.build().toByteArray();
    }

    private static long interesting(SplittableRandom rnd) { return INTERESTING[rnd.nextInt(INTERESTING.length)]; }

    private static void once(ModelProto.Builder b, SplittableRandom rnd) {
        GraphProto.Builder g = b.getGraphBuilder();
        int nodes = g.getNodeCount(), inits = g.getInitializerCount();
        switch (rnd.nextInt(11)) {
            case 0 -> g.clearOutput();
            case 1 -> { // an int or ints attribute set to an interesting value
                if (nodes == 0) return;
                NodeProto.Builder n = g.getNodeBuilder(rnd.nextInt(nodes));
                if (n.getAttributeCount() == 0) return;
                AttributeProto.Builder a = n.getAttributeBuilder(rnd.nextInt(n.getAttributeCount()));
                if (a.getIntsCount() > 0) a.setInts(rnd.nextInt(a.getIntsCount()), interesting(rnd));
                else if (a.hasI()) a.setI(interesting(rnd));
                else if (a.hasF()) a.setF(FLOATS[rnd.nextInt(FLOATS.length)]);
            }
            case 2 -> { // an initializer dim
                if (inits == 0) return;
                TensorProto.Builder t = g.getInitializerBuilder(rnd.nextInt(inits));
                if (t.getDimsCount() > 0) t.setDims(rnd.nextInt(t.getDimsCount()), interesting(rnd));
            }
            case 3 -> { // an initializer element
                if (inits == 0) return;
                TensorProto.Builder t = g.getInitializerBuilder(rnd.nextInt(inits));
                if (t.getFloatDataCount() > 0) t.setFloatData(rnd.nextInt(t.getFloatDataCount()), FLOATS[rnd.nextInt(FLOATS.length)]);
                else if (t.getInt64DataCount() > 0) t.setInt64Data(rnd.nextInt(t.getInt64DataCount()), interesting(rnd));
                else if (t.hasRawData() && t.getRawData().size() >= 8) {
                    ByteBuffer raw = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
                    int at = rnd.nextInt(raw.capacity() / 4) * 4;
                    if (t.getDataType() == TensorProto.DataType.INT64_VALUE) raw.putLong(at / 8 * 8, interesting(rnd));
                    else raw.putFloat(at, FLOATS[rnd.nextInt(FLOATS.length)]);
                    t.setRawData(ByteString.copyFrom(raw.array()));
                }
            }
            case 4 -> { // the opset
                if (b.getOpsetImportCount() > 0) b.getOpsetImportBuilder(0).setVersion(rnd.nextBoolean() ? interesting(rnd) : 1 + rnd.nextInt(25));
            }
            case 5 -> { // an op type
                if (nodes > 0) g.getNodeBuilder(rnd.nextInt(nodes)).setOpType(OPS[rnd.nextInt(OPS.length)]);
            }
            case 6 -> { // an attribute the op may not define, or a known one on the wrong op
                if (nodes == 0) return;
                String name = new String[] {"ceil_mode", "axis", "group", "frobnicate", "count_include_pad", "transB"}[rnd.nextInt(6)];
                g.getNodeBuilder(rnd.nextInt(nodes)).addAttribute(AttributeProto.newBuilder().setName(name)
                        .setType(AttributeProto.AttributeType.INT).setI(interesting(rnd)));
            }
            case 7 -> { // a graph input or output dim
                boolean input = rnd.nextBoolean();
                int count = input ? g.getInputCount() : g.getOutputCount();
                if (count == 0) return;
                var v = input ? g.getInputBuilder(rnd.nextInt(count)) : g.getOutputBuilder(rnd.nextInt(count));
                TensorShapeProto.Builder s = v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
                if (s.getDimCount() > 0) s.getDimBuilder(rnd.nextInt(s.getDimCount())).setDimValue(interesting(rnd));
            }
            case 8 -> { // rewire a node input to another value
                if (nodes < 2) return;
                NodeProto.Builder n = g.getNodeBuilder(rnd.nextInt(nodes));
                NodeProto other = g.getNode(rnd.nextInt(nodes));
                if (n.getInputCount() > 0 && other.getOutputCount() > 0) n.setInput(rnd.nextInt(n.getInputCount()), other.getOutput(0));
            }
            case 9 -> { // drop a node
                if (nodes > 1) g.removeNode(rnd.nextInt(nodes));
            }
            default -> { // an ints attribute grows or shrinks
                if (nodes == 0) return;
                NodeProto.Builder n = g.getNodeBuilder(rnd.nextInt(nodes));
                if (n.getAttributeCount() == 0) return;
                AttributeProto.Builder a = n.getAttributeBuilder(rnd.nextInt(n.getAttributeCount()));
                if (a.getIntsCount() == 0) return;
                if (rnd.nextBoolean()) a.addInts(interesting(rnd));
                else {
                    var l = new java.util.ArrayList<>(a.getIntsList());
                    l.remove(l.size() - 1);
                    a.clearInts().addAllInts(l);
                }
            }
        }
    }
}
