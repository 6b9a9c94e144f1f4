package nncc.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.file.Path;
import nncc.ir.DType;
import nncc.ir.FloatBits;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import org.junit.jupiter.api.Test;

/** TensorProto decoding: raw_data and every typed field, size checks, backend test-suite files. */
class OnnxTensorsTest {
    private static TensorProto.Builder proto(int dataType, long... dims) {
        TensorProto.Builder b = TensorProto.newBuilder().setName("t").setDataType(dataType);
        for (long d : dims) b.addDims(d);
        return b;
    }

    @Test
    void typedFloatDoubleAndInt64Fields() {
        Tensor f = OnnxTensors.fromProto(proto(1, 2).addFloatData(1.5f).addFloatData(-2f).build());
        assertArrayEquals(new float[] {1.5f, -2f}, f.toFloats(), 0f);
        Tensor d = OnnxTensors.fromProto(proto(11, 1).addDoubleData(0.1).build());
        assertEquals(DType.F64, d.dtype());
        assertArrayEquals(new double[] {0.1}, d.toDoubles(), 0);
        Tensor l = OnnxTensors.fromProto(proto(7).addInt64Data(Long.MIN_VALUE).build());
        assertEquals(Shape.SCALAR, l.shape());
        assertArrayEquals(new long[] {Long.MIN_VALUE}, l.toLongs());
    }

    @Test
    void int32DataCarriesSmallIntegersBoolsAndHalfFloats() {
        assertArrayEquals(new long[] {-128, 127}, OnnxTensors.fromProto(proto(3, 2).addInt32Data(-128).addInt32Data(127).build()).toLongs());
        assertArrayEquals(new long[] {0, 255}, OnnxTensors.fromProto(proto(2, 2).addInt32Data(0).addInt32Data(255).build()).toLongs());
        assertArrayEquals(new long[] {-32768}, OnnxTensors.fromProto(proto(5, 1).addInt32Data(-32768).build()).toLongs());
        assertArrayEquals(new long[] {Integer.MIN_VALUE}, OnnxTensors.fromProto(proto(6, 1).addInt32Data(Integer.MIN_VALUE).build()).toLongs());
        Tensor bool = OnnxTensors.fromProto(proto(9, 3).addInt32Data(1).addInt32Data(0).addInt32Data(1).build());
        assertEquals(DType.BOOL, bool.dtype());
        assertArrayEquals(new long[] {1, 0, 1}, bool.toLongs());
        Tensor half = OnnxTensors.fromProto(proto(10, 1).addInt32Data(Float.floatToFloat16(1.5f) & 0xFFFF).build());
        assertEquals(DType.F16, half.dtype());
        assertArrayEquals(new float[] {1.5f}, half.toFloats(), 0f);
        Tensor bf = OnnxTensors.fromProto(proto(16, 1).addInt32Data(FloatBits.toBf16(-3f) & 0xFFFF).build());
        assertEquals(DType.BF16, bf.dtype());
        assertArrayEquals(new float[] {-3f}, bf.toFloats(), 0f);
    }

    @Test
    void rawDataRoundTripsEveryType() {
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.BF16, DType.F64, DType.I8, DType.U8, DType.I16,
                DType.I32, DType.I64, DType.BOOL}) {
            Tensor t = dt.isFloat() ? Tensor.ofFloats(dt, Shape.of(2, 2), 1, -2, 0.5f, 4)
                    : Tensor.ofLongs(dt, Shape.of(2, 2), 1, 0, 1, dt == DType.BOOL ? 0 : 7);
            assertEquals(t, OnnxTensors.fromProto(OnnxTensors.toProto("t", t)), dt.text());
        }
    }

    @Test
    void sizeMismatchesAreErrors() {
        ModelException raw = assertThrows(ModelException.class, () -> OnnxTensors.fromProto(proto(1, 4)
                .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[8])).build()));
        assertTrue(raw.getMessage().contains("tensor 't' declares f32[4] (16 bytes) but holds 8 bytes"), raw.getMessage());
        ModelException typed = assertThrows(ModelException.class, () -> OnnxTensors.fromProto(proto(7, 3).addInt64Data(1).build()));
        assertTrue(typed.getMessage().contains("holds 1 values"), typed.getMessage());
        ModelException string = assertThrows(ModelException.class, () -> OnnxTensors.fromProto(proto(8, 1).build()));
        assertTrue(string.getMessage().contains("string tensors are not supported"), string.getMessage());
        ModelException uint16 = assertThrows(ModelException.class, () -> OnnxTensors.fromProto(proto(4, 1).build()));
        assertTrue(uint16.getMessage().contains("unsupported tensor data type UINT16"), uint16.getMessage());
    }

    @Test
    void readsBackendTestSuiteFiles() {
        Path dir = Path.of("/usr/share/libonnx-testdata/data/node/test_add/test_data_set_0");
        Tensor x = OnnxTensors.read(dir.resolve("input_0.pb"));
        assertEquals(DType.F32, x.dtype());
        assertEquals(Shape.of(3, 4, 5), x.shape());
        assertEquals("x", OnnxTensors.name(dir.resolve("input_0.pb")));
        Tensor idx = OnnxTensors.read(Path.of("/usr/share/libonnx-testdata/data/pytorch-converted/test_Embedding/test_data_set_0/input_0.pb"));
        assertEquals(DType.I64, idx.dtype());
    }

    @Test
    void rejectsProtosThatAreNotTensors() {
        Path model = Path.of("/usr/share/libonnx-testdata/data/node/test_add/model.onnx");
        ModelException e = assertThrows(ModelException.class, () -> OnnxTensors.read(model));
        assertTrue(e.getMessage().startsWith(model + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("not an ONNX TensorProto") || e.getMessage().contains("not a valid ONNX TensorProto"), e.getMessage());
        Path sequence = Path.of("/usr/share/libonnx-testdata/data/node/test_identity_sequence/test_data_set_0/input_0.pb");
        ModelException s = assertThrows(ModelException.class, () -> OnnxTensors.read(sequence));
        assertTrue(s.getMessage().contains("TensorProto"), s.getMessage());
    }
}
