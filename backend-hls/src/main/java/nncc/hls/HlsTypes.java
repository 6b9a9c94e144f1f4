package nncc.hls;

import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Node;

/** The C and ap_int types of the generated code. */
final class HlsTypes {
    private HlsTypes() {}

    /** The C type constant arrays of an integer dtype are stored in (see nncc_common.h). */
    static String storageType(Node n, DType t) {
        return switch (t) {
            case I8, I4 -> "signed char"; case U8 -> "unsigned char"; case I16 -> "short"; case I32 -> "int"; case I64 -> "long long";
            default -> throw n.error("--target hls needs integer constants, got " + t.text());
        };
    }

    /** The ap_int type of an integer dtype. */
    static String cType(Node n, DType t) {
        return switch (t) {
            case I8 -> "ap_int<8>"; case U8 -> "ap_uint<8>"; case I16 -> "ap_int<16>"; case I32 -> "ap_int<32>"; case I64 -> "ap_int<64>";
            case I4 -> "ap_int<4>";
            default -> throw new ModelException(null, n == null ? null : n.name(), "--target hls needs integer tensors, got " + t.text()
                    + " (quantize the model: --calib C, scheme int8 or int16x8, without --float-io)");
        };
    }
}
