package nncc.passes.quant;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import nncc.cpu.FloatTraceSink;
import nncc.cpu.Interpreter;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.passes.Workers;
import nncc.passes.calib.CalibrationData;
import nncc.passes.calib.OrderedHandover;

/**
 * Runs a float graph over calibration samples on several threads, chunk by chunk, and hands every traced value of
 * interest to a consumer in sample order: value X of chunk i is consumed only after value X of chunk i - 1, so
 * order-sensitive accumulations (floating-point sums) give exactly the result of one thread, while the forward
 * passes overlap. Each thread holds the intermediate tensors of one chunk, plus copies of values that arrived one
 * chunk early. Chunk i never waits on a later chunk, so the threads cannot deadlock.
 */
final class OrderedTraceRun {
    private OrderedTraceRun() {}

    /**
     * Feeds samples [0, total) in chunks of {@code chunk} through {@code interpreter} on {@code threads} threads;
     * for every graph input and node output named in {@code wanted}, calls {@code consumer(name, tensor)} in sample
     * order. {@code source} names the data in errors.
     */
    static void run(Interpreter interpreter, CalibrationData data, int total, int chunk, int threads, Set<String> wanted,
                    OrderedHandover.Consumer consumer) {
        int units = (total + chunk - 1) / chunk;
        OrderedHandover turns = new OrderedHandover();
        AtomicInteger next = new AtomicInteger();
        int workers = Math.max(1, Math.min(threads, units));
        Workers.FirstUnitGate gate = new Workers.FirstUnitGate(units, workers); // the kernels are cold: the first unit runs alone
        IntConsumer work = w -> {
            try {
                if (w > 0) {
                    interpreter.packWeights(); // ahead of worker 0's first unit
                    gate.await();
                }
                for (int unit; !turns.failed() && (unit = next.getAndIncrement()) < units; ) {
                    int start = unit * chunk, count = Math.min(chunk, total - start), u = unit;
                    List<Tensor> part = data.batch(start, count);
                    for (int i = 0; i < interpreter.inputs().size(); i++) {
                        String name = interpreter.inputs().get(i).name();
                        Tensor t = part.get(i);
                        if (wanted.contains(name))
                            turns.inOrder(name, u, dims(t), t.toFloats(), consumer);
                    }
                    FloatTraceSink sink = new FloatTraceSink() {
                        @Override public boolean wants(Node node, int output) { return wanted.contains(node.output(output).name()); }

                        @Override public void accept(Node node, int output, int[] shape, float[] values) {
                            turns.inOrder(node.output(output).name(), u, shape, values, consumer);
                        }
                    };
                    try {
                        interpreter.runTracingFloats(part, sink);
                    } catch (ModelException e) {
                        throw new ModelException(e.file() != null ? e.file() : data.source(), e.node(), e.getRawMessage()
                                + " (calibration samples " + start + ".." + (start + count - 1) + ")", e);
                    }
                    if (w == 0) gate.open();
                }
            } catch (RuntimeException | Error e) {
                turns.fail(e);
            } finally {
                if (w == 0) gate.open();
            }
        };
        Workers.run("nncc-correct-bias", "measuring layer inputs", workers, work);
        turns.rethrow();
    }

    private static int[] dims(Tensor t) {
        int[] d = new int[t.shape().rank()];
        for (int i = 0; i < d.length; i++) d[i] = Math.toIntExact(t.shape().dim(i));
        return d;
    }
}
