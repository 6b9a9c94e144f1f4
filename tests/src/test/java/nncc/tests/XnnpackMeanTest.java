package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Rounding;
import nncc.ir.Tensor;
import nncc.ir.op.QMean;
import nncc.tpu.TfliteImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.ReducerOptionsT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * The TFLite runtime's int8 MEAN over the spatial axes, which its delegate runs as XNNPACK's qs8 global average pooling
 * ({@code rint(float(sum - n * zx) * fl(sx / fl(sy * n))) + zy}), against nncc's import in the runtime's arithmetic
 * (QMean in {@code onnx_float32}), bit for bit on random inputs; TFLite's reference arithmetic differs.
 */
class XnnpackMeanTest {
    @TempDir Path tmp;

    @Test
    void theRuntimesSpatialMeanIsXnnpacksFloatGlobalAveragePooling() throws Exception {
        // {input scale, zp, output scale, zp, H (= W), keepDims}: odd and even window sizes, ratios from 0.3 to 71
        float[][] cases = {{0.05f, 3, 0.03f, -7, 8, 1}, {0.05f, 3, 0.01f, -7, 4, 1}, {0.07f, -9, 0.07f, -9, 7, 1},
            {0.05f, 3, 0.0007f, -7, 4, 1}, {0.05f, 3, 0.01f, -7, 4, 0}, {0.02f, -128, 0.066f, 5, 6, 0}};
        long referenceDiffers = 0, elements = 0;
        int samples = 50;
        for (int k = 0; k < cases.length; k++) {
            float[] c = cases[k];
            int h = (int) c[4];
            byte[] file = meanModel(c[0], (long) c[1], c[2], (long) c[3], h, c[5] == 1);
            Path model = tmp.resolve("mean" + k + ".tflite"), input = tmp.resolve("mean" + k + ".bin");
            Files.write(model, file);
            byte[] x = new byte[samples * h * h * 256];
            new Random(k).nextBytes(x);
            Files.write(input, x);
            long[] runtime = TfliteRun.run(model, List.of(input)).get(0);
            Graph g = TfliteImporter.load(file, model.toString(), Rounding.ONNX_FLOAT32);
            QMean q = (QMean) g.nodes().stream().filter(n -> n.op() instanceof QMean).findFirst().orElseThrow().op();
            assertEquals(Rounding.ONNX_FLOAT32, q.rounding(), "case " + k);
            long[] ours = run(g, x, samples);
            assertArrayEquals(runtime, ours, "MEAN case " + k);
            long[] reference = run(TfliteImporter.load(file, model.toString()), x, samples);
            for (int i = 0; i < runtime.length; i++) if (reference[i] != runtime[i]) referenceDiffers++;
            elements += runtime.length;
        }
        System.out.printf(Locale.ROOT, "int8 MEAN over H, W, %d models: nncc (runtime arithmetic) == tflite-run on all %d outputs;"
                + " TFLite's reference arithmetic differs on %d (%.2f %%)%n", cases.length, elements, referenceDiffers, 100.0 * referenceDiffers / elements);
        assertTrue(referenceDiffers > 0, "the reference never differed from the runtime: the test would show nothing");
    }

    private static long[] run(Graph g, byte[] x, int samples) {
        var type = g.inputs().get(0).type();
        int n = (int) type.shape().numElements();
        Interpreter interpreter = Interpreter.prepare(g);
        long[] out = null;
        int per = 0;
        for (int s = 0; s < samples; s++) {
            long[] codes = new long[n];
            for (int i = 0; i < n; i++) codes[i] = x[s * n + i];
            long[] y = interpreter.run(List.of(Tensor.ofLongs(DType.I8, type.shape(), codes))).get(0).toLongs();
            if (out == null) { per = y.length; out = new long[per * samples]; }
            System.arraycopy(y, 0, out, s * per, per);
        }
        return out;
    }

    /** MEAN over axes 1, 2 of an int8 [1, h, h, 256] input. */
    private static byte[] meanModel(float si, long zi, float so, long zo, int h, boolean keepDims) {
        BufferT axes = new BufferT();
        axes.setData(new int[] {1, 0, 0, 0, 2, 0, 0, 0});
        TensorT axesTensor = new TensorT();
        axesTensor.setName("axes");
        axesTensor.setShape(new int[] {2});
        axesTensor.setType(TensorType.INT32);
        axesTensor.setBuffer(1);
        TensorT[] tensors = {OneOpTflite.int8("x", new int[] {1, h, h, 256}, si, zi), axesTensor,
            OneOpTflite.int8("y", keepDims ? new int[] {1, 1, 1, 256} : new int[] {1, 256}, so, zo)};
        BuiltinOptionsUnion u = new BuiltinOptionsUnion();
        ReducerOptionsT o = new ReducerOptionsT();
        o.setKeepDims(keepDims);
        u.setType(BuiltinOptions.ReducerOptions);
        u.setValue(o);
        return OneOpTflite.model(BuiltinOperator.MEAN, 2, new BufferT[] {new BufferT(), axes}, tensors, new int[] {0, 1}, 2,
                new int[] {0}, u);
    }
}
