package nncc.tpu;

import com.google.flatbuffers.FlatBufferBuilder;
import java.util.function.Consumer;
import org.tensorflow.lite.schema.AddOptionsT;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.QuantizationParametersT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * A one-op TFLite model built with the schema's object API, for reader tests: ADD of an int8 activation
 * a [1,2,2,3] (scale 0.5, zp -1) and a constant b [3] (scale 0.25, zp 0) into out [1,2,2,3] (scale 1, zp 0).
 * A test edits the {@link ModelT} before it is serialized.
 */
final class TinyTflite {
    private TinyTflite() {}

    static byte[] add(Consumer<ModelT> edit) {
        ModelT m = new ModelT();
        m.setVersion(3);
        OperatorCodeT code = new OperatorCodeT();
        code.setBuiltinCode(BuiltinOperator.ADD);
        code.setDeprecatedBuiltinCode((byte) BuiltinOperator.ADD);
        code.setVersion(2);
        m.setOperatorCodes(new OperatorCodeT[] {code});
        BufferT empty = new BufferT(), bData = new BufferT();
        bData.setData(new int[] {1, 2, 0xFF});
        m.setBuffers(new BufferT[] {empty, bData});
        SubGraphT g = new SubGraphT();
        g.setTensors(new TensorT[] {
            tensor("a", new int[] {1, 2, 2, 3}, 0, 0.5f, -1),
            tensor("b", new int[] {3}, 1, 0.25f, 0),
            tensor("out", new int[] {1, 2, 2, 3}, 0, 1f, 0)});
        OperatorT op = new OperatorT();
        op.setOpcodeIndex(0);
        op.setInputs(new int[] {0, 1});
        op.setOutputs(new int[] {2});
        BuiltinOptionsUnion u = new BuiltinOptionsUnion();
        u.setType(BuiltinOptions.AddOptions);
        u.setValue(new AddOptionsT());
        op.setBuiltinOptions(u);
        g.setOperators(new OperatorT[] {op});
        g.setInputs(new int[] {0});
        g.setOutputs(new int[] {2});
        m.setSubgraphs(new SubGraphT[] {g});
        edit.accept(m);
        FlatBufferBuilder fb = new FlatBufferBuilder();
        Model.finishModelBuffer(fb, Model.pack(fb, m));
        return fb.sizedByteArray();
    }

    static TensorT tensor(String name, int[] shape, int buffer, float scale, long zp) {
        TensorT t = new TensorT();
        t.setName(name);
        t.setShape(shape);
        t.setType(TensorType.INT8);
        t.setBuffer(buffer);
        QuantizationParametersT q = new QuantizationParametersT();
        q.setScale(new float[] {scale});
        q.setZeroPoint(new long[] {zp});
        t.setQuantization(q);
        return t;
    }
}
