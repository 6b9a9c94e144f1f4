package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The int8 Fashion-MNIST-shaped CNN of the throughput measurement runs end to end: results do not depend on how
 * images are batched (exact), and the int8 activations use their range rather than saturating.
 */
class QuantizedFashionCnnTest {

    @Test
    void batchingDoesNotChangeAnyLogit() {
        Graph g = QuantizedFashionCnn.build(1);
        Interpreter interp = new Interpreter(g);
        Tensor images = FashionCnn.images(new Random(6), 12);
        float[] together = interp.run(List.of(images)).get(0).toFloats();
        float[] alone = new float[together.length];
        for (int n = 0; n < 12; n++) {
            float[] one = interp.run(List.of(images.sliceBatch(n, n + 1))).get(0).toFloats();
            System.arraycopy(one, 0, alone, n * 10, 10);
        }
        assertArrayEquals(together, alone, 0f);
    }

    @Test
    void activationsUseTheInt8Range() {
        Graph g = QuantizedFashionCnn.build(1);
        int[] saturated = {0}, total = {0};
        new Interpreter(g).run(List.of(FashionCnn.images(new Random(7), 8)), (node, outs) -> {
            Tensor t = outs.get(0);
            if (t.dtype() != DType.I8) return;
            long distinct = java.util.Arrays.stream(t.toLongs()).distinct().count();
            assertTrue(distinct > 20, node.name() + " produced only " + distinct + " distinct values");
            for (long v : t.toLongs()) { total[0]++; if (v == 127) saturated[0]++; }
        });
        assertTrue(saturated[0] < total[0] / 20, saturated[0] + " of " + total[0] + " activations saturate at 127");
    }
}
