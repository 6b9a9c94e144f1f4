package nncc.cpu;

import static nncc.cpu.TestGraphs.assertFloats;
import static nncc.cpu.TestGraphs.assertShape;
import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static nncc.cpu.TestGraphs.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.AveragePool;
import nncc.ir.op.GlobalAveragePool;
import nncc.ir.op.MaxPool;
import org.junit.jupiter.api.Test;

/** MaxPool (values and indices), AveragePool (count_include_pad, ceil mode) and GlobalAveragePool, by hand. */
class PoolKernelsTest {

    private static MaxPool maxPool2d(int k, int s, int pad, boolean ceil, int storageOrder) {
        return new MaxPool(List.of(k, k), List.of(s, s), List.of(pad, pad, pad, pad), List.of(1, 1), ceil, storageOrder);
    }

    @Test
    void maxPoolWithIndicesOverTwoImages() {
        // 2 images of 1x4x4; image 1 is image 0 negated, so its maxima sit at the other corner of each window
        float[] x = new float[32];
        for (int i = 0; i < 16; i++) { x[i] = i; x[16 + i] = -i; }
        List<Tensor> out = TestGraphs.runOp(maxPool2d(2, 2, 0, false, 0), false, 2, f32(dims(2, 1, 4, 4), x));
        assertFloats(new float[] {5, 7, 13, 15, 0, -2, -8, -10}, out.get(0), 0f);
        assertEquals(DType.I64, out.get(1).dtype());
        // flat indices into the whole input tensor, image 1 offset by 16
        assertArrayEquals(new long[] {5, 7, 13, 15, 16, 18, 24, 26}, out.get(1).toLongs());
    }

