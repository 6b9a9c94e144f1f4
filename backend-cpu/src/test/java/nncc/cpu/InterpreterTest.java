package nncc.cpu;

import static nncc.cpu.TestGraphs.dims;
import static nncc.cpu.TestGraphs.f32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Add;
import nncc.ir.op.MaxPool;
import nncc.ir.op.Mul;
import nncc.ir.op.Relu;
import org.junit.jupiter.api.Test;

/** The interpreter itself: input checks, symbolic batch, tracing, value lifetimes and concurrent runs. */
class InterpreterTest {
    private static final Graph CNN = FashionCnn.build(1);
    private static final Interpreter RUNNER = new Interpreter(CNN);

    @Test
    void traceSinkSeesEveryNodeInOrder() {
        Tensor x = FashionCnn.images(new Random(2), 2);
        List<String> seen = new ArrayList<>();
        List<Tensor> last = new ArrayList<>();
        List<Tensor> out = RUNNER.run(List.of(x), (Node n, List<Tensor> outs) -> {
            seen.add(n.name());
            assertEquals(n.outputs().size(), outs.size());
            if (seen.size() == 1) assertEquals(Shape.of(2, 16, 28, 28), outs.get(0).shape()); // the concrete shape
            last.clear();
            last.addAll(outs);
        });
        assertEquals(CNN.nodes().stream().map(Node::name).toList(), seen);
        assertEquals(out.get(0), last.get(0));
        assertEquals(Shape.of(2, 10), out.get(0).shape());
    }

    @Test
    void symbolicBatchEqualsPerSampleRuns() {
        Tensor five = FashionCnn.images(new Random(3), 5);
        float[] all = five.toFloats();
        float[] batched = RUNNER.run(List.of(five)).get(0).toFloats();
        for (int n = 0; n < 5; n++) {
            Tensor one = Tensor.ofFloats(Shape.of(1, 1, 28, 28), Arrays.copyOfRange(all, n * 784, (n + 1) * 784));
            float[] single = RUNNER.run(List.of(one)).get(0).toFloats();
            assertArrayEquals(single, Arrays.copyOfRange(batched, n * 10, (n + 1) * 10), 0f, "sample " + n);
        }
    }

    @Test
    void wrongShapeOrDtypeNamesTheInput() {
        ModelException shape = assertThrows(ModelException.class,
                () -> RUNNER.run(List.of(Tensor.ofFloats(Shape.of(2, 3, 28, 28), new float[2 * 3 * 784]))));
        assertEquals("input 'input': expected f32[?N,1,28,28], got f32[2,3,28,28]", shape.getMessage());
        ModelException dtype = assertThrows(ModelException.class,
                () -> RUNNER.run(List.of(Tensor.ofLongs(DType.U8, Shape.of(1, 1, 28, 28), new long[784]))));
        assertEquals("input 'input': expected f32[?N,1,28,28], got u8[1,1,28,28]", dtype.getMessage());
        ModelException rank = assertThrows(ModelException.class,
                () -> RUNNER.run(List.of(Tensor.ofFloats(Shape.of(1, 28, 28), new float[784]))));
        assertEquals("input 'input': expected f32[?N,1,28,28], got f32[1,28,28]", rank.getMessage());
    }

    @Test
    void wrongInputCountAndNames() {
        ModelException count = assertThrows(ModelException.class, () -> RUNNER.run(List.of()));
        assertEquals("the model takes 1 input(s) [input], got 0", count.getMessage());
        ModelException missing = assertThrows(ModelException.class, () -> RUNNER.run(Map.of("x", FashionCnn.images(new Random(1), 1))));
        assertEquals("missing input 'input' (the model takes [input])", missing.getMessage());
        Map<String, Tensor> extra = new LinkedHashMap<>();
        extra.put("input", FashionCnn.images(new Random(1), 1));
        extra.put("bogus", FashionCnn.images(new Random(1), 1));
        ModelException unknown = assertThrows(ModelException.class, () -> RUNNER.run(extra));
        assertEquals("unknown input 'bogus' (the model takes [input])", unknown.getMessage());
    }

