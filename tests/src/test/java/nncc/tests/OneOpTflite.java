package nncc.tests;

import com.google.flatbuffers.FlatBufferBuilder;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.QuantizationParametersT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/** Builds .tflite files of a single builtin op, for tests that run one op kind on the TFLite runtime and in nncc. */
final class OneOpTflite {
    private OneOpTflite() {}

    /** An int8 tensor with per-tensor quantization, reading buffer 0 (none). */
    static TensorT int8(String name, int[] shape, float scale, long zeroPoint) {
        TensorT t = new TensorT();
        t.setName(name);
        t.setShape(shape);
        t.setType(TensorType.INT8);
        QuantizationParametersT q = new QuantizationParametersT();
        q.setScale(new float[] {scale});
        q.setZeroPoint(new long[] {zeroPoint});
        t.setQuantization(q);
        return t;
    }

    /**
     * A model (schema version 3) of op {@code builtin} at {@code version} over {@code tensors} and {@code buffers}
     * (buffer 0 must be the empty one): the op reads {@code opInputs} and writes tensor {@code output}, the graph's
     * inputs are {@code graphInputs} and its output is the op's.
     */
    static byte[] model(int builtin, int version, BufferT[] buffers, TensorT[] tensors, int[] opInputs, int output,
                        int[] graphInputs, BuiltinOptionsUnion options) {
        ModelT m = new ModelT();
        m.setVersion(3);
        OperatorCodeT oc = new OperatorCodeT();
        oc.setBuiltinCode(builtin);
        oc.setDeprecatedBuiltinCode((byte) builtin);
        oc.setVersion(version);
        m.setOperatorCodes(new OperatorCodeT[] {oc});
        m.setBuffers(buffers);
        SubGraphT g = new SubGraphT();
        g.setTensors(tensors);
        OperatorT op = new OperatorT();
        op.setOpcodeIndex(0);
        op.setInputs(opInputs);
        op.setOutputs(new int[] {output});
        op.setBuiltinOptions(options);
        g.setOperators(new OperatorT[] {op});
        g.setInputs(graphInputs);
        g.setOutputs(new int[] {output});
        m.setSubgraphs(new SubGraphT[] {g});
        FlatBufferBuilder fb = new FlatBufferBuilder();
        Model.finishModelBuffer(fb, Model.pack(fb, m));
        return fb.sizedByteArray();
    }
}
