package nncc.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;

/**
 * Decodes ONNX {@code TensorProto}s (initializers, Constant values and the backend test suite's
 * {@code input_0.pb}/{@code output_0.pb} files) into IR {@link Tensor}s, from {@code raw_data} or the typed
 * fields, checking that the data present matches the declared size.
 */
public final class OnnxTensors {
    private OnnxTensors() {}

    /** Reads a serialized TensorProto file, e.g. {@code test_data_set_0/input_0.pb}. */
    public static Tensor read(Path pbFile) {
        try {
            return fromProto(parse(pbFile));
        } catch (ModelException e) {
            throw e.inFile(pbFile.toString());
        }
    }

    /** The name stored in a serialized TensorProto file (may be empty). */
    public static String name(Path pbFile) {
        try {
            return parse(pbFile).getName();
        } catch (ModelException e) {
            throw e.inFile(pbFile.toString());
        }
    }

    private static TensorProto parse(Path pbFile) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(pbFile);
        } catch (IOException e) {
            throw new ModelException(pbFile.toString(), null, "cannot read: " + e.getMessage(), e);
        }
        TensorProto t;
        try {
            t = TensorProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new ModelException("not a valid ONNX TensorProto: " + e.getMessage());
        }
        // Other protos (SequenceProto, OptionalProto, ModelProto) parse with unknown or mismatched fields.
        if (!t.getUnknownFields().asMap().isEmpty() || t.hasSegment() || t.getDataType() == 0)
            throw new ModelException("not an ONNX TensorProto (a sequence, optional or model proto?)");
        return t;
    }

    /** Decodes one TensorProto whose data is inside it; errors name the tensor. */
    public static Tensor fromProto(TensorProto t) { return fromProto(t, null); }

    /**
     * Decodes one TensorProto; data kept in an external file is read from under {@code modelDir} (null: external
     * data is refused). Errors name the tensor.
     */
    public static Tensor fromProto(TensorProto t, Path modelDir) {
        String what = "tensor '" + ModelException.shorten(t.getName()) + "'";
        boolean external = t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0;
        if (t.hasSegment()) throw new ModelException(what + " is a segment of a larger tensor; segments are not supported");
        DType dtype;
        try {
            dtype = OnnxTypes.dtype(t.getDataType());
        } catch (ModelException e) {
            throw new ModelException(what + ": " + e.getMessage());
        }
        long[] dims = new long[t.getDimsCount()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
            if (dims[i] < 0) throw new ModelException(what + " has negative dim " + dims[i]);
            try {
                count = Math.multiplyExact(count, dims[i]);
            } catch (ArithmeticException e) {
                throw new ModelException(what + " has an absurd shape " + java.util.Arrays.toString(dims));
            }
        }
        Shape shape = Shape.of(dims);
        long need = count > Long.MAX_VALUE / 8 ? Long.MAX_VALUE : dtype.storageBytes(count);
        String declared = what + " declares " + dtype.text() + shape + " (" + need + " bytes)";
        if (count > nncc.ir.Verifier.MAX_ELEMENTS) throw new ModelException(declared + ", more elements than nncc supports");
        nncc.ir.Limits.checkTensor(declared, dtype, count);
        if (external) return Tensor.ofRaw(dtype, shape, ExternalData.read(t, modelDir, need, what));
        if (t.hasRawData()) {
            int have = t.getRawData().size();
            if (have != need) throw new ModelException(declared + " but holds " + have + " bytes of raw data");
            return Tensor.ofRaw(dtype, shape, t.getRawData().toByteArray());
        }
        int have = typedCount(t, dtype);
        if (have != count) throw new ModelException(declared + " but holds " + have + " values");
        if (need > Integer.MAX_VALUE) throw new ModelException(declared + ", too large");
        ByteBuffer b = ByteBuffer.allocate((int) need).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) count;
        switch (dtype) {
            case F32 -> { for (int i = 0; i < n; i++) b.putFloat(t.getFloatData(i)); }
            case F64 -> { for (int i = 0; i < n; i++) b.putDouble(t.getDoubleData(i)); }
            case I64 -> { for (int i = 0; i < n; i++) b.putLong(t.getInt64Data(i)); }
            case I32 -> { for (int i = 0; i < n; i++) b.putInt(t.getInt32Data(i)); }
            // float16 and bfloat16 travel as their 16 bits in int32_data
            case I16, F16, BF16 -> { for (int i = 0; i < n; i++) b.putShort((short) t.getInt32Data(i)); }
            case I8, U8 -> { for (int i = 0; i < n; i++) b.put((byte) t.getInt32Data(i)); }
            case BOOL -> { for (int i = 0; i < n; i++) b.put((byte) (t.getInt32Data(i) != 0 ? 1 : 0)); }
            default -> throw new ModelException(what + ": unsupported tensor data type " + dtype.text());
        }
        return Tensor.ofRaw(dtype, shape, b.array());
    }

    private static int typedCount(TensorProto t, DType dtype) {
        return switch (dtype) {
            case F32 -> t.getFloatDataCount();
            case F64 -> t.getDoubleDataCount();
            case I64 -> t.getInt64DataCount();
            default -> t.getInt32DataCount();
        };
    }

    /** The ONNX {@code TensorProto.DataType} number of an IR element type (for writers of ONNX models). */
    public static int elementType(DType dtype) { return OnnxTypes.onnxType(dtype); }

    /** Encodes a tensor as a TensorProto with raw data (used by tests and, later, the QDQ exporter). */
    public static TensorProto toProto(String name, Tensor t) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(OnnxTypes.onnxType(t.dtype()));
        for (long d : t.shape().dims()) b.addDims(d);
        return b.setRawData(com.google.protobuf.ByteString.copyFrom(t.rawBytes())).build();
    }
}
