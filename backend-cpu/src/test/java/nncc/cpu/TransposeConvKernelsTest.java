package nncc.cpu;

import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.Tensor;
import nncc.ir.op.Layout;
import nncc.ir.op.QConvTranspose;
import org.junit.jupiter.api.Test;

/** QConvTranspose (TFLite TRANSPOSE_CONV): hand-computed scatter sums, in NCHW and NHWC; tolerance 0. */
class TransposeConvKernelsTest {
    private static final int ONE = 1 << 30, ONE_SHIFT = 1; // 1.0 = 2^30 * 2^1 / 2^31

    private static QConvTranspose op(int stride, List<Integer> pads, long inZp) {
        return new QConvTranspose(List.of(stride, stride), pads, inZp, List.of(ONE), List.of(ONE_SHIFT), 0, 1f, DType.I8, -128, 127,
                Rounding.SINGLE_ROUND);
    }

    @Test
    void strideTwoScattersEachInputIntoItsOwnBlock() {
        // x = [[1,2],[3,4]], w = [[1,2],[3,4]]: output block (2iy, 2ix) is x[iy,ix] * w
        Tensor x = ints(DType.I8, dims(1, 1, 2, 2), 1, 2, 3, 4), w = ints(DType.I8, dims(1, 1, 2, 2), 1, 2, 3, 4);
        long[] want = {1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16};
        assertArrayEquals(want, TestGraphs.run(op(2, List.of(0, 0, 0, 0), 0), x, w).toLongs());
        // the same in NHWC: one channel, so the data order is the same; the filter OHWI [1,2,2,1]
        Tensor xn = ints(DType.I8, dims(1, 2, 2, 1), 1, 2, 3, 4), wn = ints(DType.I8, dims(1, 2, 2, 1), 1, 2, 3, 4);
        assertArrayEquals(want, TestGraphs.run(op(2, List.of(0, 0, 0, 0), 0).withLayout(Layout.NHWC), xn, wn).toLongs());
    }

    @Test
    void overlappingSumsWithPadsZeroPointAndBias() {
        // stride 1, pads 1 on every side: one output, oy = iy + ky - 1 = 0 and ox = ix + kx - 1 = 0:
        // x00*w11 + x01*w10 + x10*w01 + x11*w00 = 1*4 + 2*3 + 3*2 + 4*1 = 20; codes hold x + zp 1; bias 5 -> 25
        Tensor x = ints(DType.I8, dims(1, 1, 2, 2), 2, 3, 4, 5), w = ints(DType.I8, dims(1, 1, 2, 2), 1, 2, 3, 4);
        Tensor bias = ints(DType.I32, dims(1), 5);
        assertArrayEquals(new long[] {25}, TestGraphs.run(op(1, List.of(1, 1, 1, 1), 1), x, w, bias).toLongs());
    }
}
