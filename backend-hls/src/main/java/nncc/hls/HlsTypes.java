package nncc.hls;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Node;

/** The C and ap_int types of the generated code, and the accumulator width proven by range analysis. */
final class HlsTypes {
    private HlsTypes() {}

    /**
     * Range analysis of an accumulator: for every output channel (a row of {@code weights}, one per bias entry) every
     * partial sum of {@code bias + sum((x - zp) * w)}, whatever the input, is at most
     * {@code |bias| + max|x - zp| * sum|w|} in magnitude; the width is the fewest bits holding that bound (and
     * max|x - zp|) as a signed integer, at most {@code referenceBits} (the reference's int32 / int64, whose wrap the
     * kernel then shares). With no overflow possible at that width, the sums equal the reference's.
     */
    static int accumulatorBits(DType input, long zp, List<Long> weights, List<Long> bias, int referenceBits) {
        long maxAbsX = Math.max(Math.abs(input.maxValue() - zp), Math.abs(input.minValue() - zp));
        int rows = bias.size(), row = weights.size() / rows;
        long worst = maxAbsX;
        for (int c = 0; c < rows; c++) {
            long sum = 0;
            for (int i = c * row; i < (c + 1) * row; i++) sum += Math.abs(weights.get(i));
            long bound;
            try {
                bound = Math.addExact(Math.abs(bias.get(c)), Math.multiplyExact(maxAbsX, sum));
            } catch (ArithmeticException e) {
                bound = Long.MAX_VALUE;
            }
            worst = Math.max(worst, bound);
        }
        int bits = 65 - Long.numberOfLeadingZeros(worst); // magnitude bits plus a sign bit
        return Math.min(referenceBits, bits);
    }

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
