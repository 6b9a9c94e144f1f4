package nncc.cpu;

import static nncc.cpu.TestGraphs.assertFloats;
import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static nncc.cpu.TestGraphs.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Activation;
import nncc.ir.op.Add;
import nncc.ir.op.Conv;
import nncc.ir.op.ConvTranspose;
import nncc.ir.op.Gemm;
import nncc.ir.op.Mul;
import nncc.ir.op.Sub;
import org.junit.jupiter.api.Test;

/** The fused activation of Conv, ConvTranspose, Gemm, Add, Sub and Mul clamps their results (exact values). */
class FusedActivationTest {

    @Test
    void convWithRelu6() {
        // 1x1 conv with weight 2 and bias -1: [-3, 1, 4, 10] -> [-7, 1, 7, 19] -> clamp [0, 6]
        Conv op = Conv.of2d(1, 0).withActivation(Activation.RELU6);
        Tensor y = TestGraphs.run(op, f32(dims(1, 1, 2, 2), -3, 1, 4, 10), f32(dims(1, 1, 1, 1), 2), f32(dims(1), -1));
        assertFloats(new float[] {0, 1, 6, 6}, y, 0f);
        // and without: the raw values
        assertFloats(new float[] {-7, 1, 7, 19}, TestGraphs.run(Conv.of2d(1, 0), f32(dims(1, 1, 2, 2), -3, 1, 4, 10),
                f32(dims(1, 1, 1, 1), 2), f32(dims(1), -1)), 0f);
    }

    @Test
    void convTransposeWithRelu() {
        ConvTranspose op = new ConvTranspose(List.of(1), List.of(0, 0), List.of(1), 1, List.of(0)).withActivation(Activation.RELU);
        // 1-D, kernel [1, -1]: x = [1, 3] -> [1, 3 - 1, -3] = [1, 2, -3] -> [1, 2, 0]
        Tensor y = TestGraphs.run(op, f32(dims(1, 1, 2), 1, 3), f32(dims(1, 1, 2), 1, -1));
        assertFloats(new float[] {1, 2, 0}, y, 0f);
    }

    @Test
    void gemmWithReluInFloatAndDouble() {
        Gemm op = new Gemm(1, 1, false, false).withActivation(Activation.RELU);
        // [1, 2] x [[1, -1], [1, -2]] = [3, -5]
        assertFloats(new float[] {3, 0}, TestGraphs.run(op, f32(dims(1, 2), 1, 2), f32(dims(2, 2), 1, -1, 1, -2)), 0f);
        Tensor y = TestGraphs.run(op, Tensor.ofDoubles(Shape.of(1, 2), 1, 2), Tensor.ofDoubles(Shape.of(2, 2), 1, -1, 1, -2));
        assertArrayEquals(new double[] {3, 0}, y.toDoubles(), 0);
    }

    @Test
    void elementwiseOpsWithTheirActivations() {
        Tensor a = f32(dims(4), -3, 0.5f, 2, -0.25f), b = f32(dims(4), 0, 0, 0, 0);
        assertFloats(new float[] {-1, 0.5f, 1, -0.25f}, TestGraphs.run(new Add(Activation.RELU_N1_TO_1), a, b), 0f);
        assertFloats(new float[] {0, 0.5f, 2, 0}, TestGraphs.run(new Sub(Activation.RELU), a, b), 0f);
        // [-3, 0.5, 2, -0.25] * 4 = [-12, 2, 8, -1] -> [0, 2, 6, 0]
        assertFloats(new float[] {0, 2, 6, 0}, TestGraphs.run(new Mul(Activation.RELU6), a, f32(dims(1), 4)), 0f);
    }

    @Test
    void integerAddClampsToTheIntegersInsideTheBounds() {
        Tensor y = TestGraphs.run(new Add(Activation.RELU6), ints(DType.I32, dims(3), -5, 3, 9), ints(DType.I32, dims(1), 1));
        assertArrayEquals(new long[] {0, 4, 6}, y.toLongs());
    }
}
