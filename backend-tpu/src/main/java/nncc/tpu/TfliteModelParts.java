package nncc.tpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.QuantizationParametersT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * The pieces of a TFLite model as the writer adds them: tensors, operators, one operator code per (builtin,
 * version), and constant buffers deduplicated by content (buffer 0 is TFLite's empty buffer).
 */
final class TfliteModelParts {
    private final List<TensorT> tensors = new ArrayList<>();
    private final List<OperatorT> ops = new ArrayList<>();
    private final List<OperatorCodeT> codes = new ArrayList<>();
    private final Map<String, Integer> codeIndex = new HashMap<>();
    private final List<BufferT> buffers = new ArrayList<>(List.of(new BufferT()));
    private final Map<String, Integer> bufferIndex = new HashMap<>();

    int tensor(String name, DType dtype, long[] shape, QuantParams q) {
        TensorT t = new TensorT();
        t.setName(name);
        t.setShape(java.util.Arrays.stream(shape).mapToInt(Math::toIntExact).toArray());
        t.setType(type(dtype));
        t.setBuffer(0);
        if (q != null) {
            QuantizationParametersT p = new QuantizationParametersT();
            p.setScale(q.scales());
            p.setZeroPoint(q.zeroPoints());
            p.setQuantizedDimension(q.isPerAxis() ? q.axis() : 0);
            t.setQuantization(p);
        }
        tensors.add(t);
        return tensors.size() - 1;
    }

    int constant(String name, Tensor data, QuantParams q) {
        int t = tensor(name, data.dtype(), data.shape().dims(), q);
        byte[] raw = data.rawBytes();
        String key = java.util.Base64.getEncoder().encodeToString(raw);
        Integer b = bufferIndex.get(key);
        if (b == null) {
            BufferT buf = new BufferT();
            int[] u = new int[raw.length];
            for (int i = 0; i < raw.length; i++) u[i] = raw[i] & 0xFF;
            buf.setData(u);
            buffers.add(buf);
            b = buffers.size() - 1;
            bufferIndex.put(key, b);
        }
        tensors.get(t).setBuffer(b);
        return t;
    }

    void op(int builtin, int version, int[] inputs, int output, byte optionsType, Object options) {
        Integer c = codeIndex.get(builtin + "/" + version);
        if (c == null) {
            OperatorCodeT oc = new OperatorCodeT();
            oc.setBuiltinCode(builtin);
            oc.setDeprecatedBuiltinCode((byte) Math.min(builtin, 127));
            oc.setVersion(version);
            codes.add(oc);
            c = codes.size() - 1;
            codeIndex.put(builtin + "/" + version, c);
        }
        OperatorT op = new OperatorT();
        op.setOpcodeIndex(c);
        op.setInputs(inputs);
        op.setOutputs(new int[] {output});
        BuiltinOptionsUnion u = new BuiltinOptionsUnion();
        u.setType(optionsType);
        u.setValue(options);
        op.setBuiltinOptions(u);
        ops.add(op);
    }

    ModelT model(String name, int[] inputs, int[] outputs) {
        SubGraphT g = new SubGraphT();
        g.setName(name);
        g.setTensors(tensors.toArray(TensorT[]::new));
        g.setOperators(ops.toArray(OperatorT[]::new));
        g.setInputs(inputs);
        g.setOutputs(outputs);
        ModelT m = new ModelT();
        m.setVersion(3);
        m.setDescription("nncc");
        m.setOperatorCodes(codes.toArray(OperatorCodeT[]::new));
        m.setSubgraphs(new SubGraphT[] {g});
        m.setBuffers(buffers.toArray(BufferT[]::new));
        return m;
    }

    /** TFLite's converter aligns constant data this way (so kernels may read it in place with SIMD loads). */
    static final int BUFFER_ALIGNMENT = 16;

    /**
     * The flatbuffer of {@code m}, with every buffer's data starting at a multiple of {@link #BUFFER_ALIGNMENT} bytes
     * from the start of the file (ModelT's own pack aligns byte vectors to 4 only).
     */
    static byte[] pack(ModelT m) {
        com.google.flatbuffers.FlatBufferBuilder fb = new com.google.flatbuffers.FlatBufferBuilder(1 << 16);
        BufferT[] buffers = m.getBuffers();
        int[] bufferOffsets = new int[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            int[] d = buffers[i].getData();
            if (d == null || d.length == 0) {
                org.tensorflow.lite.schema.Buffer.startBuffer(fb);
                bufferOffsets[i] = org.tensorflow.lite.schema.Buffer.endBuffer(fb);
                continue;
            }
            fb.startVector(1, d.length, BUFFER_ALIGNMENT);
            for (int k = d.length - 1; k >= 0; k--) fb.addByte((byte) d[k]);
            bufferOffsets[i] = org.tensorflow.lite.schema.Buffer.createBuffer(fb, fb.endVector());
        }
        OperatorCodeT[] codes = m.getOperatorCodes();
        int[] codeOffsets = new int[codes.length];
        for (int i = 0; i < codes.length; i++) codeOffsets[i] = org.tensorflow.lite.schema.OperatorCode.pack(fb, codes[i]);
        SubGraphT[] graphs = m.getSubgraphs();
        int[] graphOffsets = new int[graphs.length];
        for (int i = 0; i < graphs.length; i++) graphOffsets[i] = org.tensorflow.lite.schema.SubGraph.pack(fb, graphs[i]);
        int description = m.getDescription() == null ? 0 : fb.createString(m.getDescription());
        int root = org.tensorflow.lite.schema.Model.createModel(fb, m.getVersion(),
                org.tensorflow.lite.schema.Model.createOperatorCodesVector(fb, codeOffsets),
                org.tensorflow.lite.schema.Model.createSubgraphsVector(fb, graphOffsets), description,
                org.tensorflow.lite.schema.Model.createBuffersVector(fb, bufferOffsets), 0, 0, 0);
        org.tensorflow.lite.schema.Model.finishModelBuffer(fb, root);
        return fb.sizedByteArray();
    }

    private static byte type(DType d) {
        return switch (d) {
            case F32 -> TensorType.FLOAT32;
            case I8 -> TensorType.INT8;
            case U8 -> TensorType.UINT8;
            case I16 -> TensorType.INT16;
            case I32 -> TensorType.INT32;
            case I64 -> TensorType.INT64;
            default -> throw new ModelException("no TFLite tensor type for " + d.text());
        };
    }
}
