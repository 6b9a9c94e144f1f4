package nncc.passes.calib;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import nncc.cpu.Interpreter;
import nncc.cpu.FloatTraceSink;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.passes.Workers;

/**
 * Feeds calibration data through the float interpreter to a set of observers, one per traced value, for as many
 * passes as the observers need. The data is cut into calibration batches (jobs); threads take jobs in turn, each
 * with its own observers ({@link Observer#fork}), merged after every pass, so the result does not depend on
 * which thread ran which batch. A batch runs in chunks: the model's fixed batch size (1 for a model whose batch
 * dimension is fixed at 1), single images for a CNN the interpreter runs image by image, or as many samples as keep
 * the largest intermediate tensor small ({@link StreamChunk}). The first pass's first chunk runs alone
 * ({@link nncc.passes.Workers.FirstUnitGate}). A {@link SharedTrace} given to {@link #share} also receives its values
 * from the first pass, in sample order.
 */
final class CalibrationRun {
    private final Interpreter interpreter;
    private final CalibrationData data;
    private final List<Value> inputs;
    private final Map<String, Integer> slotOf = new HashMap<>();
    private final int batchSize;
    private final int chunkSize;
    private final int threads;
    private final LongConsumer progress;
    private final Object progressLock = new Object();
    private long samplesDone;
    private SharedTrace shared;

    /**
     * @param traced    the values to observe, in the order of the observer arrays given to {@link #run}
     * @param batchSize samples per calibration batch (a multiple of {@code chunkSize} when the model fixes its batch)
     * @param chunkSize samples per interpreter call: the model's fixed batch size, or {@link StreamChunk#of} (at most
     *                  {@code batchSize}; {@link StreamChunk#balanced} over the threads)
     */
    CalibrationRun(Interpreter interpreter, CalibrationData data, List<String> traced, int batchSize, int chunkSize,
                   int threads, LongConsumer progress) {
        this.interpreter = interpreter;
        this.data = data;
        this.inputs = interpreter.inputs();
        for (int i = 0; i < traced.size(); i++) slotOf.put(traced.get(i), i);
        this.batchSize = batchSize;
        this.chunkSize = chunkSize;
        this.threads = threads;
        this.progress = progress;
    }

    /** Hands {@code trace}'s values of the next {@link #run}'s first pass to it too (that run only; null: none). */
    void share(SharedTrace trace) { this.shared = trace; }

    /**
     * Runs every pass the observers need (all of one kind), merging thread copies into {@code observers}. Mergeable
     * observers do not depend on batch boundaries, so the work units are the chunks themselves, shared by all threads
     * (a batch larger than a chunk still uses every thread, and at most one chunk of intermediate tensors per thread
     * is alive); the others see whole batches in file order on one thread.
     */
    void run(Observer[] observers) {
        SharedTrace trace = shared; // the first pass of this run only
        shared = null;
        if (observers.length == 0 && trace == null) return;
        int passes = observers.length == 0 ? 1 : observers[0].passes();
        boolean mergeable = observers.length == 0 || observers[0].mergeable();
        List<int[]> units = new ArrayList<>(); // {start, count, endsBatch}
        for (int start = 0; start < data.sampleCount(); start += batchSize) {
            int count = Math.min(batchSize, data.sampleCount() - start);
            if (mergeable)
                for (int at = 0; at < count; at += chunkSize) units.add(new int[] {start + at, Math.min(chunkSize, count - at), 0});
            else units.add(new int[] {start, count, 1});
        }
        int workers = mergeable ? Math.max(1, Math.min(threads, units.size())) : 1;
        for (int pass = 0; pass < passes; pass++) {
            Observer[][] perThread = new Observer[workers][];
            perThread[0] = observers;
            for (int t = 1; t < workers; t++) {
                perThread[t] = new Observer[observers.length];
                for (int v = 0; v < observers.length; v++) perThread[t][v] = observers[v].fork();
            }
            runPass(pass, units, perThread, pass == 0 ? trace : null);
            for (int v = 0; v < observers.length; v++) {
                for (int t = 1; t < workers; t++) observers[v].merge(perThread[t][v]);
                observers[v].endPass(pass);
            }
        }
    }

