package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Tensor;
import nncc.ir.Value;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * TFLite models imported by nncc and run on its integer reference, against TFLite's own results: the 16x8
 * seanet goldens (outputs of TFLite Micro's reference kernels) bit for bit, every case; and TFLite Micro's
 * person_detection test (person beats no-person on person.bmp, and the reverse on no_person.bmp).
 */
class TfliteConformanceTest {

    @TestFactory
    Stream<DynamicTest> seanetGoldensAreReproducedBitExactly() throws IOException {
        Path seanet = TfliteFixtures.dir().resolve("seanet");
        List<Path> models;
        try (Stream<Path> s = Files.walk(seanet)) {
            models = s.filter(p -> p.toString().endsWith(".tflite")).sorted().toList();
        }
        assertTrue(models.size() >= 100, "expected the seanet cases, found " + models.size());
        return models.stream().map(m -> DynamicTest.dynamicTest(seanet.relativize(m).toString(), () -> runSeanetCase(m)));
    }

    private static void runSeanetCase(Path model) throws IOException {
        String stem = model.getFileName().toString().replace(".tflite", "");
        Graph g = TfliteFixtures.load(model);
        List<Tensor> inputs = new ArrayList<>();
        for (int k = 0; k < g.inputs().size(); k++) {
            Path csv = only(model.getParent(), stem + "_input" + k + "_");
            Value in = g.inputs().get(k);
            inputs.add(Tensor.ofLongs(in.type().dtype(), in.type().shape(), TfliteFixtures.csv(csv)));
        }
        long[] golden = TfliteFixtures.csv(only(model.getParent(), stem + "_golden_"));
        List<Tensor> out = Interpreter.prepare(g).run(inputs);
        assertEquals(1, out.size());
        assertArrayEquals(golden, out.get(0).toLongs(), stem + ": nncc differs from TFLite's reference kernels");
    }

    private static Path only(Path dir, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> hits = s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            if (hits.size() != 1) throw new AssertionError("expected one file " + prefix + "* in " + dir + ", found " + hits);
            return hits.get(0);
        }
    }

    @Test
    void personDetectionRanksPersonAndNoPersonAsTfliteMicrosTest() {
        Path dir = TfliteFixtures.dir();
        Graph g = TfliteFixtures.load(dir.resolve("person_detect.tflite"));
        Interpreter interpreter = Interpreter.prepare(g);
        long[] person = scores(interpreter, g, dir.resolve("person_detection/person.bmp"));
        long[] noPerson = scores(interpreter, g, dir.resolve("person_detection/no_person.bmp"));
        System.out.printf("person_detect: person.bmp -> [no person %d, person %d]; no_person.bmp -> [no person %d, person %d]%n",
                person[0], person[1], noPerson[0], noPerson[1]);
        assertTrue(person[1] > person[0], "person.bmp: person score " + person[1] + " must beat no-person " + person[0]);
        assertTrue(noPerson[0] > noPerson[1], "no_person.bmp: no-person score " + noPerson[0] + " must beat person " + noPerson[1]);
    }

    private static long[] scores(Interpreter interpreter, Graph g, Path bmp) {
        byte[] px = TfliteFixtures.bmpPixels(bmp);
        long[] codes = new long[px.length];
        for (int i = 0; i < px.length; i++) codes[i] = px[i]; // the bytes reinterpreted as int8, as the test's memcpy does
        Value in = g.inputs().get(0);
        return interpreter.run(List.of(Tensor.ofLongs(in.type().dtype(), in.type().shape(), codes))).get(0).toLongs();
    }
}
