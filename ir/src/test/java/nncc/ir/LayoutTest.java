package nncc.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nncc.ir.op.Layout;
import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;
import org.junit.jupiter.api.Test;

/**
 * The {@code layout} attribute of spatial ops: printed only when not nchw, parsed back, and verified (NHWC shapes, an
 * OHWI or depthwise [1, KH, KW, C*M] filter); the permutation helpers move data as stated.
 */
class LayoutTest {
    private static final String CONV = """
            graph @g {
              input %x : i8[?N,XS]{scale = 0.5, zp = 0}
              const %w : i8[WS]{axis = AXIS, scale = [0.01, 0.02, 0.03, 0.04], zp = [0, 0, 0, 0]} = [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16]
              node @conv = QConv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = GROUP, inputZp = 0, \
            multiplier = [1082196480], shift = [-6], outputZp = 0, outputScale = 0.25, outType = i8, \
            actMin = -128, actMax = 127, rounding = single_round, accumulator = i32, weightBits = 8LAYOUT} (%x, %w) \
            -> (%y : i8[?N,YS]{scale = 0.25, zp = 0})
              node @pool = MaxPool {kernel = [2, 2], strides = [2, 2], pads = [0, 0, 0, 0], dilations = [1, 1], ceilMode = false, \
            storageOrder = 0LAYOUT} (%y) -> (%p : i8[?N,PS]{scale = 0.25, zp = 0})
              output %p
            }
            """;

    private static Graph parse(String xs, String ws, int axis, int group, String layout, String ys, String ps) {
        String text = CONV.replace("XS", xs).replace("WS", ws).replace("AXIS", String.valueOf(axis)).replace("GROUP", String.valueOf(group))
                .replace("LAYOUT", layout).replace("YS", ys).replace("PS", ps);
        Graph g = IrParser.parse(text, "layout.nnir");
        Verifier.verify(g);
        return g;
    }

    @Test
    void nhwcConvAndPoolPrintTheirLayoutAndParseBack() {
        // 2 input channels, 4 output channels, a 1x2 OHWI filter [4, 1, 2, 2] on a 3x5 image: output 3x4, pooled 1x2
        Graph g = parse("3,5,2", "4,1,2,2", 0, 1, ", layout = nhwc", "3,4,4", "1,2,4");
        String text = IrPrinter.print(g);
        assertTrue(text.contains("weightBits = 8, layout = nhwc}") && text.contains("storageOrder = 0, layout = nhwc}"), text);
        assertEquals(text, IrPrinter.print(IrParser.parse(text, "again.nnir")));
        Graph nchw = parse("2,3,5", "4,2,1,2", 0, 1, "", "4,3,4", "4,1,2");
        assertFalse(IrPrinter.print(nchw).contains("layout"), "nchw, the default, is not printed");
    }

    @Test
    void depthwiseNhwcFilterIsOneByKernelByChannelsTimesMultiplier() {
        // depth multiplier 2 on 2 channels: filter [1, 2, 2, 4], per-channel scales on axis 3
        parse("3,5,2", "1,2,2,4", 3, 2, ", layout = nhwc", "2,4,4", "1,2,4");
        ModelException e = assertThrows(ModelException.class, () -> parse("3,5,2", "4,2,2,1", 0, 2, ", layout = nhwc", "2,4,4", "1,2,4"));
        assertTrue(e.getMessage().contains("depthwise nhwc filter must be [1, KH, KW, C*M]"), e.getMessage());
    }

    @Test
    void verifierRefusesNchwShapesOnAnNhwcOp() {
        ModelException e = assertThrows(ModelException.class, () -> parse("3,5,2", "4,1,2,2", 0, 1, ", layout = nhwc", "4,3,4", "4,1,2"));
        assertTrue(e.getMessage().contains("conv"), e.getMessage());
    }

    @Test
    void permutingMovesTheChannelLast() {
        // [1, 2, 1, 3] NCHW: channel 0 = 1 2 3, channel 1 = 4 5 6 -> NHWC [1, 1, 3, 2] = 1 4 2 5 3 6
        Tensor t = Tensor.ofLongs(DType.I8, Shape.of(1, 2, 1, 3), 1, 2, 3, 4, 5, 6);
        Tensor p = Layout.permute(t, Layout.TO_NHWC);
        assertEquals(Shape.of(1, 1, 3, 2), p.shape());
        assertArrayEquals(new long[] {1, 4, 2, 5, 3, 6}, p.toLongs());
        assertEquals(t, Layout.permute(p, Layout.TO_NCHW));
        TensorType w = new TensorType(DType.I8, Shape.of(4, 1, 2, 2), QuantParams.perAxis(0, new float[] {1, 2, 3, 4}, new long[4]));
        assertEquals(3, Layout.permute(w, Layout.OIHW_TO_DEPTHWISE).quant().axis(), "a depthwise filter's scales move to axis 3");
    }
}
