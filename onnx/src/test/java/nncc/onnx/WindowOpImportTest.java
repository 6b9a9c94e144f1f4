package nncc.onnx;

import static nncc.onnx.TestModel.attr;
import static nncc.onnx.TestModel.f32;
import static nncc.onnx.TestModel.ints;
import static nncc.onnx.TestModel.list;
import static nncc.onnx.TestModel.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.op.AveragePool;
import nncc.ir.op.Conv;
import nncc.ir.op.ConvTranspose;
import nncc.ir.op.GlobalAveragePool;
import nncc.ir.op.MaxPool;
import org.junit.jupiter.api.Test;

/** Conv, ConvTranspose and pooling import: ONNX defaults, auto_pad resolution, output_shape, optional outputs. */
class WindowOpImportTest {
    private static TestModel convModel(int opset, long c, long m, long group, long k, long h) {
        return new TestModel(opset).input("x", DType.F32, "batch", c, h, h)
                .initializer("w", f32(Shape.of(m, c / group, k, k))).initializer("b", f32(Shape.of(m))).output("y");
    }

    @Test
    void convDefaultsAndSymbolicBatch() {
        Graph g = convModel(11, 3, 8, 1, 3, 10).node("Conv", "conv1", "x,w,b->y").load();
        Node n = only(g);
        assertEquals("conv1", n.name());
        assertEquals(new Conv(list(1, 1), list(0, 0, 0, 0), list(1, 1), 1), n.op());
        assertEquals("[?batch,8,8,8]", n.output().type().shape().toString());
        assertEquals(3, g.constants().size() + 1, "w and b become constants");
    }

    @Test
    void depthwiseConvWithDilationsStridesAndPads() {
        Graph g = convModel(6, 4, 4, 4, 3, 9).node("Conv", "x,w->y", attr("group", 4), ints("dilations", 2, 2),
                ints("strides", 2, 2), ints("pads", 1, 2, 1, 2), ints("kernel_shape", 3, 3)).load();
        Node n = only(g);
        assertEquals(new Conv(list(2, 2), list(1, 2, 1, 2), list(2, 2), 4), n.op());
        assertEquals("Conv_0", n.name(), "unnamed nodes are called <OpType>_<index>");
        // (9 + 2 - 5) / 2 + 1 = 4 and (9 + 4 - 5) / 2 + 1 = 5
        assertEquals("[?batch,4,4,5]", n.output().type().shape().toString());
    }

    @Test
    void autoPadSameUpperLowerAndValid() {
        Conv upper = (Conv) only(convModel(11, 1, 1, 1, 4, 7).node("Conv", "x,w->y", attr("auto_pad", "SAME_UPPER"),
                ints("strides", 2, 2)).load()).op();
        // out = ceil(7/2) = 4, total pad = 3*2 + 4 - 7 = 3: upper puts the odd one at the end
        assertEquals(list(1, 1, 2, 2), upper.pads());
        Conv lower = (Conv) only(convModel(11, 1, 1, 1, 4, 7).node("Conv", "x,w->y", attr("auto_pad", "SAME_LOWER"),
                ints("strides", 2, 2)).load()).op();
        assertEquals(list(2, 2, 1, 1), lower.pads());
        Graph valid = convModel(11, 1, 1, 1, 4, 7).node("Conv", "x,w->y", attr("auto_pad", "VALID"),
                ints("pads", 5, 5, 5, 5)).load();
        assertEquals(list(0, 0, 0, 0), ((Conv) only(valid).op()).pads());
        assertEquals("[?batch,1,4,4]", only(valid).output().type().shape().toString());
    }

    @Test
    void unknownAutoPadIsAnError() {
        ModelException e = assertThrows(ModelException.class, () ->
                convModel(11, 1, 1, 1, 3, 7).node("Conv", "c", "x,w->y", attr("auto_pad", "SAME_MIDDLE")).load());
        assertTrue(e.getMessage().contains("auto_pad = 'SAME_MIDDLE'"), e.getMessage());
        assertTrue(e.getMessage().contains("node 'c'") && e.getMessage().contains("Conv (opset 11)"), e.getMessage());
    }

