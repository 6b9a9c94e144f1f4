package nncc.passes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Verifier;
import nncc.ir.op.FakeQuant;
import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;
import org.junit.jupiter.api.Test;

/**
 * The FakeQuant op: its text form round-trips exactly, the verifier checks it, and its forward (the op's rule, the
 * CPU kernel and the training layer) equals the integer path, Quantize then Dequantize, bit for bit, ties and
 * saturation included; the training layer's straight-through gradient passes exactly inside the grid.
 */
class FakeQuantTest {
    private static final String GRAPH = """
            graph @fq {
              input %x : f32[?N,3]
              const %w : f32[2,3] = [0.5, -0.25, 0.125, 1.0, -1.0, 0.3]
              node @wq = FakeQuant {scales = [0.071428575, 0.14285715], zeroPoints = [0, 0], bits = 4, narrowRange = true, signed = true, axis = 0} (%w) -> (%wf : f32[2,3])
              node @xq = FakeQuant {scales = [0.0235], zeroPoints = [-3], bits = 8, narrowRange = false, signed = true, axis = -1} (%x) -> (%xf : f32[?N,3])
              node @mm = Gemm {alpha = 1.0, beta = 1.0, transA = false, transB = true} (%xf, %wf) -> (%y : f32[?N,2])
              output %y
            }
            """;

    @Test void textFormRoundTripsExactly() {
        Graph g = IrParser.parse(GRAPH, "fq.nnir");
        String once = IrPrinter.print(g);
        String twice = IrPrinter.print(IrParser.parse(once, "again.nnir"));
        assertEquals(once, twice);
        assertTrue(once.contains("FakeQuant {scales = [0.071428575, 0.14285715], zeroPoints = [0, 0], bits = 4, narrowRange = true, "
                + "signed = true, axis = 0}"), once);
        Verifier.verify(g);
    }

    @Test void verifierAndRecordRejectBadAttributes() {
        assertThrows(ModelException.class, () -> FakeQuant.perTensor(-1f, 0, 8, true));
        assertThrows(ModelException.class, () -> FakeQuant.perTensor(0.1f, 200, 8, true));
        assertThrows(ModelException.class, () -> new FakeQuant(List.of(0.1f, 0.2f), List.of(0L, 0L), 8, false, true, -1));
        // three scales along an axis of two channels
        ModelException e = assertThrows(ModelException.class, () -> IrParser.parse(GRAPH.replace(
                "scales = [0.071428575, 0.14285715], zeroPoints = [0, 0]", "scales = [0.1, 0.2, 0.3], zeroPoints = [0, 0, 0]"), "bad.nnir"));
        assertTrue(e.getMessage().contains("3 scales for dimension 0 of size 2"), e.getMessage());
    }

    /** Values around every tie of the grid, beyond both ends, signed zeros, NaN and infinities. */
    private static float[] probes(float scale) {
        Random r = new Random(5);
        float[] v = new float[4000];
        for (int i = 0; i < v.length; i++) {
            float k = (r.nextInt(400) - 200) + 0.5f;
            v[i] = switch (i % 5) {
                case 0 -> k * scale;
                case 1 -> Math.nextUp(k * scale);
                case 2 -> Math.nextDown(k * scale);
                case 3 -> (float) (r.nextGaussian() * 300 * scale);
                default -> (r.nextInt(600) - 300) * scale;
            };
        }
        v[0] = -0f;
        v[1] = Float.NaN;
        v[2] = Float.POSITIVE_INFINITY;
        v[3] = Float.NEGATIVE_INFINITY;
        v[4] = 1e30f;
        return v;
    }

