package nncc.tpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.TensorType;

/** Coral's Edge TPU rules on one-op models: what maps, what does not and why, the partition point, parameter bytes. */
class EdgeTpuReportTest {

    @Test
    void aQuantizedInt8AddMaps() {
        EdgeTpuReport.Result r = EdgeTpuReport.analyze(TinyTflite.add(m -> {}));
        assertEquals(1, r.tpuOps());
        assertEquals(-1, r.partitionAt());
        assertNull(r.ops().get(0).reason());
        assertEquals(3, r.parameterBytes(), "the constant b's three bytes");
        assertTrue(EdgeTpuReport.json(r).contains("\"partition_at\": null"));
    }

    @Test
    void sixteenBitTensorsAndUnsupportedOpsGoToTheCpu() {
        EdgeTpuReport.Result int16 = EdgeTpuReport.analyze(TinyTflite.add(m -> m.getSubgraphs()[0].getTensors()[2].setType(TensorType.INT16)));
        assertEquals(0, int16.partitionAt());
        assertEquals("tensor 'out' has unsupported type INT16", int16.ops().get(0).reason());
        EdgeTpuReport.Result svdf = EdgeTpuReport.analyze(TinyTflite.add(m -> m.getOperatorCodes()[0].setBuiltinCode(BuiltinOperator.SVDF)));
        assertEquals("unsupported op", svdf.ops().get(0).reason());
        assertEquals(1, svdf.cpuOps());
        assertTrue(EdgeTpuReport.markdown(svdf, "x.tflite").contains("partition point: op 0"));
    }

    @Test
    void activationsWithMoreThanThreeNonUnitDimsDoNotMap() {
        EdgeTpuReport.Result r = EdgeTpuReport.analyze(TinyTflite.add(m -> {
            m.getSubgraphs()[0].getTensors()[0].setShape(new int[] {2, 2, 2, 3});
            m.getSubgraphs()[0].getTensors()[2].setShape(new int[] {2, 2, 2, 3});
        }));
        assertEquals("tensor 'a' has rank 4 with a non-unit outer dim (4 dims > 1)", r.ops().get(0).reason());
    }

    @Test
    void perChannelFullyConnectedWeightsDoNotMap() {
        EdgeTpuReport.Result r = EdgeTpuReport.analyze(TinyTflite.add(m -> {
            m.getOperatorCodes()[0].setBuiltinCode(BuiltinOperator.FULLY_CONNECTED);
            m.getOperatorCodes()[0].setDeprecatedBuiltinCode((byte) BuiltinOperator.FULLY_CONNECTED);
            var q = m.getSubgraphs()[0].getTensors()[1].getQuantization();
            q.setScale(new float[] {0.1f, 0.2f, 0.3f});
            q.setZeroPoint(new long[3]);
        }));
        assertEquals(0, r.partitionAt());
        assertTrue(r.ops().get(0).reason().startsWith("per-channel FULLY_CONNECTED weights ('b', 3 scales; op version 12)"), r.ops().get(0).reason());
    }
}