    @Test
    void runByNameReturnsOutputsByName() {
        Map<String, Tensor> out = RUNNER.run(Map.of("input", FashionCnn.images(new Random(4), 3)));
        assertEquals(List.of("logits"), List.copyOf(out.keySet()));
        assertEquals(Shape.of(3, 10), out.get("logits").shape());
    }

    @Test
    void sharedSymbolMustAgreeAcrossInputs() {
        TestGraphs.Builder b = new TestGraphs.Builder();
        Shape nBy3 = Shape.withSymbols(new long[] {0, 3}, new String[] {"N", null});
        Value a = b.input("a", DType.F32, nBy3), c = b.input("b", DType.F32, nBy3);
        Interpreter interp = new Interpreter(b.output(b.node(new Add(), "sum", a, c)));
        ModelException e = assertThrows(ModelException.class,
                () -> interp.run(List.of(f32(dims(2, 3), new float[6]), f32(dims(3, 3), new float[9]))));
        assertEquals("input 'b': dim 0 (?N) is 3 but an earlier input set ?N to 2", e.getMessage());
        assertEquals(Shape.of(3, 3), interp.run(List.of(f32(dims(3, 3), new float[9]), f32(dims(3, 3), new float[9]))).get(0).shape());
    }

    @Test
    void valuesLiveUntilTheirLastUseAndMayBeOutputs() {
        // x feeds the first and the last node; x itself, a constant and a two-output node are graph outputs
        TestGraphs.Builder b = new TestGraphs.Builder();
        Value x = b.input("x", DType.F32, Shape.of(1, 1, 1, 4));
        Value k = b.constant("k", f32(dims(1), 2));
        Value r = b.node(new Relu(), "r", x);
        Value m = b.node(new Mul(), "m", r, k);
        List<Value> pooled = b.nodeMulti(new MaxPool(List.of(1, 2), List.of(1, 2), List.of(0, 0, 0, 0), List.of(1, 1), false, 0),
                2, "p", m);
        Value sum = b.node(new Add(), "s", m, x);
        Interpreter interp = Interpreter.prepare(b.output(sum, pooled.get(0), pooled.get(1), x, k));
        Tensor in = f32(dims(1, 1, 1, 4), -1, 2, -3, 4);
        List<Tensor> out = interp.run(List.of(in));
        assertArrayEquals(new float[] {-1, 6, -3, 12}, out.get(0).toFloats(), 0f);
        assertArrayEquals(new float[] {4, 8}, out.get(1).toFloats(), 0f);
        assertArrayEquals(new long[] {1, 3}, out.get(2).toLongs());
        assertEquals(in, out.get(3));
        assertEquals(f32(dims(1), 2), out.get(4));
    }

    @Test
    void concurrentRunsMatchSequentialOnes() throws Exception {
        List<Tensor> batches = new ArrayList<>();
        List<Tensor> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            batches.add(FashionCnn.images(new Random(100 + i), 1 + i % 3));
            expected.add(RUNNER.run(List.of(batches.get(i))).get(0));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Tensor>> futures = new ArrayList<>();
            for (int round = 0; round < 4; round++)
                for (Tensor t : batches) futures.add(pool.submit(() -> RUNNER.run(List.of(t)).get(0)));
            for (int i = 0; i < futures.size(); i++) assertEquals(expected.get(i % 8), futures.get(i).get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void prepareChecksTheGraph() {
        Graph bad = CNN.copy();
        bad.setOutputs(List.of(new Value("nowhere", CNN.outputs().get(0).type())));
        ModelException e = assertThrows(ModelException.class, () -> new Interpreter(bad));
        assertEquals("graph output %nowhere is never defined", e.getMessage());
        assertSame(DType.F32, RUNNER.outputs().get(0).type().dtype());
    }
}
