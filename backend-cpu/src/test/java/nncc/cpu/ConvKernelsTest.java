package nncc.cpu;

import static nncc.cpu.TestGraphs.assertFloats;
import static nncc.cpu.TestGraphs.assertShape;
import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static nncc.cpu.TestGraphs.iota;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Conv;
import org.junit.jupiter.api.Test;

/** Float Conv: hand-computed cases from the ONNX definition and a randomized check against {@link NaiveConv}. */
class ConvKernelsTest {

    private static Conv conv(List<Integer> strides, List<Integer> pads, List<Integer> dilations, int group) {
        return new Conv(strides, pads, dilations, group);
    }

    @Test
    void plain2x2KernelWithBias() {
        // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]]: y00 = 1+4+12+20 = 37, then + bias 1
        Tensor y = TestGraphs.run(conv(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), 1),
                f32(dims(1, 1, 3, 3), iota(9)), f32(dims(1, 1, 2, 2), 1, 2, 3, 4), f32(dims(1), 1));
        assertShape(y, 1, 1, 2, 2);
        assertFloats(new float[] {38, 48, 68, 78}, y, 0f);
    }

    @Test
    void paddedStridedSumOfOnes() {
        // 3x3 ones kernel, pad 1, stride 2: each output sums the 2x2 corner block of the 3x3 input
        Tensor y = TestGraphs.run(Conv.of2d(2, 1), f32(dims(1, 1, 3, 3), iota(9)), f32(dims(1, 1, 3, 3), ones(9)));
        assertFloats(new float[] {12, 16, 24, 28}, y, 0f);
    }

    @Test
    void asymmetricPadsOnlyOnTheLeft() {
        // pads [top=0, left=1, bottom=0, right=0], kernel [1, 10] -> padded rows [0,1,2] and [0,3,4]
        Tensor y = TestGraphs.run(conv(List.of(1, 1), List.of(0, 1, 0, 0), List.of(1, 1), 1),
                f32(dims(1, 1, 2, 2), 1, 2, 3, 4), f32(dims(1, 1, 1, 2), 1, 10));
        assertShape(y, 1, 1, 2, 2);
        assertFloats(new float[] {10, 21, 30, 43}, y, 0f);
    }

    @Test
    void dilationSkipsInputs() {
        // width 5, kernel [1,1] with dilation 2 adds x[i] and x[i+2]
        Tensor y = TestGraphs.run(conv(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 2), 1),
                f32(dims(1, 1, 1, 5), iota(5)), f32(dims(1, 1, 1, 2), 1, 1));
        assertFloats(new float[] {4, 6, 8}, y, 0f);
    }

    @Test
    void groupsAndDepthwiseMultiplier() {
        // 2 channels, group 2, 4 outputs (2 per channel), 1x1 weights 1, 2 (channel 0) and 3, 4 (channel 1)
        Tensor y = TestGraphs.run(conv(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), 2),
                f32(dims(1, 2, 1, 2), 1, 2, 10, 20), f32(dims(4, 1, 1, 1), 1, 2, 3, 4));
        assertFloats(new float[] {1, 2, 2, 4, 30, 60, 40, 80}, y, 0f);
    }

    @Test
    void oneDimensionalEdgeFilter() {
        // y[i] = x[i-1] - x[i+1] with zero padding
        Tensor y = TestGraphs.run(new Conv(List.of(1), List.of(1, 1), List.of(1), 1),
                f32(dims(1, 1, 5), iota(5)), f32(dims(1, 1, 3), 1, 0, -1));
        assertFloats(new float[] {-2, -2, -2, -2, 4}, y, 0f);
    }

    @Test
    void threeDimensionalBoxSum() {
        Tensor y = TestGraphs.run(new Conv(List.of(1, 1, 1), Collections.nCopies(6, 0), List.of(1, 1, 1), 1),
                f32(dims(1, 1, 2, 2, 2), iota(8)), f32(dims(1, 1, 2, 2, 2), ones(8)));
        assertShape(y, 1, 1, 1, 1, 1);
        assertFloats(new float[] {36}, y, 0f);
    }

    @Test
    void randomizedAgainstNaiveDefinition() {
        Random r = new Random(42);
        // {spatial rank, group, stride, dilation, padBegin, padEnd, kernel}
        int[][] cases = {{1, 1, 2, 1, 0, 1, 3}, {2, 1, 1, 1, 1, 1, 3}, {2, 2, 2, 1, 0, 2, 3}, {2, 3, 1, 2, 2, 1, 2},
                {2, 6, 1, 1, 1, 1, 3}, {3, 1, 1, 1, 1, 0, 2}, {3, 2, 2, 2, 1, 1, 2}, {2, 1, 3, 1, 0, 0, 1},
                {2, 1, 1, 1, 0, 0, 1}, {2, 2, 1, 1, 0, 0, 1}, {2, 6, 2, 1, 1, 1, 3}, {2, 6, 2, 2, 2, 0, 3}};
        // batch 1 takes the pointwise (no im2col) path for 1x1 kernels; batch 3 gathers images into one product
        for (int[] c : cases) for (int batch : new int[] {3, 1}) {
            int rank = c[0], group = c[1], channels = 6, outChannels = 6;
            int[] xs = new int[2 + rank], ws = new int[2 + rank], ys = new int[2 + rank];
            xs[0] = batch; xs[1] = channels; ws[0] = outChannels; ws[1] = channels / group;
            ys[0] = batch; ys[1] = outChannels;
            int[] s = new int[rank], pb = new int[rank], d = new int[rank];
            for (int i = 0; i < rank; i++) {
                xs[2 + i] = 5 + i;
                ws[2 + i] = c[6];
                s[i] = c[2]; d[i] = c[3]; pb[i] = c[4];
                ys[2 + i] = (xs[2 + i] + c[4] + c[5] - (c[6] - 1) * c[3] - 1) / c[2] + 1;
            }
            float[] x = random(r, NdArray.sizeOf(xs)), w = random(r, NdArray.sizeOf(ws)), b = random(r, outChannels);
            Conv op = new Conv(List.of(boxed(s)), concat(pb, Collections.nCopies(rank, c[5])), List.of(boxed(d)), group);
            Tensor y = TestGraphs.run(op, Tensor.ofFloats(Shape.of(xs), x), Tensor.ofFloats(Shape.of(ws), w),
                    Tensor.ofFloats(Shape.of(outChannels), b));
            assertEquals(Shape.of(ys), y.shape());
            double[] want = NaiveConv.conv(x, xs, w, ws, b, ys, s, pb, d, group);
            float[] got = y.toFloats();
            for (int i = 0; i < want.length; i++)
                assertEquals(want[i], got[i], 1e-4, "case " + java.util.Arrays.toString(c) + " element " + i);
        }
    }

    @Test
    void batchChunkingDoesNotChangeResults() {
        // 40 images of 7x7 are processed several per matrix product; each image must equal its own run exactly
        Random r = new Random(7);
        Tensor w = Tensor.ofFloats(Shape.of(8, 3, 3, 3), random(r, 8 * 27));
        float[] all = random(r, 40 * 3 * 49);
        Tensor batched = TestGraphs.run(Conv.of2d(1, 1), Tensor.ofFloats(Shape.of(40, 3, 7, 7), all), w);
        float[] bf = batched.toFloats();
        for (int n : new int[] {0, 17, 39}) {
            float[] one = java.util.Arrays.copyOfRange(all, n * 147, (n + 1) * 147);
            float[] single = TestGraphs.run(Conv.of2d(1, 1), Tensor.ofFloats(Shape.of(1, 3, 7, 7), one), w).toFloats();
            for (int i = 0; i < single.length; i++) assertEquals(single[i], bf[n * 8 * 49 + i], 0f);
        }
    }

    @Test
    void float16ResultIsRoundedToHalfPrecision() {
        // 1 + 1/4096 is not a float16 value; the result rounds to 1
        Tensor x = Tensor.ofFloats(DType.F16, Shape.of(1, 2, 1, 1), 1f, 1f / 2048);
        Tensor w = Tensor.ofFloats(DType.F16, Shape.of(1, 2, 1, 1), 1f, 0.5f);
        Tensor y = TestGraphs.run(Conv.of2d(1, 0), x, w);
        assertEquals(DType.F16, y.dtype());
        assertFloats(new float[] {1f}, y, 0f);
    }

    @Test
    void integerInputIsRejectedAtPrepareNamingTheNode() {
        Tensor x = Tensor.ofLongs(DType.I8, Shape.of(1, 1, 2, 2), 1, 2, 3, 4);
        Tensor w = Tensor.ofLongs(DType.I8, Shape.of(1, 1, 1, 1), 1);
        ModelException e = assertThrows(ModelException.class, () -> TestGraphs.run(Conv.of2d(1, 0), x, w));
        assertTrue(e.getMessage().contains("node 'n0_Conv'") && e.getMessage().contains("i8"), e.getMessage());
    }

    static float[] ones(int n) {
        float[] r = new float[n];
        java.util.Arrays.fill(r, 1f);
        return r;
    }

    static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    static Integer[] boxed(int[] a) { return java.util.Arrays.stream(a).boxed().toArray(Integer[]::new); }

    static List<Integer> concat(int[] a, List<Integer> b) {
        List<Integer> r = new java.util.ArrayList<>(List.of(boxed(a)));
        r.addAll(b);
        return r;
    }
}
