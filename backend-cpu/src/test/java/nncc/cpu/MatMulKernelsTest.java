package nncc.cpu;

import static nncc.cpu.TestGraphs.assertFloats;
import static nncc.cpu.TestGraphs.assertShape;
import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static nncc.cpu.TestGraphs.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Gemm;
import nncc.ir.op.MatMul;
import org.junit.jupiter.api.Test;

/** Gemm (flags, alpha, beta, C broadcast) and numpy MatMul (batch broadcast, 1-D operands), by hand. */
class MatMulKernelsTest {
    // A = [[1,2,3],[4,5,6]], B = [[1,2],[3,4],[5,6]]: A*B = [[22,28],[49,64]]
    private static final Tensor A = f32(dims(2, 3), iota(6));
    private static final Tensor B = f32(dims(3, 2), iota(6));
    private static final Tensor A_T = f32(dims(3, 2), 1, 4, 2, 5, 3, 6);
    private static final Tensor B_T = f32(dims(2, 3), 1, 3, 5, 2, 4, 6);

    @Test
    void gemmWithEveryTransposeCombination() {
        float[] want = {22, 28, 49, 64};
        assertFloats(want, TestGraphs.run(new Gemm(1, 1, false, false), A, B), 0f);
        assertFloats(want, TestGraphs.run(new Gemm(1, 1, true, false), A_T, B), 0f);
        assertFloats(want, TestGraphs.run(new Gemm(1, 1, false, true), A, B_T), 0f);
        assertFloats(want, TestGraphs.run(new Gemm(1, 1, true, true), A_T, B_T), 0f);
    }

    @Test
    void gemmAlphaBetaAndBroadcastC() {
        // 0.5 * AB + 2 * C
        assertFloats(new float[] {13, 17, 26.5f, 35}, TestGraphs.run(new Gemm(0.5f, 2, false, false), A, B, f32(dims(2), 1, 1.5f)), 0f);
        assertFloats(new float[] {24, 30, 51, 66}, TestGraphs.run(new Gemm(1, 1, false, false), A, B, f32(dims(2, 1), 2, 2)), 0f);
        assertFloats(new float[] {23, 29, 50, 65}, TestGraphs.run(new Gemm(1, 1, false, false), A, B, Tensor.ofFloats(Shape.SCALAR, 1)), 0f);
        assertFloats(new float[] {22, 28, 49, 64}, TestGraphs.run(new Gemm(1, 0, false, false), A, B, f32(dims(2, 2), 9, 9, 9, 9)), 0f);
    }

    @Test
    void matMulTwoDimensionalAndOneDimensional() {
        assertFloats(new float[] {22, 28, 49, 64}, TestGraphs.run(new MatMul(), A, B), 0f);
        Tensor vm = TestGraphs.run(new MatMul(), f32(dims(3), 1, 0, -1), B); // [3] x [3,2] -> [2]
        assertShape(vm, 2);
        assertFloats(new float[] {-4, -4}, vm, 0f);
        Tensor mv = TestGraphs.run(new MatMul(), A, f32(dims(3), 1, 1, 1)); // [2,3] x [3] -> [2]
        assertShape(mv, 2);
        assertFloats(new float[] {6, 15}, mv, 0f);
        Tensor vv = TestGraphs.run(new MatMul(), f32(dims(3), 1, 2, 3), f32(dims(3), 4, 5, 6)); // dot -> scalar
        assertShape(vv);
        assertFloats(new float[] {32}, vv, 0f);
    }

    @Test
    void matMulBroadcastsBatchDims() {
        // a [2,1,2,3] x b [3,3,2]: output [2,3,2,2]; compare each batch with a direct 2-D product
        Random r = new Random(1);
        float[] a = ConvKernelsTest.random(r, 12), b = ConvKernelsTest.random(r, 18);
        Tensor y = TestGraphs.run(new MatMul(), f32(dims(2, 1, 2, 3), a), f32(dims(3, 3, 2), b));
        assertShape(y, 2, 3, 2, 2);
        float[] got = y.toFloats();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int m = 0; m < 2; m++)
                    for (int n = 0; n < 2; n++) {
                        double s = 0;
                        for (int k = 0; k < 3; k++) s += (double) a[i * 6 + m * 3 + k] * b[j * 6 + k * 2 + n];
                        assertEquals(s, got[((i * 3 + j) * 2 + m) * 2 + n], 1e-5);
                    }
        // batched A with a shared 2-D B runs as one tall product
        Tensor tall = TestGraphs.run(new MatMul(), f32(dims(2, 2, 3), 1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0), B);
        assertFloats(new float[] {22, 28, 49, 64, 1, 2, 3, 4}, tall, 0f);
    }

    @Test
    void doubleMatMul() {
        Tensor y = TestGraphs.run(new MatMul(), Tensor.ofDoubles(Shape.of(1, 2), 0.1, 0.2), Tensor.ofDoubles(Shape.of(2, 1), 1, 1));
        assertEquals(DType.F64, y.dtype());
        assertArrayEquals(new double[] {0.1 + 0.2}, y.toDoubles(), 0.0);
    }
}
