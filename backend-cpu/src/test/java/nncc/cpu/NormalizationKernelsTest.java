package nncc.cpu;

import static nncc.cpu.TestGraphs.assertFloats;
import static nncc.cpu.TestGraphs.assertShape;
import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static nncc.cpu.TestGraphs.ints;
import static nncc.cpu.TestGraphs.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Tensor;
import nncc.ir.op.BatchNormalization;
import nncc.ir.op.ReduceMean;
import org.junit.jupiter.api.Test;

/** BatchNormalization (inference) and ReduceMean, by hand. */
class NormalizationKernelsTest {

    @Test
    void batchNormalizationPerChannel() {
        // channel 0: scale 2, bias 1, mean 1, var 4 (eps 0): y = 2 * (x - 1) / 2 + 1 = x
        // channel 1: scale 1, bias 0, mean 10, var 0.25: y = (x - 10) / 0.5
        Tensor y = TestGraphs.run(new BatchNormalization(0f), f32(dims(1, 2, 2), 3, 5, 11, 9),
                f32(dims(2), 2, 1), f32(dims(2), 1, 0), f32(dims(2), 1, 10), f32(dims(2), 4, 0.25f));
        assertFloats(new float[] {3, 5, 2, -2}, y, 0f);
    }

    @Test
    void batchNormalizationEpsilonUnderTheRoot() {
        // var 0, eps 0.25: divide by 0.5
        Tensor y = TestGraphs.run(new BatchNormalization(0.25f), f32(dims(2, 1, 1), 1, -1),
                f32(dims(1), 1), f32(dims(1), 0), f32(dims(1), 0), f32(dims(1), 0));
        assertFloats(new float[] {2, -2}, y, 0f);
    }

    @Test
    void reduceMeanOverAxes() {
        Tensor x = f32(dims(2, 3), iota(6));
        Tensor rows = TestGraphs.run(new ReduceMean(List.of(1), true), x);
        assertShape(rows, 2, 1);
        assertFloats(new float[] {2, 5}, rows, 0f);
        Tensor cols = TestGraphs.run(new ReduceMean(List.of(-2), false), x);
        assertShape(cols, 3);
        assertFloats(new float[] {2.5f, 3.5f, 4.5f}, cols, 0f);
        Tensor all = TestGraphs.run(new ReduceMean(List.of(), false), x);
        assertShape(all);
        assertFloats(new float[] {3.5f}, all, 0f);
        // spatial mean of NCHW, as a global average pool
        Tensor spatial = TestGraphs.run(new ReduceMean(List.of(2, 3), true), f32(dims(1, 2, 1, 2), 1, 2, 3, 5));
        assertShape(spatial, 1, 2, 1, 1);
        assertFloats(new float[] {1.5f, 4f}, spatial, 0f);
    }

    @Test
    void reduceMeanOnIntegersTruncates() {
        Tensor y = TestGraphs.run(new ReduceMean(List.of(0), false), ints(DType.I32, dims(2, 2), 1, -1, 2, -2));
        assertArrayEquals(new long[] {1, -1}, y.toLongs()); // 1.5 -> 1, -1.5 -> -1
    }
}