    @Test
    void columnMajorIndicesWithStorageOrderOne() {
        // input [[1,2,3],[4,5,0]], one window over all of it: the max 5 sits at (h=1, w=1),
        // row-major offset 1*3 + 1 = 4, column-major offset 1 + 1*2 = 3
        Tensor x = f32(dims(1, 1, 2, 3), 1, 2, 3, 4, 5, 0);
        MaxPool op = new MaxPool(List.of(2, 3), List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), false, 1);
        assertArrayEquals(new long[] {3}, TestGraphs.runOp(op, false, 2, x).get(1).toLongs());
        MaxPool rowMajor = new MaxPool(List.of(2, 3), List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), false, 0);
        assertArrayEquals(new long[] {4}, TestGraphs.runOp(rowMajor, false, 2, x).get(1).toLongs());
    }

    @Test
    void paddingNeverWinsTheMax() {
        float[] x = new float[9];
        for (int i = 0; i < 9; i++) x[i] = -1 - i;
        Tensor y = TestGraphs.run(maxPool2d(2, 2, 1, false, 0), f32(dims(1, 1, 3, 3), x));
        assertShape(y, 1, 1, 2, 2);
        assertFloats(new float[] {-1, -2, -4, -5}, y, 0f);
    }

    @Test
    void ceilModeAddsAPartialWindow() {
        Tensor y = TestGraphs.run(new MaxPool(List.of(2), List.of(2), List.of(0, 0), List.of(1), true, 0),
                f32(dims(1, 1, 5), 3, 1, 4, 1, 5));
        assertFloats(new float[] {3, 4, 5}, y, 0f);
        Tensor floor = TestGraphs.run(new MaxPool(List.of(2), List.of(2), List.of(0, 0), List.of(1), false, 0),
                f32(dims(1, 1, 5), 3, 1, 4, 1, 5));
        assertFloats(new float[] {3, 4}, floor, 0f);
    }

    @Test
    void dilatedMaxPool() {
        // kernel 2 with dilation 2 over 1..5 compares x[i] and x[i+2]
        Tensor y = TestGraphs.run(new MaxPool(List.of(2), List.of(1), List.of(0, 0), List.of(2), false, 0),
                f32(dims(1, 1, 5), 5, 1, 2, 4, 3));
        assertFloats(new float[] {5, 4, 3}, y, 0f);
    }

    @Test
    void emptyWindowGivesZeroAndIndexMinusOne() {
        // two pads on the left, kernel 2, stride 2: the first window covers only padding
        MaxPool op = new MaxPool(List.of(1, 2), List.of(1, 2), List.of(0, 2, 0, 0), List.of(1, 1), false, 0);
        Tensor x = f32(dims(1, 1, 1, 2), -5, -7);
        assertFloats(new float[] {0, -5}, TestGraphs.run(op, x), 0f);
        List<Tensor> both = TestGraphs.runOp(op, false, 2, x);
        assertFloats(new float[] {0, -5}, both.get(0), 0f);
        assertArrayEquals(new long[] {-1, 0}, both.get(1).toLongs());
    }

    @Test
    void nanWinsTheMaxWithAndWithoutIndices() {
        MaxPool op = new MaxPool(List.of(1, 2), List.of(1, 2), List.of(0, 0, 0, 0), List.of(1, 1), false, 0);
        Tensor x = f32(dims(1, 1, 1, 4), 1, Float.NaN, 3, 2);
        assertFloats(new float[] {Float.NaN, 3}, TestGraphs.run(op, x), 0f);
        List<Tensor> both = TestGraphs.runOp(op, false, 2, x);
        assertFloats(new float[] {Float.NaN, 3}, both.get(0), 0f);
        assertArrayEquals(new long[] {1, 2}, both.get(1).toLongs());
    }

    @Test
    void maxPoolOnInt8() {
        Tensor x = Tensor.ofLongs(DType.I8, Shape.of(1, 1, 2, 2), -128, -5, 100, 127);
        Tensor y = TestGraphs.run(maxPool2d(2, 2, 0, false, 0), x);
        assertEquals(DType.I8, y.dtype());
        assertArrayEquals(new long[] {127}, y.toLongs());
    }

    @Test
    void maxPoolIntegerValuesMatchTheIndexedPath() {
        // the values-only path for integers (rows of taps) against the indexed path (one window at a time), on padded,
        // strided, dilated and ceil-mode windows, including windows that cover nothing (value 0)
        java.util.Random r = new java.util.Random(3);
        for (int trial = 0; trial < 30; trial++) {
            int k = 1 + r.nextInt(3), s = 1 + r.nextInt(3), d = 1 + r.nextInt(2), p = r.nextInt(k);
            MaxPool op = new MaxPool(List.of(k, k), List.of(s, s), List.of(p, p, p, p), List.of(d, d), r.nextBoolean(), 0);
            int h = (k - 1) * d + 1 + r.nextInt(6);
            long[] v = new long[2 * 3 * h * h];
            for (int i = 0; i < v.length; i++) v[i] = r.nextInt(256) - 128;
            Tensor x = Tensor.ofLongs(DType.I8, Shape.of(2, 3, h, h), v);
            Tensor values = TestGraphs.run(op, x);
            assertEquals(TestGraphs.runOp(op, false, 2, x).get(0), values, "trial " + trial);
        }
    }

    @Test
    void averagePoolCountIncludePadOnAndOff() {
        // 3x3 input 1..9, kernel 2, stride 2, pad 1: windows hold {1}, {2,3}, {4,7}, {5,6,8,9}
        Tensor x = f32(dims(1, 1, 3, 3), iota(9));
        Tensor with = TestGraphs.run(new AveragePool(List.of(2, 2), List.of(2, 2), List.of(1, 1, 1, 1), false, true), x);
        assertFloats(new float[] {0.25f, 1.25f, 2.75f, 7f}, with, 0f);
        Tensor without = TestGraphs.run(new AveragePool(List.of(2, 2), List.of(2, 2), List.of(1, 1, 1, 1), false, false), x);
        assertFloats(new float[] {1f, 2.5f, 5.5f, 7f}, without, 0f);
    }

    @Test
    void averagePoolCeilOverhangIsNeverCounted() {
        // no pads, ceil mode: the last row/column windows hang over the input; both modes divide by the real taps
        Tensor x = f32(dims(1, 1, 3, 3), iota(9));
        for (boolean include : new boolean[] {true, false}) {
            Tensor y = TestGraphs.run(new AveragePool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), true, include), x);
            assertShape(y, 1, 1, 2, 2);
            assertFloats(new float[] {3f, 4.5f, 7.5f, 9f}, y, 0f);
        }
    }

    @Test
    void averagePoolPadsAndCeilTogether() {
        // x = [1,2,3,4], kernel 3, stride 2, pads 1/1, ceil: windows [-1..1], [1..3], [3..5];
        // tap 4 is explicit padding (counted with count_include_pad), tap 5 is ceil overhang (never counted)
        Tensor x = f32(dims(1, 1, 4), 1, 2, 3, 4);
        Tensor with = TestGraphs.run(new AveragePool(List.of(3), List.of(2), List.of(1, 1), true, true), x);
        assertFloats(new float[] {1f, 3f, 2f}, with, 0f);
        Tensor without = TestGraphs.run(new AveragePool(List.of(3), List.of(2), List.of(1, 1), true, false), x);
        assertFloats(new float[] {1.5f, 3f, 4f}, without, 0f);
    }

    @Test
    void globalAveragePoolPerChannel() {
        Tensor y = TestGraphs.run(new GlobalAveragePool(), f32(dims(1, 2, 2, 2), 1, 2, 3, 4, 10, 20, 30, 41));
        assertShape(y, 1, 2, 1, 1);
        assertFloats(new float[] {2.5f, 25.25f}, y, 0f);
    }
}
