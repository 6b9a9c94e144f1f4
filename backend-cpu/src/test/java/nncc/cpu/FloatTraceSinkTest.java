package nncc.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The copy-free float trace reports exactly what the tensor trace does (same elements bit for bit, same dims) for the
 * outputs it asks for and nothing else, in f32 and in f16, and the run's outputs are unchanged.
 */
class FloatTraceSinkTest {
    @Test void reportsTheTracedFloatsOfTheWantedOutputsOnly() {
        for (DType t : new DType[] {DType.F32, DType.F16}) {
            Graph g = FashionCnn.build(3, t);
            Random r = new Random(9);
            float[] x = new float[3 * 28 * 28];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            List<Tensor> in = List.of(Tensor.ofFloats(Shape.of(3, 1, 28, 28), x));
            Interpreter interpreter = new Interpreter(g, 2);

            Map<String, float[]> full = new LinkedHashMap<>();
            Map<String, Shape> fullShapes = new LinkedHashMap<>();
            List<Tensor> plain = interpreter.run(in, (node, outs) -> {
                for (int k = 0; k < outs.size(); k++) {
                    if (!outs.get(k).dtype().isFloat()) continue;
                    full.put(node.output(k).name(), outs.get(k).toFloats());
                    fullShapes.put(node.output(k).name(), outs.get(k).shape());
                }
            });
            List<Node> nodes = g.nodes();
            List<String> wanted = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i += 2) wanted.add(nodes.get(i).output(0).name());
            Map<String, float[]> seen = new LinkedHashMap<>();
            List<Tensor> traced = interpreter.runTracingFloats(in, new FloatTraceSink() {
                @Override public boolean wants(Node node, int output) { return wanted.contains(node.output(output).name()); }

                @Override public void accept(Node node, int output, int[] shape, float[] values) {
                    String name = node.output(output).name();
                    assertEquals(fullShapes.get(name), Shape.of(java.util.Arrays.stream(shape).asLongStream().toArray()), name);
                    seen.put(name, values.clone());
                }
            });
            List<String> expected = wanted.stream().filter(full::containsKey).toList();
            assertTrue(expected.size() >= 3, "too few float values traced in " + t);
            assertEquals(expected, List.copyOf(seen.keySet()), t.text());
            for (String name : expected) assertArrayEquals(full.get(name), seen.get(name), 0f, t.text() + " " + name);
            assertArrayEquals(plain.get(0).toFloats(), traced.get(0).toFloats(), 0f, t.text());
        }
    }
}
