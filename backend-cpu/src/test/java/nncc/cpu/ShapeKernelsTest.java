package nncc.cpu;

import static nncc.cpu.TestGraphs.assertFloats;
import static nncc.cpu.TestGraphs.assertShape;
import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static nncc.cpu.TestGraphs.ints;
import static nncc.cpu.TestGraphs.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Concat;
import nncc.ir.op.Dropout;
import nncc.ir.op.Flatten;
import nncc.ir.op.Gather;
import nncc.ir.op.Identity;
import nncc.ir.op.Pad;
import nncc.ir.op.Reshape;
import nncc.ir.op.Slice;
import nncc.ir.op.Squeeze;
import nncc.ir.op.Transpose;
import nncc.ir.op.Unsqueeze;
import org.junit.jupiter.api.Test;

/** Data movement ops on float and integer tensors, by hand. */
class ShapeKernelsTest {

    @Test
    void viewsKeepTheData() {
        Tensor x = f32(dims(1, 2, 3), iota(6));
        assertShape(TestGraphs.run(new Reshape(List.of(3L, -1L), false), x), 3, 2);
        assertShape(TestGraphs.run(new Flatten(1), x), 1, 6);
        assertShape(TestGraphs.run(new Squeeze(List.of(0)), x), 2, 3);
        assertShape(TestGraphs.run(new Unsqueeze(List.of(0, 3)), x), 1, 1, 2, 1, 3);
        Tensor same = TestGraphs.run(new Identity(), x);
        assertEquals(x, same);
        assertFloats(iota(6), TestGraphs.run(new Reshape(List.of(6L), false), x), 0f);
    }

    @Test
    void dropoutIsIdentityWithAllTrueMask() {
        Tensor x = ints(DType.I8, dims(2, 2), 1, -2, 3, -4);
        List<Tensor> out = TestGraphs.runOp(new Dropout(0.5f), false, 2, x);
        assertEquals(x, out.get(0));
        assertEquals(DType.BOOL, out.get(1).dtype());
        assertArrayEquals(new long[] {1, 1, 1, 1}, out.get(1).toLongs());
    }

    @Test
    void transposeThreeDims() {
        // x[a][b][c] of shape [2,3,2] -> perm [2,0,1] gives y[c][a][b]
        Tensor y = TestGraphs.run(new Transpose(List.of(2, 0, 1)), f32(dims(2, 3, 2), iota(12)));
        assertShape(y, 2, 2, 3);
        assertFloats(new float[] {1, 3, 5, 7, 9, 11, 2, 4, 6, 8, 10, 12}, y, 0f);
        Tensor t = TestGraphs.run(new Transpose(List.of(1, 0)), ints(DType.U8, dims(2, 2), 1, 2, 3, 255));
        assertArrayEquals(new long[] {1, 3, 2, 255}, t.toLongs());
    }

    @Test
    void concatAlongMiddleAxis() {
        Tensor y = TestGraphs.run(new Concat(1), f32(dims(2, 1), 1, 2), f32(dims(2, 2), 3, 4, 5, 6));
        assertShape(y, 2, 3);
        assertFloats(new float[] {1, 3, 4, 2, 5, 6}, y, 0f);
    }

    @Test
    void padModes() {
        Tensor x = f32(dims(1, 3), 1, 2, 3);
        List<Long> pads = List.of(0L, 2L, 0L, 1L);
        assertFloats(new float[] {9, 9, 1, 2, 3, 9}, TestGraphs.run(new Pad(pads, Pad.Mode.CONSTANT, 9), x), 0f);
        assertFloats(new float[] {3, 2, 1, 2, 3, 2}, TestGraphs.run(new Pad(pads, Pad.Mode.REFLECT, 0), x), 0f);
        assertFloats(new float[] {1, 1, 1, 2, 3, 3}, TestGraphs.run(new Pad(pads, Pad.Mode.EDGE, 0), x), 0f);
        // negative pads crop
        assertFloats(new float[] {2, 3, 0}, TestGraphs.run(new Pad(List.of(0L, -1L, 0L, 1L), Pad.Mode.CONSTANT, 0), x), 0f);
        // integer constant padding
        Tensor q = TestGraphs.run(new Pad(List.of(1L, 0L), Pad.Mode.CONSTANT, -128), ints(DType.I8, dims(1), 5));
        assertArrayEquals(new long[] {-128, 5}, q.toLongs());
    }

