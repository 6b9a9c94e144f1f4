package nncc.cpu;

import static nncc.cpu.TestGraphs.assertFloats;
import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static nncc.cpu.TestGraphs.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Clip;
import nncc.ir.op.HardSigmoid;
import nncc.ir.op.HardSwish;
import nncc.ir.op.LeakyRelu;
import nncc.ir.op.Relu;
import nncc.ir.op.Sigmoid;
import nncc.ir.op.Softmax;
import nncc.ir.op.Tanh;
import org.junit.jupiter.api.Test;

/**
 * Activations. Transcendental results are compared with a tolerance of 1e-6 (one or two float ulps near 1);
 * piecewise-linear ones exactly.
 */
class ActivationKernelsTest {

    @Test
    void reluOnFloatAndInt8() {
        assertFloats(new float[] {0, 0, 2.5f}, TestGraphs.run(new Relu(), f32(dims(3), -1, 0, 2.5f)), 0f);
        Tensor y = TestGraphs.run(new Relu(), ints(DType.I8, dims(3), -128, 0, 127));
        assertEquals(DType.I8, y.dtype());
        assertArrayEquals(new long[] {0, 0, 127}, y.toLongs());
    }

    @Test
    void clipOnFloatAndIntegers() {
        assertFloats(new float[] {-1, 0.5f, 6}, TestGraphs.run(new Clip(-1, 6), f32(dims(3), -3, 0.5f, 7)), 0f);
        assertArrayEquals(new long[] {-3, 0, 5}, TestGraphs.run(new Clip(-3, 5), ints(DType.I8, dims(3), -128, 0, 127)).toLongs());
        assertArrayEquals(new long[] {0, 255}, TestGraphs.run(
                new Clip(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY), ints(DType.U8, dims(2), 0, 255)).toLongs());
    }

    @Test
    void leakyAndHardFunctions() {
        assertFloats(new float[] {-0.2f, 3}, TestGraphs.run(new LeakyRelu(0.1f), f32(dims(2), -2, 3)), 0f);
        // hard sigmoid 0.2x + 0.5 clamped: -3 -> 0, 0 -> 0.5, 1 -> 0.7, 3 -> 1
        assertFloats(new float[] {0, 0.5f, 0.7f, 1}, TestGraphs.run(new HardSigmoid(0.2f, 0.5f), f32(dims(4), -3, 0, 1, 3)), 1e-7f);
        // hard swish x * clamp(x/6 + 1/2): -4 -> 0, 0 -> 0, 1 -> 2/3, 4 -> 4
        assertFloats(new float[] {0, 0, 2f / 3, 4}, TestGraphs.run(new HardSwish(), f32(dims(4), -4, 0, 1, 4)), 1e-6f);
    }

    @Test
    void sigmoidAndTanh() {
        assertFloats(new float[] {0.5f, 0.7310586f, 0.26894143f}, TestGraphs.run(new Sigmoid(), f32(dims(3), 0, 1, -1)), 1e-6f);
        assertFloats(new float[] {0f, 0.7615942f}, TestGraphs.run(new Tanh(), f32(dims(2), 0, 1)), 1e-6f);
        Tensor d = TestGraphs.run(new Sigmoid(), Tensor.ofDoubles(Shape.of(1), 2.0));
        assertEquals(1 / (1 + Math.exp(-2.0)), d.toDoubles()[0], 0.0);
    }

    @Test
    void softmaxAlongAnAxis() {
        // rows [1,2,3] and [1000,1001,1002] give the same probabilities (max subtracted, no overflow)
        Tensor y = TestGraphs.run(new Softmax(1), f32(dims(2, 3), 1, 2, 3, 1000, 1001, 1002));
        float[] p = {0.09003057f, 0.24472847f, 0.66524096f};
        assertFloats(new float[] {p[0], p[1], p[2], p[0], p[1], p[2]}, y, 1e-6f);
        // along axis 0 of [2, 2]: columns are normalized
        Tensor c = TestGraphs.run(new Softmax(0), f32(dims(2, 2), 0, 5, 0, 5));
        assertFloats(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, c, 1e-7f);
    }
}
