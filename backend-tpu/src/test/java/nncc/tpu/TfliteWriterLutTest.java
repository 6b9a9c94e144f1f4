package nncc.tpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.LutFunction;
import nncc.ir.op.QLut;
import org.junit.jupiter.api.Test;

/** The writer turns a QLut into LOGISTIC only when its table is TFLite's own; reading the file back gives that table. */
class TfliteWriterLutTest {
    private static final QuantParams IN = QuantParams.perTensor(0.05f, 3), OUT = QuantParams.perTensor(1f / 256, -128);

    private static Graph sigmoid(Tensor table) {
        Graph g = new Graph("lut");
        Value x = new Value("x", new TensorType(DType.I8, Shape.of(1, 8), IN));
        g.addInput(x);
        Value t = g.addConstant("table", table);
        Value y = new Value("y", new TensorType(DType.I8, Shape.of(1, 8), OUT));
        g.addNode(new Node("sigmoid", new QLut(LutFunction.SIGMOID, 0f, 0f, DType.I8, OUT.scale(0), OUT.zeroPoint(0)), List.of(x, t), List.of(y)));
        g.addOutput(y);
        return g;
    }

    private static Tensor tfliteTable() {
        return TflitePrepare.table(DType.I8, DType.I8, TflitePrepare.floatFunction(v -> 1 / (1 + Math.exp(-v)), IN, OUT));
    }

    @Test
    void tfliteTableIsWrittenAsLogisticAndReadBack() {
        Graph back = TfliteImporter.load(TfliteWriter.write(sigmoid(tfliteTable())), "lut.tflite");
        Node lut = back.nodes().stream().filter(n -> n.op() instanceof QLut).findFirst().orElseThrow();
        assertArrayEquals(tfliteTable().toLongs(), back.constantData(lut.input(1)).toLongs());
    }

    @Test
    void anyOtherTableIsRefused() {
        long[] codes = tfliteTable().toLongs();
        codes[200] += codes[200] < 127 ? 1 : -1;
        ModelException e = assertThrows(ModelException.class,
                () -> TfliteWriter.write(sigmoid(Tensor.ofLongs(DType.I8, Shape.of(256), codes))));
        assertTrue(e.getMessage().contains("differs from what TFLite computes for LOGISTIC"), e.getMessage());
    }
}
