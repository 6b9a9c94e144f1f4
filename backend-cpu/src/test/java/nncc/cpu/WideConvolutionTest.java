package nncc.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.QConv;
import org.junit.jupiter.api.Test;

/**
 * The vector set's 16x8 convolution ({@link WideConvolution}: pointwise planes, im2col, int32 depthwise taps) against
 * the scalar reference, bit for bit, over the geometries it branches on: 1x1 and k x k kernels, strides, dilations,
 * asymmetric padding, grouped and depthwise convolutions (also one whose taps are too many for int32 sums), batches,
 * input zero points and weights at -128.
 */
class WideConvolutionTest {
    @Test
    void sixteenByEightConvolutionsAgreeWithTheScalarReferenceBitForBit() {
        Random r = new Random(17);
        for (int trial = 0; trial < 40; trial++) {
            int kind = trial % 4; // 0 dense k x k, 1 pointwise, 2 depthwise, 3 grouped
            int groups = kind == 2 ? 2 + r.nextInt(6) : kind == 3 ? 2 : 1;
            int cg = kind == 2 ? 1 : 1 + r.nextInt(4), mg = kind == 2 ? 1 : 1 + r.nextInt(6);
            int k = kind == 1 ? 1 : 1 + 2 * r.nextInt(3), stride = kind == 1 ? 1 : 1 + r.nextInt(2), dilation = kind == 1 ? 1 : 1 + r.nextInt(2);
            int batch = 1 + r.nextInt(3), h = 9 + r.nextInt(8), w = 9 + r.nextInt(8); // larger than any dilated window
            List<Integer> pads = kind == 1 ? List.of(0, 0, 0, 0) : List.of(r.nextInt(k), r.nextInt(k), r.nextInt(k), r.nextInt(k));
            int zp = trial % 3 == 0 ? 0 : r.nextInt(201) - 100;
            check(r, "trial " + trial + " kind " + kind, batch, groups, cg, mg, h, w, k, stride, dilation, pads, zp);
        }
        // depthwise with 23 x 23 taps: 529 * 128 * 32768 > 2^31, so the taps go through the int64 product path
        check(r, "depthwise 23x23", 1, 3, 1, 1, 24, 24, 23, 1, 1, List.of(0, 0, 0, 0), 7);
    }

    private static void check(Random r, String what, int batch, int groups, int cg, int mg, int h, int w, int k, int stride, int dilation,
                              List<Integer> pads, int zp) {
        int oc = groups * mg;
        List<Integer> mult = new ArrayList<>(), shift = new ArrayList<>();
        for (int m = 0; m < oc; m++) { mult.add((1 << 30) + r.nextInt(1 << 30)); shift.add(-8 - r.nextInt(8)); }
        QConv conv = new QConv(List.of(stride, stride), pads, List.of(dilation, dilation), groups, zp, mult, shift, 0, 0.1f, DType.I16,
                -32768, 32767, Rounding.SINGLE_ROUND);
        long[] weights = new long[oc * cg * k * k];
        for (int i = 0; i < weights.length; i++) weights[i] = i % 11 == 0 ? -128 : r.nextInt(256) - 128;
        Tensor wt = Tensor.ofLongs(DType.I8, Shape.of(oc, cg, k, k), weights);
        Tensor bias = Tensor.ofLongs(DType.I64, Shape.of(oc), r.longs(oc, -2_000_000, 2_000_000).toArray());
        Tensor x = Tensor.ofLongs(DType.I16, Shape.of(batch, groups * cg, h, w), r.longs((long) batch * groups * cg * h * w, -32768, 32768).toArray());
        KernelSetsAgreeTest.assertAgree(conv, what, x, wt, bias);
    }
}