    @Test void forwardEqualsQuantizeThenDequantizeBitForBit() {
        float scale = 0.0235f;
        long zp = -3;
        float[] x = probes(scale);
        Tensor in = Tensor.ofFloats(Shape.of(1, x.length), x);
        Graph integer = IrParser.parse("""
                graph @qdq {
                  input %x : f32[1,%d]
                  node @q = Quantize {scale = 0.0235, zeroPoint = -3, outType = i8} (%%x) -> (%%q : i8[1,%d]{scale = 0.0235, zp = -3})
                  node @d = Dequantize {scale = 0.0235, zeroPoint = -3} (%%q) -> (%%y : f32[1,%d])
                  output %%y
                }
                """.replace("%d", String.valueOf(x.length)).replace("%%", "%"), "qdq.nnir");
        Graph fake = IrParser.parse("""
                graph @fq {
                  input %x : f32[1,N]
                  node @f = FakeQuant {scales = [0.0235], zeroPoints = [-3], bits = 8, narrowRange = false, signed = true, axis = -1} (%x) -> (%y : f32[1,N])
                  output %y
                }
                """.replace("N", String.valueOf(x.length)), "fq.nnir");
        float[] viaIntegers = new Interpreter(integer).run(List.of(in)).get(0).toFloats();
        float[] viaKernel = new Interpreter(fake).run(List.of(in)).get(0).toFloats();
        FakeQuant op = (FakeQuant) fake.nodes().get(0).op();
        float[] viaRecord = new float[x.length];
        for (int i = 0; i < x.length; i++) viaRecord[i] = op.apply(x[i], 0);
        assertArrayEquals(bits(viaIntegers), bits(viaKernel));
        assertArrayEquals(bits(viaIntegers), bits(viaRecord));

        // the training layer: same values, and the straight-through gradient is 1 exactly where the code is inside
        TrainValue tx = new TrainValue("x", new int[] {x.length}, true), ty = new TrainValue("y", new int[] {x.length}, true);
        tx.allocate(1, 1);
        ty.allocate(1, 1);
        System.arraycopy(x, 0, tx.data, 0, x.length);
        FakeQuantLayer layer = new FakeQuantLayer("f", tx, ty, op, false, false);
        try (Chunks ch = new Chunks(1, 1)) {
            ch.setBatch(1);
            layer.forward(ch, true);
            assertArrayEquals(bits(viaIntegers), bits(ty.data));
            java.util.Arrays.fill(ty.grad, 1f);
            layer.backward(ch);
        }
        int passed = 0;
        for (int i = 0; i < x.length; i++) {
            double real = x[i] / (double) scale + zp;
            boolean inside = real > -128.5 + 1e-3 && real < 127.5 - 1e-3;
            boolean outside = !(real >= -128.5 - 1e-3 && real <= 127.5 + 1e-3);
            if (inside) assertEquals(1f, tx.grad[i], "gradient at " + x[i]);
            if (outside) assertEquals(0f, tx.grad[i], "gradient at " + x[i]);
            if (tx.grad[i] == 1f) passed++;
        }
        assertTrue(passed > 1000 && passed < x.length - 100, passed + " of " + x.length + " inside");
    }

    @Test void perAxisWeightsUseTheirOwnScaleAndNarrowRange() {
        FakeQuant op = new FakeQuant(List.of(0.5f, 0.25f), List.of(0L, 0L), 4, true, true, 0);
        assertEquals(-7, op.qmin());
        assertEquals(7, op.qmax());
        assertEquals(3.5f, op.apply(100f, 0));
        assertEquals(-1.75f, op.apply(-100f, 1));
        assertEquals(0.5f, op.apply(0.25f, 0), "a tie rounds away from zero");
        assertEquals(-0.25f, op.apply(-0.125f, 1), "a negative tie rounds away from zero");
        Graph g = IrParser.parse(GRAPH, "fq.nnir");
        float[] w = new Interpreter(g).run(List.of(Tensor.ofFloats(Shape.of(1, 3), 0f, 0f, 0f))).get(0).toFloats();
        assertEquals(2, w.length);
        assertEquals(DType.F32, g.outputs().get(0).type().dtype());
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToIntBits(v[i]);
        return b;
    }
}
