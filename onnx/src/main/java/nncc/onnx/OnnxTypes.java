package nncc.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/** Maps ONNX element types and declared value types ({@code ValueInfoProto}) onto the IR's {@link DType} and {@link TensorType}. */
final class OnnxTypes {
    private OnnxTypes() {}

    /** The IR element type of an ONNX {@code TensorProto.DataType} number; a ModelException for anything else. */
    static DType dtype(int onnxType) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(onnxType);
        if (t == null) throw new ModelException("unknown tensor data type " + onnxType);
        return switch (t) {
            case FLOAT -> DType.F32;
            case FLOAT16 -> DType.F16;
            case BFLOAT16 -> DType.BF16;
            case DOUBLE -> DType.F64;
            case INT8 -> DType.I8;
            case UINT8 -> DType.U8;
            case INT16 -> DType.I16;
            case INT32 -> DType.I32;
            case INT64 -> DType.I64;
            case BOOL -> DType.BOOL;
            case STRING -> throw new ModelException("string tensors are not supported");
            case UNDEFINED -> throw new ModelException("tensor data type is undefined (0)");
            default -> throw new ModelException("unsupported tensor data type " + t.name());
        };
    }

    /** The ONNX {@code TensorProto.DataType} number of an IR element type. */
    static int onnxType(DType d) {
        return switch (d) {
            case F32 -> TensorProto.DataType.FLOAT_VALUE;
            case F16 -> TensorProto.DataType.FLOAT16_VALUE;
            case BF16 -> TensorProto.DataType.BFLOAT16_VALUE;
            case F64 -> TensorProto.DataType.DOUBLE_VALUE;
            case I8 -> TensorProto.DataType.INT8_VALUE;
            case U8 -> TensorProto.DataType.UINT8_VALUE;
            case I16 -> TensorProto.DataType.INT16_VALUE;
            case I32 -> TensorProto.DataType.INT32_VALUE;
            case I64 -> TensorProto.DataType.INT64_VALUE;
            case BOOL -> TensorProto.DataType.BOOL_VALUE;
            case I4 -> TensorProto.DataType.INT4_VALUE;
        };
    }

    /**
     * The declared type of a graph input. A {@code dim_param} becomes a symbolic dim of that (sanitized) name; a
     * dim with neither value nor param becomes the symbol {@code N} when it is dim 0, and is an error elsewhere.
     */
    static TensorType valueType(ValueInfoProto info) {
        String name = info.getName();
        TypeProto type = info.getType();
        if (type.getValueCase() != TypeProto.ValueCase.TENSOR_TYPE)
            throw new ModelException("value '" + name + "' has non-tensor type " + describeKind(type)
                    + "; only tensors are supported");
        TypeProto.Tensor tt = type.getTensorType();
        DType dtype;
        try {
            dtype = dtype(tt.getElemType());
        } catch (ModelException e) {
            throw new ModelException("value '" + name + "': " + e.getMessage());
        }
        if (!tt.hasShape()) throw new ModelException("value '" + name + "' declares no shape (its rank is unknown)");
        TensorShapeProto sp = tt.getShape();
        long[] dims = new long[sp.getDimCount()];
        String[] symbols = new String[dims.length];
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension d = sp.getDim(i);
            if (d.hasDimValue()) {
                if (d.getDimValue() < 0)
                    throw new ModelException("value '" + name + "' has negative dim " + i + ": " + d.getDimValue());
                dims[i] = d.getDimValue();
            } else if (d.hasDimParam() && !sanitize(d.getDimParam()).isEmpty()) {
                symbols[i] = sanitize(d.getDimParam());
            } else if (i == 0) {
                symbols[i] = "N";
            } else {
                throw new ModelException("value '" + name + "' has dim " + i + " with neither a size nor a name");
            }
        }
        try {
            return TensorType.of(dtype, Shape.withSymbols(dims, symbols));
        } catch (IllegalArgumentException e) {
            throw new ModelException("value '" + name + "': " + e.getMessage());
        }
    }

    /** A dim_param reduced to the characters the text IR accepts in a symbol: [A-Za-z0-9_]. */
    static String sanitize(String param) {
        return param.replaceAll("[^A-Za-z0-9_]", "_");
    }

    private static String describeKind(TypeProto t) {
        return switch (t.getValueCase()) {
            case SEQUENCE_TYPE -> "sequence";
            case MAP_TYPE -> "map";
            case OPTIONAL_TYPE -> "optional";
            case SPARSE_TENSOR_TYPE -> "sparse tensor";
            case OPAQUE_TYPE -> "opaque";
            default -> "(none declared)";
        };
    }
}