    private void runPass(int pass, List<int[]> units, Observer[][] perThread, SharedTrace trace) {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Handover handover = trace == null ? null : new Handover(trace, units, chunkSize);
        Runnable[] work = new Runnable[perThread.length];
        // the first pass meets cold kernels: worker 0 runs the first unit alone (later passes run compiled code) while
        // a helper packs the layers' weights ahead of it
        Workers.FirstUnitGate gate = new Workers.FirstUnitGate(pass == 0 ? units.size() : 0, perThread.length);
        for (int t = 0; t < perThread.length; t++) {
            Observer[] own = perThread[t];
            boolean first = t == 0;
            work[t] = () -> {
                try {
                    if (!first) {
                        if (pass == 0) interpreter.packWeights();
                        gate.await();
                    }
                    for (int job; failure.get() == null && (job = next.getAndIncrement()) < units.size(); ) {
                        int[] u = units.get(job);
                        runUnit(pass, u[0], u[1], u[2] == 1, own, handover);
                        if (first) gate.open();
                    }
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                    if (handover != null) handover.order.fail(e); // wakes a thread waiting for this one's chunk
                } finally {
                    if (first) gate.open();
                }
            };
        }
        Workers.run("nncc-calibrate", "calibrating", work.length, w -> work[w].run());
        Throwable e = failure.get();
        if (e instanceof RuntimeException r) throw r;
        if (e instanceof Error err) throw err;
    }

    /**
     * Samples [start, start + count): read, run in chunks, observed; then, when the unit is a whole calibration
     * batch, endBatch on every observer.
     */
    private void runUnit(int pass, int start, int count, boolean endsBatch, Observer[] own, Handover handover) {
        List<Tensor> batch = data.batch(start, count);
        for (int at = 0; at < count; at += chunkSize) {
            int n = Math.min(chunkSize, count - at), from = start + at;
            List<Tensor> chunk = n == count ? batch : slice(batch, at, n);
            boolean handing = handover != null && from < handover.trace.samples();
            FloatTraceSink sink = new FloatTraceSink() {
                @Override public boolean wants(Node node, int output) {
                    String name = node.output(output).name();
                    return slotOf.containsKey(name) || handing && handover.trace.names().contains(name);
                }

                @Override public void accept(Node node, int output, int[] shape, float[] values) {
                    String name = node.output(output).name();
                    Integer slot = slotOf.get(name);
                    if (slot != null) own[slot].observe(pass, values);
                    if (handing && handover.trace.names().contains(name)) handover.give(name, from, shape, values);
                }
            };
            for (int i = 0; i < inputs.size(); i++) {
                String name = inputs.get(i).name();
                Integer slot = slotOf.get(name);
                boolean give = handing && handover.trace.names().contains(name);
                if (slot == null && !give) continue;
                float[] values = chunk.get(i).toFloats();
                if (slot != null) own[slot].observe(pass, values);
                if (give) handover.give(name, from, dims(chunk.get(i)), values);
            }
            try {
                interpreter.runTracingFloats(chunk, sink);
            } catch (ModelException e) {
                throw new ModelException(e.file() != null ? e.file() : data.source(), e.node(), e.getRawMessage()
                        + " (calibration samples " + (start + at) + ".." + (start + at + n - 1) + ")", e);
            }
        }
        if (endsBatch) for (Observer o : own) o.endBatch(pass);
        synchronized (progressLock) {
            samplesDone += count;
            progress.accept(samplesDone);
        }
    }

    /**
     * A pass's hand-over of {@link SharedTrace} values: chunks numbered by their first sample in the order the units
     * list them (increasing), values cut to the trace's sample limit.
     */
    private static final class Handover {
        final SharedTrace trace;
        final OrderedHandover order = new OrderedHandover();
        private final int[] chunkStarts;

        Handover(SharedTrace trace, List<int[]> units, int chunkSize) {
            this.trace = trace;
            List<Integer> starts = new ArrayList<>();
            for (int[] u : units)
                for (int at = 0; at < u[1]; at += chunkSize) starts.add(u[0] + at);
            chunkStarts = starts.stream().mapToInt(Integer::intValue).toArray();
        }

        void give(String name, int from, int[] shape, float[] values) {
            int[] dims = shape;
            int keep = trace.samples() - from;
            if (keep < shape[0]) {
                dims = shape.clone();
                dims[0] = keep;
            }
            order.inOrder(name, java.util.Arrays.binarySearch(chunkStarts, from), dims, values, trace::accept);
        }
    }

    private static int[] dims(Tensor t) {
        int[] d = new int[t.shape().rank()];
        for (int i = 0; i < d.length; i++) d[i] = Math.toIntExact(t.shape().dim(i));
        return d;
    }

    private static List<Tensor> slice(List<Tensor> batch, int at, int n) {
        return batch.stream().map(t -> t.sliceBatch(at, at + n)).toList();
    }
}
