package nncc.cpu;

import static nncc.cpu.TestGraphs.assertFloats;
import static nncc.cpu.TestGraphs.assertShape;
import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static nncc.cpu.TestGraphs.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Add;
import nncc.ir.op.Div;
import nncc.ir.op.Mul;
import nncc.ir.op.PRelu;
import nncc.ir.op.Sub;
import org.junit.jupiter.api.Test;

/** Add, Sub, Mul, Div and PRelu: broadcasting, integer wrap-around like numpy, f64 and f16 precision. */
class ElementwiseKernelsTest {

    @Test
    void broadcastRowAndColumn() {
        Tensor y = TestGraphs.run(new Add(), f32(dims(2, 3), 1, 2, 3, 4, 5, 6), f32(dims(3), 10, 20, 30));
        assertFloats(new float[] {11, 22, 33, 14, 25, 36}, y, 0f);
        Tensor outer = TestGraphs.run(new Mul(), f32(dims(2, 1), 2, 3), f32(dims(1, 3), 1, 10, 100));
        assertShape(outer, 2, 3);
        assertFloats(new float[] {2, 20, 200, 3, 30, 300}, outer, 0f);
    }

    @Test
    void channelBiasBroadcastOverNchw() {
        float[] x = new float[2 * 3 * 2 * 2];
        Tensor y = TestGraphs.run(new Sub(), f32(dims(2, 3, 2, 2), x), f32(dims(1, 3, 1, 1), 1, 2, 3));
        float[] want = new float[24];
        for (int i = 0; i < 24; i++) want[i] = -((i / 4) % 3 + 1);
        assertFloats(want, y, 0f);
    }

    @Test
    void uint8WrapsAroundLikeNumpy() {
        Tensor a = ints(DType.U8, dims(3), 200, 10, 255), b = ints(DType.U8, dims(3), 100, 20, 1);
        assertArrayEquals(new long[] {44, 246, 0}, new long[] {
                TestGraphs.run(new Add(), a, b).toLongs()[0], TestGraphs.run(new Sub(), a, b).toLongs()[1],
                TestGraphs.run(new Add(), a, b).toLongs()[2]});
        assertArrayEquals(new long[] {32, 200, 255}, TestGraphs.run(new Mul(), a, b).toLongs()); // 20000 mod 256 = 32
        assertEquals(DType.U8, TestGraphs.run(new Add(), a, b).dtype());
    }

    @Test
    void signedIntegersWrapAndDivideTowardZero() {
        assertArrayEquals(new long[] {-56, 127}, TestGraphs.run(new Mul(),
                ints(DType.I8, dims(2), 100, -127), ints(DType.I8, dims(2), 2, -1)).toLongs());
        assertArrayEquals(new long[] {-32768}, TestGraphs.run(new Add(),
                ints(DType.I16, dims(1), 32767), ints(DType.I16, dims(1), 1)).toLongs());
        assertArrayEquals(new long[] {-3, 3, -3, 2}, TestGraphs.run(new Div(),
                ints(DType.I32, dims(4), -7, 7, 7, 5), ints(DType.I32, dims(4), 2, 2, -2, 2)).toLongs());
        assertArrayEquals(new long[] {Long.MIN_VALUE}, TestGraphs.run(new Add(),
                ints(DType.I64, dims(1), Long.MAX_VALUE), ints(DType.I64, dims(1), 1)).toLongs());
    }

    @Test
    void integerDivisionByZeroIsAnError() {
        ModelException e = assertThrows(ModelException.class, () -> TestGraphs.run(new Div(),
                ints(DType.I32, dims(1), 1), ints(DType.I32, dims(1), 0)));
        assertTrue(e.getMessage().contains("division by zero") && e.getMessage().contains("node '"), e.getMessage());
    }

    @Test
    void doubleStaysDouble() {
        Tensor y = TestGraphs.run(new Add(), Tensor.ofDoubles(Shape.of(1), 0.1), Tensor.ofDoubles(Shape.of(1), 0.2));
        assertEquals(DType.F64, y.dtype());
        assertEquals(0.30000000000000004, y.toDoubles()[0], 0.0); // the double sum, not the float one
        Tensor q = TestGraphs.run(new Div(), Tensor.ofDoubles(Shape.of(1), 1.0), Tensor.ofDoubles(Shape.of(1), 3.0));
        assertEquals(1.0 / 3.0, q.toDoubles()[0], 0.0);
    }

    @Test
    void float16IsRoundedBack() {
        Tensor a = Tensor.ofFloats(DType.F16, Shape.of(2), 1f, 2048f), b = Tensor.ofFloats(DType.F16, Shape.of(2), 1f / 4096, 1f);
        Tensor y = TestGraphs.run(new Add(), a, b);
        assertEquals(DType.F16, y.dtype());
        assertFloats(new float[] {1f, 2048f}, y, 0f); // neither sum is representable in f16; both round to even
    }

    @Test
    void preluSlopePerChannel() {
        Tensor y = TestGraphs.run(new PRelu(), f32(dims(1, 2, 2), -1, 2, -3, 4), f32(dims(2, 1), 0.5f, 0.25f));
        assertFloats(new float[] {-0.5f, 2, -0.75f, 4}, y, 0f);
    }

    @Test
    void scalarOperands() {
        Tensor y = TestGraphs.run(new Mul(), Tensor.ofFloats(Shape.SCALAR, 3f), f32(dims(2), 1.5f, -2f));
        assertShape(y, 2);
        assertFloats(new float[] {4.5f, -6f}, y, 0f);
    }
}
