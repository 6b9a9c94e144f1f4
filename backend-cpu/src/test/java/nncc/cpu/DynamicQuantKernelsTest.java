package nncc.cpu;

import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static nncc.cpu.TestGraphs.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.op.Conv;
import nncc.ir.op.DynamicQuantConv;
import nncc.ir.op.DynamicQuantGemm;
import org.junit.jupiter.api.Test;

/**
 * DynamicQuantGemm and DynamicQuantConv: the on-the-fly quantization of one sample by hand, and the hybrid result
 * against the float computation with the dequantized weights, within the bound the input quantization allows.
 */
class DynamicQuantKernelsTest {

    @Test
    void quantizesOneRowByHand() {
        // row [-1, 0, 0.5, 3]: range [-1, 3], scale 4/255, zp = round(-128 + 63.75) = -64;
        // q = round(-64 + x * 63.75) = [-128 (-127.75), -64, -32 (-32.125), 127 (127.25)]; q - zp = [-64, 0, 32, 191]
        int[] q = new int[4];
        DynamicQuantKernels.QuantizedSample s = DynamicQuantKernels.quantizeSample(new float[] {-1, 0, 0.5f, 3}, 0, 4, q);
        assertEquals(-64, s.zeroPoint());
        assertEquals((float) (4 / 255.0), s.scale(), 0f);
        assertArrayEquals(new int[] {-64, 0, 32, 191}, q);
        // with weights [1, 1, 1, 1] (scale 0.5) and bias 1: acc = 159, y = 159 * (4/255 * 0.5) + 1
        Tensor y = TestGraphs.run(new DynamicQuantGemm(List.of(0.5f)), f32(dims(1, 4), -1, 0, 0.5f, 3),
                ints(DType.I8, dims(1, 4), 1, 1, 1, 1), f32(dims(1), 1));
        assertEquals(159 * (s.scale() * 0.5f) + 1f, y.toFloats()[0], 0f);
    }

    @Test
    void allZeroRowGivesTheBias() {
        Tensor y = TestGraphs.run(new DynamicQuantGemm(List.of(0.5f, 0.25f)), f32(dims(1, 3), 0, 0, 0),
                ints(DType.I8, dims(2, 3), 1, 2, 3, -4, 5, 6), f32(dims(2), 1.5f, -2f));
        assertArrayEquals(new float[] {1.5f, -2f}, y.toFloats(), 0f);
    }

    @Test
    void gemmTracksFloatWithinTheInputQuantizationBound() {
        // each input element is off by at most scale/2 after quantization (plus float32 rounding of the scale), so
        // |y - y_float| <= scale_row / 2 * sum_k |w[m][k] * ws[m]| + 1e-4 * |y_float| + 1e-5
        Random r = new Random(5);
        int n = 6, k = 40, m = 7;
        float[] x = new float[n * k];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * (1 + i / k)) + (i / k == 2 ? 3f : 0f);
        long[] w = QuantizedLinearKernelsTest.randomInts(r, m * k, DType.I8);
        List<Float> ws = new ArrayList<>();
        float[] bias = new float[m];
        for (int j = 0; j < m; j++) { ws.add(0.001f + r.nextFloat() * 0.01f); bias[j] = r.nextFloat() - 0.5f; }
        float[] y = TestGraphs.run(new DynamicQuantGemm(ws), Tensor.ofFloats(Shape.of(n, k), x),
                Tensor.ofLongs(DType.I8, Shape.of(m, k), w), f32(dims(m), bias)).toFloats();
        for (int i = 0; i < n; i++) {
            float min = 0, max = 0;
            for (int p = 0; p < k; p++) { min = Math.min(min, x[i * k + p]); max = Math.max(max, x[i * k + p]); }
            double scale = (max - min) / 255.0;
            for (int j = 0; j < m; j++) {
                double exact = bias[j], absW = 0;
                for (int p = 0; p < k; p++) { exact += x[i * k + p] * w[j * k + p] * (double) ws.get(j); absW += Math.abs(w[j * k + p] * ws.get(j)); }
                double bound = scale / 2 * absW + 1e-4 * Math.abs(exact) + 1e-5;
                assertTrue(Math.abs(y[i * m + j] - exact) <= bound, "row " + i + " out " + j + ": " + y[i * m + j] + " vs " + exact + " bound " + bound);
            }
        }
    }

    @Test
    void convTracksFloatConvWithinTheInputQuantizationBound() {
        // per image one scale; the same bound as for Gemm with the kernel's absolute weight sum per output channel
        Random r = new Random(9);
        int batch = 3, c = 2, m = 3, h = 6;
        float[] x = new float[batch * c * h * h];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian() * (1 + i / (c * h * h));
        long[] w = QuantizedLinearKernelsTest.randomInts(r, m * c * 9, DType.I8);
        List<Float> ws = List.of(0.01f, 0.02f, 0.005f);
        float[] wf = new float[w.length];
        for (int i = 0; i < w.length; i++) wf[i] = w[i] * ws.get(i / (c * 9));
        float[] bias = {0.1f, -0.2f, 0.3f};
        Tensor xt = Tensor.ofFloats(Shape.of(batch, c, h, h), x);
        float[] y = TestGraphs.run(new DynamicQuantConv(List.of(1, 1), List.of(1, 1, 1, 1), List.of(1, 1), 1, ws), xt,
                Tensor.ofLongs(DType.I8, Shape.of(m, c, 3, 3), w), f32(dims(m), bias)).toFloats();
        float[] ref = TestGraphs.run(Conv.of2d(1, 1), xt, Tensor.ofFloats(Shape.of(m, c, 3, 3), wf), f32(dims(m), bias)).toFloats();
        int plane = h * h;
        for (int n = 0; n < batch; n++) {
            float min = 0, max = 0;
            for (int i = n * c * plane; i < (n + 1) * c * plane; i++) { min = Math.min(min, x[i]); max = Math.max(max, x[i]); }
            double scale = (max - min) / 255.0;
            for (int o = 0; o < m; o++) {
                double absW = 0;
                for (int i = o * c * 9; i < (o + 1) * c * 9; i++) absW += Math.abs(wf[i]);
                for (int p = 0; p < plane; p++) {
                    int i = (n * m + o) * plane + p;
                    double bound = scale / 2 * absW + 1e-4 * Math.abs(ref[i]) + 1e-5;
                    assertTrue(Math.abs(y[i] - ref[i]) <= bound, "at " + i + ": " + y[i] + " vs " + ref[i] + " bound " + bound);
                }
            }
        }
    }
}
