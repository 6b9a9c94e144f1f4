package nncc.cpu;

import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static nncc.cpu.TestGraphs.ints;
import static nncc.cpu.TestGraphs.scalarF;
import static nncc.cpu.TestGraphs.scalarI;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.ConvInteger;
import nncc.ir.op.MatMulInteger;
import nncc.ir.op.QLinearConv;
import nncc.ir.op.QLinearMatMul;
import org.junit.jupiter.api.Test;

/** ConvInteger, MatMulInteger, QLinearConv and QLinearMatMul; every comparison is exact (tolerance 0). */
class IntegerLinearKernelsTest {
    private static final List<Integer> ONE_2D = List.of(1, 1);

    @Test
    void matMulIntegerOnnxExample() {
        Tensor a = ints(DType.U8, dims(4, 3), 11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0);
        Tensor b = ints(DType.U8, dims(3, 2), 1, 4, 2, 5, 3, 6);
        Tensor y = TestGraphs.run(new MatMulInteger(), a, b, scalarI(DType.U8, 12), scalarI(DType.U8, 0));
        assertEquals(DType.I32, y.dtype());
        assertArrayEquals(new long[] {-38, -83, -44, -98, -50, -113, -56, -128}, y.toLongs());
    }

    @Test
    void matMulIntegerPerColumnZeroPoint() {
        // b - [1, 2] per column: [[0, 0], [1, 1]]; a = [[1, 2]] -> [[2, 2]]
        Tensor y = TestGraphs.run(new MatMulInteger(), ints(DType.I8, dims(1, 2), 1, 2), ints(DType.I8, dims(2, 2), 1, 2, 2, 3),
                scalarI(DType.I8, 0), ints(DType.I8, dims(2), 1, 2));
        assertArrayEquals(new long[] {2, 2}, y.toLongs());
    }

    @Test
    void qLinearMatMulOnnxExample() {
        Tensor a = ints(DType.U8, dims(2, 4), 208, 236, 0, 238, 3, 214, 255, 29);
        Tensor b = ints(DType.U8, dims(4, 3), 152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247);
        Tensor y = TestGraphs.run(new QLinearMatMul(DType.U8), a, scalarF(0.0066f), scalarI(DType.U8, 113),
                b, scalarF(0.00705f), scalarI(DType.U8, 114), scalarF(0.0107f), scalarI(DType.U8, 118));
        assertEquals(DType.U8, y.dtype());
        assertArrayEquals(new long[] {168, 115, 255, 1, 66, 151}, y.toLongs());
    }

    @Test
    void qLinearMatMulRoundsTiesToEven() {
        // acc = 1*1 + 2*2 = 5 and 1*3 + 2*4 = 11; multiplier 0.5 -> 2.5 and 5.5 -> 2 and 6
        Tensor y = TestGraphs.run(new QLinearMatMul(DType.I8), ints(DType.I8, dims(1, 2), 1, 2), scalarF(1f), scalarI(DType.I8, 0),
                ints(DType.I8, dims(2, 2), 1, 3, 2, 4), scalarF(0.5f), scalarI(DType.I8, 0), scalarF(1f), scalarI(DType.I8, 0));
        assertArrayEquals(new long[] {2, 6}, y.toLongs());
    }

    @Test
    void convIntegerOnnxExample() {
        // x = 2..10 as 3x3 with zero point 1, 2x2 kernel of ones, pad 1
        long[] x = new long[9];
        for (int i = 0; i < 9; i++) x[i] = i + 2;
        Tensor y = TestGraphs.run(new ConvInteger(ONE_2D, List.of(1, 1, 1, 1), ONE_2D, 1), ints(DType.U8, dims(1, 1, 3, 3), x),
                ints(DType.U8, dims(1, 1, 2, 2), 1, 1, 1, 1), scalarI(DType.U8, 1), scalarI(DType.U8, 0));
        assertEquals(DType.I32, y.dtype());
        assertArrayEquals(new long[] {1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9}, y.toLongs());
    }

    @Test
    void qLinearConvPerChannelWithBias() {
        // x - 10 = [0, 10, 20, 30]; channel 0: *3 + 4 = [4, 34, 64, 94], multiplier 0.5*0.25/0.5 = 0.25
        //   -> [1, 8.5, 16, 23.5] -> [1, 8, 16, 24] + 128; channel 1: *-2 - 10, multiplier 1 -> [-10,-30,-50,-70] + 128
        Tensor y = TestGraphs.run(new QLinearConv(ONE_2D, List.of(0, 0, 0, 0), ONE_2D, 1, DType.U8),
                ints(DType.U8, dims(1, 1, 2, 2), 10, 20, 30, 40), scalarF(0.5f), scalarI(DType.U8, 10),
                ints(DType.I8, dims(2, 1, 1, 1), 3, -2), f32(dims(2), 0.25f, 1f), ints(DType.I8, dims(2), 0, 0),
                scalarF(0.5f), scalarI(DType.U8, 128), ints(DType.I32, dims(2), 4, -10));
        assertArrayEquals(new long[] {129, 136, 144, 152, 118, 98, 78, 58}, y.toLongs());
    }

    @Test
    void qLinearConvSaturatesToInt8() {
        Tensor y = TestGraphs.run(new QLinearConv(ONE_2D, List.of(0, 0, 0, 0), ONE_2D, 1, DType.I8),
                ints(DType.I8, dims(1, 1, 1, 2), 127, -128), scalarF(1f), scalarI(DType.I8, 0),
                ints(DType.I8, dims(1, 1, 1, 1), 2), scalarF(1f), scalarI(DType.I8, 0), scalarF(1f), scalarI(DType.I8, 0));
        assertArrayEquals(new long[] {127, -128}, y.toLongs());
    }

    @Test
    void convIntegerRandomizedAgainstNaiveDefinition() {
        // groups, strides, pads and per-channel weight zero points; integers are exact in the double reference
        Random r = new Random(11);
        int group = 2, batch = 2;
        int[] xs = {batch, 4, 6, 5}, ws = {6, 2, 3, 2}, ys = {batch, 6, 3, 4};
        long[] x = new long[NdArray.sizeOf(xs)], w = new long[NdArray.sizeOf(ws)], wZp = new long[6];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(256);
        for (int i = 0; i < w.length; i++) w[i] = r.nextInt(256) - 128;
        for (int i = 0; i < 6; i++) wZp[i] = r.nextInt(9) - 4;
        long xZp = 131;
        ConvInteger op = new ConvInteger(List.of(2, 1), List.of(1, 0, 0, 1), List.of(1, 2), group);
        Tensor y = TestGraphs.run(op, Tensor.ofLongs(DType.U8, Shape.of(xs), x), Tensor.ofLongs(DType.I8, Shape.of(ws), w),
                scalarI(DType.U8, xZp), Tensor.ofLongs(DType.I8, Shape.of(6), wZp));
        assertEquals(Shape.of(ys), y.shape());
        float[] xf = new float[x.length], wf = new float[w.length];
        for (int i = 0; i < x.length; i++) xf[i] = x[i] - xZp;
        for (int i = 0; i < w.length; i++) wf[i] = w[i] - wZp[i / 12];
        double[] want = NaiveConv.conv(xf, xs, wf, ws, null, ys, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, group);
        long[] got = y.toLongs();
        for (int i = 0; i < want.length; i++) assertEquals((long) want[i], got[i], "element " + i);
    }
}
