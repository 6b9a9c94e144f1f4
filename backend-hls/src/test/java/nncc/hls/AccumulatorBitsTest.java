package nncc.hls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.List;
import nncc.ir.DType;
import org.junit.jupiter.api.Test;

/** The accumulator range analysis with hand-computed bounds. */
class AccumulatorBitsTest {
    @Test void widthHoldsTheWorstPartialSum() {
        // |x - zp| <= 255 (i8, zp -128); row sum 9 * 127 = 1143; 255 * 1143 = 291465 < 2^19: 19 magnitude bits + sign
        assertEquals(20, HlsTypes.accumulatorBits(DType.I8, -128, Collections.nCopies(9, 127L), List.of(0L), 32));
        // a bias of -300000 pushes the bound to 591465 < 2^20
        assertEquals(21, HlsTypes.accumulatorBits(DType.I8, -128, Collections.nCopies(9, -127L), List.of(-300000L), 32));
        // the widest row decides: rows [1, 1] and [64, -64] with |x - zp| <= 128 (zp 0): 128 * 128 = 16384 = 2^14 needs 15 + sign
        assertEquals(16, HlsTypes.accumulatorBits(DType.I8, 0, List.of(1L, 1L, 64L, -64L), List.of(0L, 0L), 32));
    }

    @Test void widthNeverExceedsTheReferenceAccumulator() {
        // 100,000 taps of 127 at |x - zp| <= 255: 3.2e9 needs 33 bits; the int32 reference wraps, and so does the kernel
        assertEquals(32, HlsTypes.accumulatorBits(DType.I8, -128, Collections.nCopies(100_000, 127L), List.of(0L), 32));
        // int16 input (zp 0): |x| <= 32768; 32768 * 127 * 3 = 12484608 < 2^24: 25 bits, below the int64 reference
        assertEquals(25, HlsTypes.accumulatorBits(DType.I16, 0, Collections.nCopies(3, 127L), List.of(0L), 64));
    }
}