    @Test
    void gatherWithNegativeIndices() {
        Tensor x = f32(dims(3, 2), iota(6));
        Tensor rows = TestGraphs.run(new Gather(0), x, ints(DType.I64, dims(2), 2, -3));
        assertShape(rows, 2, 2);
        assertFloats(new float[] {5, 6, 1, 2}, rows, 0f);
        Tensor cols = TestGraphs.run(new Gather(1), x, ints(DType.I32, dims(1, 1), -1));
        assertShape(cols, 3, 1, 1);
        assertFloats(new float[] {2, 4, 6}, cols, 0f);
        Tensor scalarIndex = TestGraphs.run(new Gather(0), x, Tensor.ofLongs(DType.I64, Shape.SCALAR, 1));
        assertShape(scalarIndex, 2);
        assertFloats(new float[] {3, 4}, scalarIndex, 0f);
    }

    @Test
    void gatherOutOfRangeNamesTheIndex() {
        ModelException e = assertThrows(ModelException.class,
                () -> TestGraphs.run(new Gather(0), f32(dims(3), 1, 2, 3), ints(DType.I64, dims(1), 3)));
        assertTrue(e.getMessage().contains("index 3 out of range"), e.getMessage());
    }

    @Test
    void sliceWithStepsNegativeBoundsAndClamping() {
        Tensor x = f32(dims(2, 3, 4), iota(24)); // x[i][j][k] = 12i + 4j + k + 1
        // channels 1.. (end past the dim, clamped), every other column from the last backwards
        Slice s = new Slice(List.of(1, 2), List.of(1L, -1L), List.of(Long.MAX_VALUE, Long.MIN_VALUE), List.of(1L, -2L));
        Tensor y = TestGraphs.run(s, x);
        assertShape(y, 2, 2, 2);
        assertFloats(new float[] {8, 6, 12, 10, 20, 18, 24, 22}, y, 0f);
        // an empty slice and one along the first axis only
        assertShape(TestGraphs.run(new Slice(List.of(2), List.of(3L), List.of(1L), List.of(1L)), x), 2, 3, 0);
        assertFloats(new float[] {13, 14, 15, 16}, TestGraphs.run(new Slice(List.of(0, 1), List.of(1L, 0L), List.of(2L, 1L),
                List.of(1L, 1L)), x), 0f);
    }

    @Test
    void sliceMovesIntegersAndKeepsTheirParameters() {
        nncc.ir.QuantParams p = nncc.ir.QuantParams.perTensor(0.5f, -3);
        nncc.ir.TensorType in = new nncc.ir.TensorType(DType.I8, Shape.of(1, 4), p);
        Slice s = new Slice(List.of(1), List.of(1L), List.of(3L), List.of(1L));
        assertEquals(new nncc.ir.TensorType(DType.I8, Shape.of(1, 2), p), s.inferTypes(List.of(in)).get(0));
        assertArrayEquals(new long[] {-2, 3}, TestGraphs.run(s, ints(DType.I8, dims(1, 4), 1, -2, 3, -4)).toLongs());
    }

    @Test
    void sliceOfASymbolicDimOnlyWhole() {
        Shape batch = Shape.withSymbols(new long[] {1, 4}, new String[] {"N", null});
        nncc.ir.TensorType t = nncc.ir.TensorType.of(DType.F32, batch);
        Slice whole = new Slice(List.of(0, 1), List.of(0L, 2L), List.of(Long.MAX_VALUE, 4L), List.of(1L, 1L));
        assertEquals("[?N,2]", whole.inferTypes(List.of(t)).get(0).shape().toString());
        ModelException e = assertThrows(ModelException.class,
                () -> new Slice(List.of(0), List.of(1L), List.of(2L), List.of(1L)).inferTypes(List.of(t)));
        assertTrue(e.getMessage().contains("cannot slice symbolic dim 0"), e.getMessage());
        assertThrows(ModelException.class, () -> new Slice(List.of(0), List.of(0L), List.of(1L), List.of(0L)));
    }
}