    @Test
    void convTransposeWithOutputPaddingAndOutputShape() {
        TestModel base = new TestModel(11).input("x", DType.F32, 1, 1, 3, 3).initializer("w", f32(Shape.of(1, 2, 3, 3))).output("y");
        Node padded = only(base.node("ConvTranspose", "x,w->y", ints("strides", 3, 2), ints("output_padding", 1, 1)).load());
        assertEquals(new ConvTranspose(list(3, 2), list(0, 0, 0, 0), list(1, 1), 1, list(1, 1)), padded.op());
        assertEquals("[1,2,10,8]", padded.output().type().shape().toString());

        // output_shape larger than the natural 9x7: the difference becomes output padding (zeros at the end)
        TestModel shaped = new TestModel(11).input("x", DType.F32, 1, 1, 3, 3).initializer("w", f32(Shape.of(1, 2, 3, 3))).output("y");
        Node s = only(shaped.node("ConvTranspose", "x,w->y", ints("strides", 3, 2), ints("output_shape", 10, 8)).load());
        assertEquals(list(0, 0, 0, 0), ((ConvTranspose) s.op()).pads());
        assertEquals(list(1, 1), ((ConvTranspose) s.op()).outputPadding());

        // output_shape smaller than natural: total padding 3 split with the larger half first (not SAME_UPPER)
        TestModel small = new TestModel(11).input("x", DType.F32, 1, 1, 3, 3).initializer("w", f32(Shape.of(1, 2, 3, 3))).output("y");
        Node sm = only(small.node("ConvTranspose", "x,w->y", ints("strides", 3, 3), ints("output_shape", 1, 2, 6, 6)).load());
        assertEquals(list(2, 2, 1, 1), ((ConvTranspose) sm.op()).pads());
        assertEquals("[1,2,6,6]", sm.output().type().shape().toString());
    }

    @Test
    void convTransposeAutoPadSameUpper() {
        Node n = only(new TestModel(11).input("x", DType.F32, 1, 1, 3, 3).initializer("w", f32(Shape.of(1, 2, 3, 3)))
                .output("y").node("ConvTranspose", "x,w->y", attr("auto_pad", "SAME_UPPER"), ints("strides", 2, 2)).load());
        // output = 3 * 2 = 6, total padding = 2*2 + 3 - 6 = 1, SAME_UPPER puts total/2 = 0 at the begin
        assertEquals(list(0, 0, 1, 1), ((ConvTranspose) n.op()).pads());
        assertEquals("[1,2,6,6]", n.output().type().shape().toString());
    }

    @Test
    void maxPoolWithCeilDilationsStorageOrderAndIndices() {
        Graph g = new TestModel(12).input("x", DType.F32, "N", 2, 8, 8).output("y", "i")
                .node("MaxPool", "x->y,i", ints("kernel_shape", 3, 3), ints("strides", 2, 2), attr("ceil_mode", 1),
                        ints("dilations", 1, 2), attr("storage_order", 1)).load();
        Node n = only(g);
        assertEquals(new MaxPool(list(3, 3), list(2, 2), list(0, 0, 0, 0), list(1, 2), true, 1), n.op());
        assertEquals(2, n.outputs().size());
        assertEquals(DType.I64, n.output(1).type().dtype());
        assertEquals("[?N,2,4,3]", n.output().type().shape().toString());
    }

    @Test
    void maxPoolOpset8DropsUnusedIndices() {
        Node n = only(new TestModel(8).input("x", DType.F32, 1, 1, 4, 4).output("y")
                .node("MaxPool", "x->y,unused", ints("kernel_shape", 2, 2)).load());
        assertEquals(1, n.outputs().size());
        assertEquals(list(1, 1), ((MaxPool) n.op()).strides());
    }

    @Test
    void averagePoolCountIncludePadAndSameUpper() {
        Node n = only(new TestModel(11).input("x", DType.F32, 1, 3, 5, 5).output("y")
                .node("AveragePool", "x->y", ints("kernel_shape", 2, 2), attr("auto_pad", "SAME_UPPER"),
                        attr("count_include_pad", 1)).load());
        assertEquals(new AveragePool(list(2, 2), list(1, 1), list(0, 0, 1, 1), false, true), n.op());
        assertEquals("[1,3,5,5]", n.output().type().shape().toString());
        AveragePool old = (AveragePool) only(new TestModel(6).input("x", DType.F32, 1, 3, 5, 5).output("y")
                .node("AveragePool", "x->y", ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1)).load()).op();
        assertFalse(old.countIncludePad());
        assertEquals(list(1, 1, 1, 1), old.pads());
    }

    @Test
    void averagePoolDilationsOtherThanOneAreRejected() {
        ModelException e = assertThrows(ModelException.class, () -> new TestModel(19).input("x", DType.F32, 1, 1, 6, 6)
                .output("y").node("AveragePool", "x->y", ints("kernel_shape", 2, 2), ints("dilations", 2, 2)).load());
        assertTrue(e.getMessage().contains("dilations = [2, 2]"), e.getMessage());
    }

    @Test
    void globalAveragePoolKeepsSymbolicBatch() {
        Node n = only(new TestModel(1).input("x", DType.F32, "N", 16, 7, 7).output("y").node("GlobalAveragePool", "x->y").load());
        assertEquals(new GlobalAveragePool(), n.op());
        assertEquals("[?N,16,1,1]", n.output().type().shape().toString());
    }
}
