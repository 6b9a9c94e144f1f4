package nncc.ir.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a .npy file's header alone and rows from disk, as streamed calibration does. */
class NpyRowsTest {
    @TempDir Path tmp;

    @Test
    void rowsFromDiskEqualSlicesOfTheWholeFile() throws Exception {
        float[] v = new float[7 * 2 * 3];
        for (int i = 0; i < v.length; i++) v[i] = i * 0.5f - 3;
        Tensor t = Tensor.ofFloats(Shape.of(7, 2, 3), v);
        Path f = tmp.resolve("x.npy");
        Npy.write(f, t);
        Npy.Header h = Npy.readHeader(f);
        assertEquals(DType.F32, h.dtype());
        assertEquals(Shape.of(7, 2, 3), h.shape());
        assertEquals(t.sliceBatch(2, 5), Npy.readRows(f, h, 2, 3));
        assertEquals(t, Npy.readRows(f, h, 0, 7));
        assertArrayEquals(Arrays.copyOfRange(v, 36, 42), Npy.readRows(f, h, 6, 1).toFloats());
        assertThrows(IllegalArgumentException.class, () -> Npy.readRows(f, h, 5, 3));
    }

    @Test
    void truncatedFilesAreCaughtFromTheHeader() throws Exception {
        Path f = tmp.resolve("x.npy");
        Npy.write(f, Tensor.ofLongs(DType.I8, Shape.of(4, 10), new long[40]));
        byte[] all = Files.readAllBytes(f);
        Path cut = tmp.resolve("cut.npy");
        Files.write(cut, Arrays.copyOf(all, all.length - 5));
        ModelException e = assertThrows(ModelException.class, () -> Npy.readHeader(cut));
        assertTrue(e.getMessage().contains("cut.npy") && e.getMessage().contains("truncated"), e.getMessage());
        Path tiny = tmp.resolve("tiny.npy");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertTrue(assertThrows(ModelException.class, () -> Npy.readHeader(tiny)).getMessage().contains("tiny.npy"));
    }
}
