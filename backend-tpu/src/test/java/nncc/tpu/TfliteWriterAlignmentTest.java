package nncc.tpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import nncc.ir.Graph;
import nncc.ir.text.IrParser;
import org.junit.jupiter.api.Test;
import org.tensorflow.lite.schema.Model;

/** Constant buffers of a written .tflite start at multiples of 16 bytes, deduplicated, and the file reads back (NHWC convs, OHWI filters). */
class TfliteWriterAlignmentTest {
    private static final String GRAPH = """
            graph @aligned {
              input %x : i8[1,2,2,1]{scale = 0.05, zp = 1}
              const %w : i8[3,1,1,1]{axis = 0, scale = [0.01, 0.02, 0.03], zp = [0, 0, 0]} = [5, -7, 9]
              const %b : i32[3]{axis = 0, scale = [5.0E-4, 0.001, 0.0015], zp = [0, 0, 0]} = [11, -13, 17]
              const %w2 : i8[3,1,1,1]{axis = 0, scale = [0.01, 0.02, 0.03], zp = [0, 0, 0]} = [5, -7, 9]
              node @c = QConv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1, inputZp = 1, multiplier = [1073741824, 1073741824, 1073741824], shift = [-2, -1, 0], outputZp = -2, outputScale = 0.1, outType = i8, actMin = -128, actMax = 127, rounding = double_round, accumulator = i32, weightBits = 8, layout = nhwc} (%x, %w, %b) -> (%y : i8[1,2,2,3]{scale = 0.1, zp = -2})
              node @c2 = QConv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1, inputZp = 1, multiplier = [1073741824, 1073741824, 1073741824], shift = [-2, -1, 0], outputZp = -2, outputScale = 0.1, outType = i8, actMin = -128, actMax = 127, rounding = double_round, accumulator = i32, weightBits = 8, layout = nhwc} (%x, %w2, %b) -> (%y2 : i8[1,2,2,3]{scale = 0.1, zp = -2})
              output %y
              output %y2
            }
            """;

    @Test
    void everyConstantBufferIsSixteenByteAligned() {
        Graph g = IrParser.parse(GRAPH, "aligned.nnir");
        byte[] file = TfliteWriter.write(g);
        Model m = Model.getRootAsModel(ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN));
        int withData = 0;
        for (int i = 0; i < m.buffersLength(); i++) {
            ByteBuffer data = m.buffers(i).dataAsByteBuffer();
            if (data == null || data.remaining() == 0) continue;
            withData++;
            assertEquals(0, data.position() % 16, "buffer " + i + " starts at byte " + data.position());
        }
        assertEquals(2, withData, "filter and bias, the second filter deduplicated with the first");
        Graph back = TfliteImporter.load(file, "aligned.tflite");
        long convs = back.nodes().stream().filter(n -> n.op() instanceof nncc.ir.op.QConv).count();
        assertEquals(2, convs);
        for (var n : back.nodes())
            if (n.op() instanceof nncc.ir.op.QConv)
                assertArrayEquals(new long[] {5, -7, 9}, back.constantData(n.input(1)).toLongs(), "filter codes read back from " + n.name());
    }
}
