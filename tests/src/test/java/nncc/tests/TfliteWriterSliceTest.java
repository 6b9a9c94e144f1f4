package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.text.IrParser;
import nncc.tpu.TfliteImporter;
import nncc.tpu.TfliteWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A strided Slice, a Slice with negative steps (reversed W, every third row from the bottom) and a cropping Pad
 * (negative pads) of an NCHW activation are written as STRIDED_SLICE on the NHWC tensor: the TFLite runtime and nncc's reader of the written file give exactly nncc's elements.
 */
class TfliteWriterSliceTest {
    @TempDir Path tmp;

    private static final String GRAPH = """
            graph @slices {
              input %x : i8[1,3,8,8]{scale = 0.1, zp = 3}
              node @s = Slice {axes = [1, 2, 3], starts = [1, 1, 0], ends = [3, 7, 8], steps = [1, 2, 3]} (%x) -> (%y : i8[1,2,3,3]{scale = 0.1, zp = 3})
              node @c = Pad {pads = [0, 0, -1, 0, 0, -1, 0, -2], mode = constant, value = 3.0} (%x) -> (%z : i8[1,2,7,6]{scale = 0.1, zp = 3})
              node @r = Slice {axes = [3, 2], starts = [-1, 6], ends = [-100, 0], steps = [-1, -3]} (%x) -> (%v : i8[1,3,2,8]{scale = 0.1, zp = 3})
              output %y
              output %z
              output %v
            }
            """;

    @Test
    void stridedSliceAndCropMatchOnTheRuntime() throws Exception {
        Graph g = IrParser.parse(GRAPH, "slices.nnir");
        Path model = tmp.resolve("slices.tflite");
        byte[] file = TfliteWriter.write(TfliteLegalized.of(g));
        Files.write(model, file);
        byte[] x = new byte[192];
        new Random(9).nextBytes(x);
        Path xf = tmp.resolve("x.bin");
        Files.write(xf, x);
        List<long[]> theirs = TfliteRun.run(model, List.of(xf));
        long[] nchw = new long[192];
        for (int c = 0; c < 3; c++) for (int p = 0; p < 64; p++) nchw[c * 64 + p] = x[p * 3 + c];
        List<Tensor> ours = Interpreter.prepare(g).run(List.of(Tensor.ofLongs(DType.I8, Shape.of(1, 3, 8, 8), nchw)));
        long[] nhwcX = new long[192];
        for (int i = 0; i < 192; i++) nhwcX[i] = x[i];
        List<Tensor> reread = Interpreter.prepare(TfliteImporter.load(file, "slices.tflite"))
                .run(List.of(Tensor.ofLongs(DType.I8, Shape.of(1, 8, 8, 3), nhwcX)));
        for (int k = 0; k < 3; k++) {
            long[] mine = nhwc(ours.get(k));
            assertArrayEquals(mine, theirs.get(k), "output " + k + " on the TFLite runtime");
            assertArrayEquals(mine, reread.get(k).toLongs(), "output " + k + " read back by nncc");
        }
        System.out.println("Slice (strided, and reversing with negative steps) and crop written as STRIDED_SLICE: TFLite runtime and nncc's reader equal nncc");
    }

    private static long[] nhwc(Tensor t) {
        long[] v = t.toLongs();
        int c = (int) t.shape().dim(1), h = (int) t.shape().dim(2), w = (int) t.shape().dim(3);
        long[] r = new long[v.length];
        for (int ci = 0; ci < c; ci++) for (int y = 0; y < h; y++) for (int xx = 0; xx < w; xx++) r[(y * w + xx) * c + ci] = v[(ci * h + y) * w + xx];
        return r;
    }
}
