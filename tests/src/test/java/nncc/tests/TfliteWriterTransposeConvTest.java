package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.Graph;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.text.IrParser;
import nncc.tpu.TfliteImporter;
import nncc.tpu.TfliteWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lowered int8 transposed convolution (QConvTranspose, stride 2, per-channel filter, bias) legalized to NHWC and
 * written as TRANSPOSE_CONV, with TFLite's SAME and VALID paddings: the TFLite runtime agrees with nncc within 1 LSB
 * (it requantizes in float, XNNPACK's way) and nncc's reader of the written file gives nncc's integers exactly.
 */
class TfliteWriterTransposeConvTest {
    @TempDir Path tmp;

    private static String graph(List<Integer> pads, int k, int out) {
        float sx = 0.05f, sy = 0.1f;
        float[] sw = {0.01f, 0.02f, 0.015f};
        List<String> m = new ArrayList<>(), s = new ArrayList<>(), bs = new ArrayList<>();
        for (float w : sw) {
            FixedPoint.Multiplier q = FixedPoint.quantizeMultiplier((double) sx * w / sy, Rounding.SINGLE_ROUND);
            m.add(String.valueOf(q.multiplier()));
            s.add(String.valueOf(q.shift()));
            bs.add(String.valueOf(sx * w));
        }
        Random rnd = new Random(3);
        List<String> weights = new ArrayList<>();
        for (int i = 0; i < 6 * k * k; i++) weights.add(String.valueOf(rnd.nextInt(255) - 127));
        return """
                graph @tconv {
                  input %x : i8[1,2,3,3]{scale = 0.05, zp = 3}
                  const %w : i8[3,2,$K,$K]{axis = 0, scale = [0.01, 0.02, 0.015], zp = [0, 0, 0]} = [$W]
                  const %b : i32[3]{axis = 0, scale = [$BS], zp = [0, 0, 0]} = [300, -500, 70]
                  node @t = QConvTranspose {strides = [2, 2], pads = $PADS, inputZp = 3, multiplier = [$M], shift = [$S], outputZp = -2, \
                outputScale = 0.1, outType = i8, actMin = -128, actMax = 127, rounding = single_round, accumulator = i32, weightBits = 8} \
                (%x, %w, %b) -> (%y : i8[1,3,$OUT,$OUT]{scale = 0.1, zp = -2})
                  output %y
                }
                """.replace("$W", String.join(", ", weights)).replace("$BS", String.join(", ", bs)).replace("$PADS", pads.toString())
                .replace("$M", String.join(", ", m)).replace("$S", String.join(", ", s)).replace("$OUT", String.valueOf(out)).replace("$K", String.valueOf(k));
    }

    @Test
    void transposedConvolutionRunsOnTheRuntimeLikeNncc() throws Exception {
        // VALID: (3-1)*2+3 = 7; SAME to a 6x6 output: a 4x4 kernel pads 1 on every side, a 3x3 one 0 before and 1 after
        for (Object[] c : new Object[][] {{List.of(0, 0, 0, 0), 3, 7, "VALID"}, {List.of(1, 1, 1, 1), 4, 6, "SAME"},
                {List.of(0, 0, 1, 1), 3, 6, "SAME, odd total pad"}}) {
            int out = (int) c[2];
            Graph g = TfliteLegalized.of(IrParser.parse(graph(castInts(c[0]), (int) c[1], out), "tconv.nnir"));
            byte[] file = TfliteWriter.write(g);
            Path model = tmp.resolve("tconv.tflite"), input = tmp.resolve("x.bin");
            Files.write(model, file);
            int samples = 8;
            byte[] x = new byte[samples * 18];
            new Random(5).nextBytes(x);
            Files.write(input, x);
            long[] theirs = TfliteRun.run(model, List.of(input)).get(0);
            Interpreter ours = Interpreter.prepare(g), reread = Interpreter.prepare(TfliteImporter.load(file, "tconv.tflite", Rounding.SINGLE_ROUND));
            int per = 3 * out * out;
            long[] mine = new long[samples * per];
            for (int k = 0; k < samples; k++) {
                long[] one = new long[18];
                for (int i = 0; i < 18; i++) one[i] = x[k * 18 + i];
                Tensor xs = Tensor.ofLongs(DType.I8, Shape.of(1, 3, 3, 2), one); // the legalized graph's input is the file's NHWC
                long[] y = ours.run(List.of(xs)).get(0).toLongs();
                assertArrayEquals(y, reread.run(List.of(xs)).get(0).toLongs(), c[3] + ": the written file read back by nncc");
                System.arraycopy(y, 0, mine, k * per, per);
            }
            TfliteRun.Agreement a = TfliteRun.Agreement.of(mine, theirs);
            System.out.println("QConvTranspose as TRANSPOSE_CONV (" + c[3] + ", stride 2) on the TFLite runtime vs nncc, 8 random inputs: " + a);
            assertTrue(a.withinOne() >= 0.999, a.toString());
        }
    }

    /**
     * An output size that is neither VALID's nor SAME's (here 5 from a 7-sized scatter, cropped by 1 on each side) is
     * refused naming the node: TFLite's reference kernels would crop it, but the runtime's XNNPACK does not compute that.
     */
    @Test
    void otherOutputSizesAreRefusedNamingTheNode() {
        Graph g = TfliteLegalized.of(IrParser.parse(graph(List.of(1, 1, 1, 1), 3, 5), "tconv.nnir"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(nncc.ir.ModelException.class, () -> TfliteWriter.write(g));
        assertTrue(e.getMessage().contains("'t'") && e.getMessage().contains("neither TFLite's SAME nor VALID"), e.getMessage());
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> castInts(Object o) { return (List<Integer>) o; }
}
