package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
import nncc.tpu.TfliteWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broadcasting ADD, SUB and MUL written to .tflite ([1,3,4,4] with a per-channel [1,3,1,1], and with operands of lower
 * rank; NCHW in the IR, NHWC in the file after tflite-nhwc) agree with nncc's reference on the TFLite runtime on random int8 inputs. The numbers in the IR are the ones
 * TFLite derives from these scales (ADD: 0.1/0.2 = 0.5 and 0.2/(2^20 * 0.2) = 2^-20; MUL: 0.1f*0.1f/0.2f).
 */
class TfliteWriterBroadcastTest {
    @TempDir Path tmp;

    private static String graph(String op) {
        return """
                graph @broadcast {
                  input %x : i8[1,3,4,4]{scale = 0.1, zp = 3}
                  input %s : i8[1,3,1,1]{scale = 0.1, zp = -5}
                  node @op = OP (%x, %s) -> (%y : i8[1,3,4,4]{scale = 0.2, zp = 1})
                  output %y
                }
                """.replace("OP", op);
    }

    /** QAdd, QAdd as SUB and QMul with zero points on both inputs: the binary ops whose broadcasting the tests write. */
    private static final List<String> BINARY_OPS;

    static {
        String add = "QAdd {inputZpA = 3, inputZpB = -5, leftShift = 20, multiplierA = 1073741824, shiftA = 0, multiplierB = 1073741824, "
                + "shiftB = 0, multiplier = 1073741824, shift = -19, outputZp = 1, outputScale = 0.2, outType = i8, actMin = -128, "
                + "actMax = 127, rounding = single_round%s}";
        String mul = "QMul {inputZpA = 3, inputZpB = -5, multiplier = 1717986944, shift = -4, outputZp = 1, outputScale = 0.2, "
                + "outType = i8, actMin = -128, actMax = 127, rounding = single_round}";
        BINARY_OPS = List.of(add.formatted(""), add.formatted(", subtract = true"), mul);
    }

    @Test
    void broadcastingBinaryOpsAgreeWithTheRuntime() throws Exception {
        for (String op : BINARY_OPS) {
            Graph g = IrParser.parse(graph(op), "broadcast.nnir");
            Path model = tmp.resolve("b.tflite");
            Files.write(model, TfliteWriter.write(TfliteLegalized.of(g)));
            int samples = 16;
            Random rnd = new Random(5);
            byte[] x = new byte[samples * 48], s = new byte[samples * 3];
            rnd.nextBytes(x);
            rnd.nextBytes(s);
            Path xf = tmp.resolve("x.bin"), sf = tmp.resolve("s.bin");
            Files.write(xf, x);
            Files.write(sf, s);
            long[] theirs = TfliteRun.run(model, List.of(xf, sf)).get(0);
            Interpreter ours = Interpreter.prepare(g);
            long[] mine = new long[samples * 48];
            for (int k = 0; k < samples; k++) {
                long[] xs = new long[48], ss = new long[3];
                // the file's input is NHWC: element (h, w, c) of sample k
                for (int c = 0; c < 3; c++) for (int p = 0; p < 16; p++) xs[c * 16 + p] = x[k * 48 + p * 3 + c];
                for (int c = 0; c < 3; c++) ss[c] = s[k * 3 + c];
                long[] y = ours.run(List.of(Tensor.ofLongs(DType.I8, Shape.of(1, 3, 4, 4), xs), Tensor.ofLongs(DType.I8, Shape.of(1, 3, 1, 1), ss)))
                        .get(0).toLongs();
                for (int c = 0; c < 3; c++) for (int p = 0; p < 16; p++) mine[k * 48 + p * 3 + c] = y[c * 16 + p];
            }
            TfliteRun.Agreement a = TfliteRun.Agreement.of(mine, theirs);
            System.out.println(op.substring(0, op.indexOf(' ')) + (op.contains("subtract") ? " (SUB)" : "") + " [1,3,4,4] with [1,3,1,1] on the TFLite runtime vs nncc, 16 random inputs: " + a);
            assertTrue(a.withinOne() >= 0.999, a.toString());
        }
    }

    private static String acrossRanks(String op) {
        return """
                graph @ranks {
                  input %x : i8[1,3,4,4]{scale = 0.1, zp = 3}
                  input %s : i8[4]{scale = 0.1, zp = -5}
                  input %t : i8[3,1,1]{scale = 0.1, zp = -5}
                  node @op = OP (%x, %s) -> (%y : i8[1,3,4,4]{scale = 0.2, zp = 1})
                  node @op2 = OP (%x, %t) -> (%z : i8[1,3,4,4]{scale = 0.2, zp = 1})
                  output %y
                  output %z
                }
                """.replace("OP", op);
    }

    /**
     * Operands of lower rank: [4] along W and [3,1,1] per channel against NCHW [1,3,4,4]. tflite-nhwc gives them rank 4
     * in NHWC order (a RESHAPE, or a permuted constant), so the file broadcasts as the IR does.
     */
    @Test
    void broadcastingAcrossRanksAgreesWithTheRuntime() throws Exception {
        for (String op : BINARY_OPS) {
            Graph g = IrParser.parse(acrossRanks(op), "ranks.nnir");
            Path model = tmp.resolve("r.tflite");
            Files.write(model, TfliteWriter.write(TfliteLegalized.of(g)));
            int samples = 8;
            Random rnd = new Random(7);
            byte[] x = new byte[samples * 48], s = new byte[samples * 4], t = new byte[samples * 3];
            rnd.nextBytes(x);
            rnd.nextBytes(s);
            rnd.nextBytes(t);
            Path xf = tmp.resolve("x.bin"), sf = tmp.resolve("s.bin"), tf = tmp.resolve("t.bin");
            Files.write(xf, x);
            Files.write(sf, s);
            Files.write(tf, t);
            List<long[]> theirs = TfliteRun.run(model, List.of(xf, sf, tf));
            Interpreter ours = Interpreter.prepare(g);
            long[][] mine = new long[2][samples * 48];
            for (int k = 0; k < samples; k++) {
                long[] xs = new long[48], ss = new long[4], ts = new long[3];
                for (int c = 0; c < 3; c++) for (int p = 0; p < 16; p++) xs[c * 16 + p] = x[k * 48 + p * 3 + c];
                for (int i = 0; i < 4; i++) ss[i] = s[k * 4 + i];
                for (int i = 0; i < 3; i++) ts[i] = t[k * 3 + i];
                List<Tensor> y = ours.run(List.of(Tensor.ofLongs(DType.I8, Shape.of(1, 3, 4, 4), xs), Tensor.ofLongs(DType.I8, Shape.of(4), ss),
                        Tensor.ofLongs(DType.I8, Shape.of(3, 1, 1), ts)));
                for (int o = 0; o < 2; o++) {
                    long[] v = y.get(o).toLongs();
                    for (int c = 0; c < 3; c++) for (int p = 0; p < 16; p++) mine[o][k * 48 + p * 3 + c] = v[c * 16 + p];
                }
            }
            for (int o = 0; o < 2; o++) {
                TfliteRun.Agreement a = TfliteRun.Agreement.of(mine[o], theirs.get(o));
                System.out.println(op.substring(0, op.indexOf(' ')) + (op.contains("subtract") ? " (SUB)" : "") + " [1,3,4,4] with "
                        + (o == 0 ? "[4]" : "[3,1,1]") + " on the TFLite runtime vs nncc, 8 random inputs: " + a);
                assertTrue(a.withinOne() >= 0.999, a.toString());
            }
        }
    }
}
