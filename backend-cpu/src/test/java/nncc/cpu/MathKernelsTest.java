package nncc.cpu;

import static nncc.cpu.TestGraphs.assertFloats;
import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static org.junit.jupiter.api.Assertions.assertEquals;

import nncc.ir.op.Erf;
import nncc.ir.op.Gelu;
import nncc.ir.op.LayerNormalization;
import nncc.ir.op.Pow;
import nncc.ir.op.Sqrt;
import org.junit.jupiter.api.Test;

/** Pow, Sqrt, Erf, Gelu and LayerNormalization against values computed by hand or from tables. */
class MathKernelsTest {
    @Test
    void erfMatchesTabulatedValues() {
        // reference values of erf to 16 digits; the series loses a few digits near 3 to cancellation (still 1e-13)
        double[][] table = {{0, 0}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149}, {2, 0.9953222650189527},
                {2.9, 0.9999589021219005}, {3.5, 0.9999992569016276}, {-1, -0.8427007929497149}, {7, 1}};
        for (double[] row : table) assertEquals(row[1], MathKernels.erf(row[0]), 1e-13, "erf(" + row[0] + ")");
        assertFloats(new float[] {0f, 0.5204999f, -0.9953223f}, TestGraphs.run(new Erf(), f32(dims(3), 0f, 0.5f, -2f)), 1e-7f);
    }

    @Test
    void powAndSqrtBroadcast() {
        assertFloats(new float[] {1, 4, 9, 1, 8, 27}, TestGraphs.run(new Pow(), f32(dims(2, 3), 1, 2, 3, 1, 2, 3), f32(dims(2, 1), 2, 3)), 0f);
        assertFloats(new float[] {2, 0.5f, Float.NaN}, TestGraphs.run(new Sqrt(), f32(dims(3), 4, 0.25f, -1)), 0f);
    }

    @Test
    void geluExactAndTanh() {
        // 0.5 x (1 + erf(x / sqrt 2)) at x = 1: 0.5 * (1 + 0.6826894921370859) = 0.8413447460685429
        assertFloats(new float[] {0f, 0.8413447f, -0.15865526f},
                TestGraphs.run(new Gelu(Gelu.Approximation.NONE), f32(dims(3), 0, 1, -1)), 1e-7f);
        // tanh form at x = 1: 0.5 * (1 + tanh(0.7978845608 * 1.044715)) = 0.8411919906
        assertFloats(new float[] {0.84119199f}, TestGraphs.run(new Gelu(Gelu.Approximation.TANH), f32(dims(1), 1)), 1e-7f);
    }

    @Test
    void layerNormalizationPerRowWithBroadcastScaleAndBias() {
        // row [1, 2, 3, 6]: mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5, eps 0.5 -> divide by 2
        //   normalized [-1, -0.5, 0, 1.5]; scale [2, 2, 2, 2] (broadcast from [1]), bias [0, 1, 0, 1]
        // row [4, 4, 4, 4]: variance 0 -> normalized 0 -> bias
        float[] y = {-2, 0, 0, 4, 0, 1, 0, 1};
        assertFloats(y, TestGraphs.run(new LayerNormalization(-1, 0.5f), f32(dims(2, 4), 1, 2, 3, 6, 4, 4, 4, 4),
                f32(dims(1), 2), f32(dims(4), 0, 1, 0, 1)), 1e-6f);
        // over both dims of a [1, 2, 2] input, without bias: mean 2.5, variance 1.25, eps 0 -> (x - 2.5) / 1.1180340
        assertFloats(new float[] {-1.3416408f, -0.4472136f, 0.4472136f, 1.3416408f},
                TestGraphs.run(new LayerNormalization(1, 0f), f32(dims(1, 2, 2), 1, 2, 3, 4), f32(dims(2, 2), 1, 1, 1, 1)), 1e-6f);
    }
}
