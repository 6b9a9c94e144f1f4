package nncc.passes.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calibration data from .npy files: batching, validation against the graph's inputs, error messages. */
class CalibrationDataTest {
    @TempDir Path dir;

    /** A graph with no nodes whose inputs have the given types (the data only looks at the inputs). */
    static Graph inputs(TensorType... types) {
        Graph g = new Graph("g");
        for (int i = 0; i < types.length; i++) g.addInput(new Value("x" + i, types[i]));
        return g;
    }

    static TensorType batched(DType t, long... sampleDims) {
        long[] d = new long[sampleDims.length + 1];
        String[] s = new String[d.length];
        s[0] = "N";
        System.arraycopy(sampleDims, 0, d, 1, sampleDims.length);
        return TensorType.of(t, Shape.withSymbols(d, s));
    }

    static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i * 0.5f;
        return v;
    }

    Path npy(String name, Tensor t) throws IOException {
        Path p = dir.resolve(name);
        Npy.write(p, t);
        return p;
    }

    @Test void npyBatchesAreSlicesInOrder() throws IOException {
        Path f = npy("calib.npy", Tensor.ofFloats(Shape.of(10, 1, 2, 2), ramp(40)));
        CalibrationData d = CalibrationData.fromNpy(inputs(batched(DType.F32, 1, 2, 2)), f);
        assertEquals(10, d.sampleCount());
        Tensor b = d.batch(2, 3).get(0);
        assertEquals(Shape.of(3, 1, 2, 2), b.shape());
        assertArrayEquals(Arrays.copyOfRange(ramp(40), 8, 20), b.toFloats());
        assertEquals(f.toString(), d.source());
    }

    @Test void npyFitsAModelWithItsBatchFixedAtOne() throws IOException {
        Path f = npy("calib.npy", Tensor.ofFloats(Shape.of(5, 3), ramp(15)));
        CalibrationData d = CalibrationData.fromNpy(inputs(TensorType.of(DType.F32, 1, 3)), f);
        assertEquals(5, d.sampleCount());
    }

    @Test void dtypeMismatchNamesFileInputAndTypes() throws IOException {
        Path f = npy("calib64.npy", Tensor.ofDoubles(Shape.of(4, 1, 2, 2), new double[16]));
        ModelException e = assertThrows(ModelException.class,
                () -> CalibrationData.fromNpy(inputs(batched(DType.F32, 1, 2, 2)), f));
        assertEquals(f + ": does not fit input 'x0' of type f32[?N,1,2,2]: expected f32[N,1,2,2] (N samples), got f64[4,1,2,2]",
                e.getMessage());
    }

    @Test void shapeMismatchesAreRejected() throws IOException {
        Path wrongDim = npy("a.npy", Tensor.ofFloats(Shape.of(4, 1, 3, 2), new float[24]));
        ModelException e = assertThrows(ModelException.class,
                () -> CalibrationData.fromNpy(inputs(batched(DType.F32, 1, 2, 2)), wrongDim));
        assertTrue(e.getMessage().contains("got f32[4,1,3,2]") && e.getMessage().contains("expected f32[N,1,2,2]"), e.getMessage());
        Path noBatchDim = npy("b.npy", Tensor.ofFloats(Shape.of(1, 2, 2), new float[4]));
        e = assertThrows(ModelException.class, () -> CalibrationData.fromNpy(inputs(batched(DType.F32, 1, 2, 2)), noBatchDim));
        assertTrue(e.getMessage().contains("got f32[1,2,2]"), e.getMessage());
    }

    @Test void emptyNpyIsAnError() throws IOException {
        Path f = npy("empty.npy", Tensor.ofFloats(Shape.of(0, 1, 2, 2)));
        ModelException e = assertThrows(ModelException.class, () -> CalibrationData.fromNpy(inputs(batched(DType.F32, 1, 2, 2)), f));
        assertEquals(f + ": empty .npy (f32[0,1,2,2]): no calibration samples", e.getMessage());
    }

    @Test void missingFileIsAnError() {
        Path f = dir.resolve("nope.npy");
        ModelException e = assertThrows(ModelException.class, () -> CalibrationData.fromNpy(inputs(batched(DType.F32, 2)), f));
        assertEquals(f + ": no such file", e.getMessage());
        e = assertThrows(ModelException.class, () -> CalibrationData.open(inputs(batched(DType.F32, 2)), f, Preprocess.defaults()));
        assertEquals(f + ": no such file", e.getMessage());
    }

    @Test void oneFilePerInputWithEqualSampleCounts() throws IOException {
        Graph g = inputs(batched(DType.F32, 2), batched(DType.F32, 3));
        Path a = npy("a.npy", Tensor.ofFloats(Shape.of(4, 2), ramp(8)));
        Path b = npy("b.npy", Tensor.ofFloats(Shape.of(4, 3), ramp(12)));
        CalibrationData d = CalibrationData.fromNpy(g, List.of(a, b));
        List<Tensor> batch = d.batch(1, 2);
        assertEquals(Shape.of(2, 2), batch.get(0).shape());
        assertArrayEquals(Arrays.copyOfRange(ramp(12), 3, 9), batch.get(1).toFloats());

        ModelException e = assertThrows(ModelException.class, () -> CalibrationData.fromNpy(g, List.of(a)));
        assertTrue(e.getMessage().contains("takes 2 input(s) ['x0', 'x1'] but 1 calibration file(s)"), e.getMessage());
        Path c = npy("c.npy", Tensor.ofFloats(Shape.of(5, 3), ramp(15)));
        e = assertThrows(ModelException.class, () -> CalibrationData.fromNpy(g, List.of(a, c)));
        assertTrue(e.getMessage().startsWith(c + ": holds 5 samples but " + a + " holds 4"), e.getMessage());
    }

    @Test void requireFitsChecksAnotherGraph() throws IOException {
        Path f = npy("calib.npy", Tensor.ofFloats(Shape.of(2, 3), ramp(6)));
        CalibrationData d = CalibrationData.fromNpy(inputs(batched(DType.F32, 3)), f);
        d.requireFits(inputs(TensorType.of(DType.F32, 1, 3)));
        ModelException e = assertThrows(ModelException.class, () -> d.requireFits(inputs(batched(DType.F32, 4))));
        assertTrue(e.getMessage().contains("expected f32[N,4]"), e.getMessage());
    }
}
