package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import org.junit.jupiter.api.Test;

/** {@link Interpreter#runTimed}: one report per node, in graph order, and the same outputs as a plain run. */
class NodeTimerTest {
    @Test
    void everyNodeIsTimedOnceInOrderAndOutputsAreUnchanged() {
        Graph cnn = FashionCnn.build(1);
        Interpreter interpreter = new Interpreter(cnn);
        Tensor x = FashionCnn.images(new Random(7), 3);
        List<Integer> steps = new ArrayList<>();
        List<String> names = new ArrayList<>();
        long[] total = {0};
        List<Tensor> timed = interpreter.runTimed(List.of(x), (step, node, nanos) -> {
            steps.add(step);
            names.add(node.name());
            assertTrue(nanos >= 0, node.name() + " took " + nanos + " ns");
            total[0] += nanos;
        });
        assertEquals(cnn.nodes().stream().map(Node::name).toList(), names);
        for (int i = 0; i < steps.size(); i++) assertEquals(i, steps.get(i));
        assertTrue(total[0] > 0, "a CNN on 3 images takes measurable time");
        assertEquals(interpreter.run(List.of(x)), timed);
    }
}
