package nncc.cpu;

import static nncc.cpu.TestGraphs.assertFloats;
import static nncc.cpu.TestGraphs.assertShape;
import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.ConvTranspose;
import org.junit.jupiter.api.Test;

/** ConvTranspose: the ONNX operator documentation example, hand-computed 1-D cases and a randomized check. */
class ConvTransposeKernelsTest {

    @Test
    void onnxDocumentationExample() {
        // x = 0..8 as 3x3, W = ones [1, 2, 3, 3]: the two output channels both hold the 5x5 box-sum pattern
        float[] x = new float[9];
        for (int i = 0; i < 9; i++) x[i] = i;
        Tensor y = TestGraphs.run(new ConvTranspose(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), 1, List.of(0, 0)),
                f32(dims(1, 1, 3, 3), x), f32(dims(1, 2, 3, 3), ConvKernelsTest.ones(18)));
        assertShape(y, 1, 2, 5, 5);
        float[] plane = {0, 1, 3, 3, 2, 3, 8, 15, 12, 7, 9, 21, 36, 27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8};
        float[] both = new float[50];
        System.arraycopy(plane, 0, both, 0, 25);
        System.arraycopy(plane, 0, both, 25, 25);
        assertFloats(both, y, 0f);
    }

    @Test
    void strideTwoWithOutputPaddingAndBias() {
        // each input writes two outputs; output padding adds one more position that only gets the bias
        Tensor y = TestGraphs.run(new ConvTranspose(List.of(2), List.of(0, 0), List.of(1), 1, List.of(1)),
                f32(dims(1, 1, 3), 1, 2, 3), f32(dims(1, 1, 2), 1, 10), f32(dims(1), 0.5f));
        assertShape(y, 1, 1, 7);
        assertFloats(new float[] {1.5f, 10.5f, 2.5f, 20.5f, 3.5f, 30.5f, 0.5f}, y, 0f);
    }

    @Test
    void padsCropTheFullOutput() {
        // full output of [1,2,3] * [1,1] is [1,3,5,3]; pads [1,1] drop its first and last element
        Tensor y = TestGraphs.run(new ConvTranspose(List.of(1), List.of(1, 1), List.of(1), 1, List.of(0)),
                f32(dims(1, 1, 3), 1, 2, 3), f32(dims(1, 1, 2), 1, 1));
        assertFloats(new float[] {3, 5}, y, 0f);
    }

    @Test
    void randomizedAgainstNaiveDefinition() {
        Random r = new Random(3);
        // {rank, group, stride, dilation, padBegin, padEnd, kernel, outputPadding}
        int[][] cases = {{1, 1, 2, 1, 0, 0, 3, 1}, {2, 1, 2, 1, 1, 1, 3, 1}, {2, 2, 1, 2, 0, 1, 2, 0},
                {2, 4, 3, 1, 1, 0, 3, 2}, {3, 2, 2, 1, 0, 0, 2, 1}};
        for (int[] c : cases) {
            int rank = c[0], group = c[1], batch = 2, channels = 4, outChannels = 4;
            int[] xs = new int[2 + rank], ws = new int[2 + rank], ys = new int[2 + rank];
            xs[0] = batch; xs[1] = channels; ws[0] = channels; ws[1] = outChannels / group;
            ys[0] = batch; ys[1] = outChannels;
            int[] s = new int[rank], pb = new int[rank], d = new int[rank];
            for (int i = 0; i < rank; i++) {
                xs[2 + i] = 3 + i;
                ws[2 + i] = c[6];
                s[i] = c[2]; d[i] = c[3]; pb[i] = c[4];
                ys[2 + i] = c[2] * (xs[2 + i] - 1) + c[7] + (c[6] - 1) * c[3] + 1 - c[4] - c[5];
            }
            float[] x = ConvKernelsTest.random(r, NdArray.sizeOf(xs)), w = ConvKernelsTest.random(r, NdArray.sizeOf(ws));
            float[] b = ConvKernelsTest.random(r, outChannels);
            List<Integer> pads = new ArrayList<>(Collections.nCopies(rank, c[4]));
            pads.addAll(Collections.nCopies(rank, c[5]));
            ConvTranspose op = new ConvTranspose(Collections.nCopies(rank, c[2]), pads, Collections.nCopies(rank, c[3]),
                    group, Collections.nCopies(rank, c[7]));
            Tensor y = TestGraphs.run(op, Tensor.ofFloats(Shape.of(xs), x), Tensor.ofFloats(Shape.of(ws), w),
                    Tensor.ofFloats(Shape.of(outChannels), b));
            assertEquals(Shape.of(ys), y.shape());
            double[] want = NaiveConv.convTranspose(x, xs, w, ws, b, ys, s, pb, d, group);
            float[] got = y.toFloats();
            for (int i = 0; i < want.length; i++)
                assertEquals(want[i], got[i], 1e-4, "case " + java.util.Arrays.toString(c) + " element " + i);
        }
    }
}
