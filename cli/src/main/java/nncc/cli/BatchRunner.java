package nncc.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;

/**
 * Runs a model over inputs with a leading batch of N samples: when the model's batch dim is symbolic the batch
 * is cut into chunks, when it is fixed at 1 the samples run one at a time; chunks run on several threads and
 * the outputs are joined along dim 0.
 */
final class BatchRunner {
    private final Graph graph;
    private final Interpreter interpreter;
    private final int threads;

    BatchRunner(Graph graph, int threads) {
        this.graph = graph;
        this.interpreter = new Interpreter(graph);
        this.threads = Math.max(1, threads);
    }

    Interpreter interpreter() { return interpreter; }

    /** How inputs are to be run: as they are, or cut along dim 0 into chunks of {@code chunk} samples. */
    record Plan(boolean batched, int samples, int chunk) {}

    /** Checks inputs against the graph inputs and decides how to run them. */
    Plan plan(List<Tensor> inputs, String[] sources, int preferredChunk) {
        if (inputs.size() != graph.inputs().size())
            throw new CliException("model takes " + graph.inputs().size() + " input(s) " + names() + ", got " + inputs.size());
        boolean direct = true;
        for (int i = 0; i < inputs.size(); i++)
            if (!accepts(graph.inputs().get(i), inputs.get(i))) direct = false;
        if (direct) {
            boolean symbolicBatch = graph.inputs().stream().allMatch(v -> v.type().rank() > 0 && v.type().shape().isSymbolic(0));
            int n = inputs.get(0).shape().rank() > 0 ? (int) inputs.get(0).shape().dim(0) : 1;
            boolean sameN = inputs.stream().allMatch(t -> t.shape().rank() > 0 && t.shape().dim(0) == n);
            if (symbolicBatch && sameN && n > preferredChunk) return new Plan(true, n, preferredChunk);
            return new Plan(false, 1, 1);
        }
        // a leading batch of samples for a model whose batch dim is fixed at 1
        int n = -1;
        for (int i = 0; i < inputs.size(); i++) {
            Value v = graph.inputs().get(i);
            Tensor t = inputs.get(i);
            Shape want = v.type().shape();
            boolean batchOfOnes = want.rank() > 0 && !want.isSymbolic(0) && want.dim(0) == 1 && t.shape().rank() == want.rank()
                    && t.dtype() == v.type().dtype() && want.accepts(t.shape().withDim(0, 1));
            if (!batchOfOnes)
                throw new ModelException(sources[i], null, "input '" + v.name() + "': expected " + v.type().dtype().text() + want
                        + ", got " + t.dtype().text() + t.shape());
            if (n >= 0 && t.shape().dim(0) != n)
                throw new ModelException(sources[i], null, "input '" + v.name() + "': batch of " + t.shape().dim(0)
                        + " samples, other inputs have " + n);
            n = (int) t.shape().dim(0);
        }
        return new Plan(true, n, 1);
    }

    private static boolean accepts(Value v, Tensor t) {
        return v.type().dtype() == t.dtype() && v.type().shape().accepts(t.shape());
    }

    private String names() { return graph.inputs().stream().map(Value::name).toList().toString(); }

    /** Runs the plan, reporting finished samples to {@code progress}; returns the graph outputs. */
    List<Tensor> run(List<Tensor> inputs, Plan plan, LongConsumer progress) {
        if (!plan.batched()) {
            List<Tensor> out = interpreter.run(inputs);
            progress.accept(inputs.get(0).shape().rank() > 0 ? inputs.get(0).shape().dim(0) : 1);
            return out;
        }
        List<int[]> chunks = new ArrayList<>();
        for (int s = 0; s < plan.samples(); s += plan.chunk()) chunks.add(new int[] {s, Math.min(plan.samples(), s + plan.chunk())});
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, chunks.size()), r -> {
            Thread t = new Thread(r, "nncc-run");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<List<Tensor>>> futures = new ArrayList<>();
            for (int[] c : chunks)
                futures.add(pool.submit(() -> {
                    List<Tensor> part = new ArrayList<>();
                    for (Tensor t : inputs) part.add(t.sliceBatch(c[0], c[1]));
                    List<Tensor> r = interpreter.run(part);
                    progress.accept(c[1] - c[0]);
                    return r;
                }));
            List<List<Tensor>> results = new ArrayList<>();
            for (Future<List<Tensor>> f : futures) results.add(f.get());
            List<Tensor> joined = new ArrayList<>();
            for (int o = 0; o < results.get(0).size(); o++) {
                List<Tensor> parts = new ArrayList<>();
                for (List<Tensor> r : results) parts.add(r.get(o));
                joined.add(Tensor.concatBatch(parts));
            }
            return joined;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        } finally {
            pool.shutdownNow();
        }
    }
}
