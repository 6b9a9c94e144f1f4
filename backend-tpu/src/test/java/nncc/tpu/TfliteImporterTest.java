package nncc.tpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.op.QAdd;
import nncc.ir.op.Transpose;
import org.junit.jupiter.api.Test;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.QuantizationParametersT;

/** The reader on small models built in the test: numbers, layout, tolerated irregularities and unsafe files. */
class TfliteImporterTest {

    private static Graph load(byte[] b) { return TfliteImporter.load(b, "tiny.tflite"); }

    private static ModelException fails(byte[] b) { return assertThrows(ModelException.class, () -> load(b)); }

    @Test
    void addTakesTflitesPrepareNumbersAndKeepsNhwcAtTheEdges() {
        Graph g = load(TinyTflite.add(m -> {}));
        assertEquals(Shape.of(1, 2, 2, 3), g.inputs().get(0).type().shape(), "the input keeps TFLite's NHWC shape");
        assertEquals(Shape.of(1, 2, 2, 3), g.outputs().get(0).type().shape(), "the output keeps TFLite's NHWC shape");
        QAdd add = (QAdd) g.nodes().stream().map(Node::op).filter(o -> o instanceof QAdd).findFirst().orElseThrow();
        // twice the larger input scale is 1.0: a' = 0.5 = 2^30 * 2^(0-31), b' = 0.25, out = 1 / 2^20
        assertEquals(20, add.leftShift());
        assertEquals(List.of(1 << 30, 0, 1 << 30, -1, 1 << 30, -19),
                List.of(add.multiplierA(), add.shiftA(), add.multiplierB(), add.shiftB(), add.multiplier(), add.shift()));
        assertEquals(List.of(-1L, 0L, 0L), List.of(add.inputZpA(), add.inputZpB(), add.outputZp()));
        assertEquals(List.of(-128, 127), List.of(add.actMin(), add.actMax()));
        assertFalse(add.subtract());
        // inside, the activation is NCHW and the rank-1 constant became [1,3,1,1]
        Node addNode = g.nodes().stream().filter(n -> n.op() instanceof QAdd).findFirst().orElseThrow();
        assertEquals(Shape.of(1, 3, 2, 2), addNode.input(0).type().shape());
        assertEquals(Shape.of(1, 3, 1, 1), addNode.input(1).type().shape());
        assertEquals(List.of(0, 2, 3, 1), ((Transpose) g.producer(g.outputs().get(0)).op()).perm());
    }

    @Test
    void subIsAnAdditionThatSubtracts() {
        Graph g = load(TinyTflite.add(m -> {
            m.getOperatorCodes()[0].setBuiltinCode(BuiltinOperator.SUB);
            m.getOperatorCodes()[0].setDeprecatedBuiltinCode((byte) BuiltinOperator.SUB);
            m.getSubgraphs()[0].getOperators()[0].setBuiltinOptions(null);
        }));
        assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof QAdd q && q.subtract()));
    }

    @Test
    void aQuantizedDimensionOnASingleScaleTensorIsTolerated() {
        Graph g = load(TinyTflite.add(m -> m.getSubgraphs()[0].getTensors()[0].getQuantization().setQuantizedDimension(7)));
        assertEquals(0.5f, g.inputs().get(0).type().quant().scale(0));
    }

    @Test
    void aBufferWhoseLengthDisagreesWithTheShapeIsRefused() {
        ModelException e = fails(TinyTflite.add(m -> m.getBuffers()[1].setData(new int[] {1, 2})));
        assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("holds 2 bytes") && e.getMessage().contains("needs 3"), e.getMessage());
    }

    @Test
    void aBufferIndexOutsideTheModelIsRefused() {
        ModelException e = fails(TinyTflite.add(m -> m.getSubgraphs()[0].getTensors()[1].setBuffer(9)));
        assertTrue(e.getMessage().contains("buffer index 9"), e.getMessage());
    }

    @Test
    void shapesThatOverflowOrAreNegativeAreRefused() {
        ModelException big = fails(TinyTflite.add(m -> m.getSubgraphs()[0].getTensors()[2].setShape(new int[] {65536, 65536, 4})));
        assertTrue(big.getMessage().contains("overflows"), big.getMessage());
        ModelException neg = fails(TinyTflite.add(m -> m.getSubgraphs()[0].getTensors()[0].setShape(new int[] {1, -1, 2, 3})));
        assertTrue(neg.getMessage().contains("negative dim -1"), neg.getMessage());
    }

    @Test
    void perAxisScalesMustMatchTheirDim() {
        ModelException e = fails(TinyTflite.add(m -> {
            QuantizationParametersT q = m.getSubgraphs()[0].getTensors()[2].getQuantization();
            q.setScale(new float[] {1, 1});
            q.setZeroPoint(new long[] {0, 0});
            q.setQuantizedDimension(3);
        }));
        assertTrue(e.getMessage().contains("2 scales for dim 3 of size 3"), e.getMessage());
    }

    @Test
    void tensorAndOpcodeIndicesOutsideTheModelAreRefused() {
        ModelException t = fails(TinyTflite.add(m -> m.getSubgraphs()[0].getOperators()[0].setInputs(new int[] {0, 5})));
        assertTrue(t.getMessage().contains("tensor index 5"), t.getMessage());
        ModelException o = fails(TinyTflite.add(m -> m.getSubgraphs()[0].getOperators()[0].setOpcodeIndex(3)));
        assertTrue(o.getMessage().contains("opcode index 3"), o.getMessage());
    }

    @Test
    void anUnsupportedOpNamesIndexCodeAndVersion() {
        ModelException e = fails(TinyTflite.add(m -> {
            m.getOperatorCodes()[0].setBuiltinCode(BuiltinOperator.SVDF);
            m.getOperatorCodes()[0].setDeprecatedBuiltinCode((byte) BuiltinOperator.SVDF);
            m.getOperatorCodes()[0].setVersion(4);
        }));
        assertEquals("tiny.tflite: op 0: unsupported op SVDF (builtin code 27, version 4)", e.getMessage());
    }

    @Test
    void truncatedAndForeignFilesAreOneLineErrors() {
        byte[] good = TinyTflite.add(m -> {});
        ModelException cut = fails(Arrays.copyOf(good, 40));
        assertTrue(cut.getMessage().startsWith("tiny.tflite: malformed TFLite flatbuffer: reading ") && cut.getMessage().endsWith("outside the file's 40 bytes"), cut.getMessage());
        ModelException foreign = fails(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertTrue(foreign.getMessage().contains("no \"TFL3\" identifier"), foreign.getMessage());
    }
}
