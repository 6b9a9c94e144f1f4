package nncc.passes.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.Tensor;

/**
 * Trains an IR graph (float or fake-quant) for classification with softmax cross-entropy: forward through every
 * layer, reverse-mode gradients, an optimizer step per batch under a learning-rate schedule. Batches are split into
 * a fixed number of chunks run on up to two threads; every sum across chunks is taken in chunk order, so a seed
 * gives the same weights with one thread or two. {@link #writeBack} puts the trained weights, batch-norm statistics
 * and fake-quant scales into the graph.
 */
public final class Trainer implements AutoCloseable {
    /** One epoch's mean training loss, training accuracy, throughput and duration. */
    public record EpochResult(int epoch, double loss, double accuracy, double imagesPerSecond, double seconds) {}

    /** Mean cross-entropy and top-1 accuracy over a set. */
    public record Evaluation(double loss, double accuracy) {}

    /** Told after every batch: images done in the epoch, images in the epoch, the batch's mean loss. */
    public interface StepListener {
        void step(long done, long total, double loss);
    }

    private final Graph graph;
    private final TrainingOptions options;
    private final TrainingGraph net;
    private final Chunks chunks;
    private final Optimizer optimizer;
    private final List<TrainValue> trained = new ArrayList<>();
    private final Random random;
    private LearningRateSchedule schedule;
    private long step;
    /** Time per layer kind and direction when NNCC_TRAIN_PROFILE=1 (printed to stderr after each epoch). */
    private final java.util.Map<String, Long> profile = "1".equals(System.getenv("NNCC_TRAIN_PROFILE")) ? new java.util.TreeMap<>() : null;
    private int allocated;

    public Trainer(Graph graph, TrainingOptions options) {
        this.graph = graph;
        this.options = options;
        this.net = new TrainingGraph(graph, options.lsq(), options.chunks());
        this.chunks = new Chunks(options.chunks(), options.threads());
        trained.addAll(net.parameters.values());
        for (FakeQuantLayer f : net.fakeQuants.values()) trained.addAll(f.ownParameters());
        this.optimizer = new Optimizer(options.optimizer(), options.momentum(), options.weightDecay(), net.decayed);
        this.random = new Random(options.seed());
    }

    private void ensureBatch(int batch) {
        if (batch > allocated) {
            net.allocate(batch);
            allocated = batch;
        }
        chunks.setBatch(batch);
    }

    /** One pass over {@code set} in a seeded random order. */
    public EpochResult trainEpoch(TrainingSet set, int epoch, StepListener listener) {
        checkInput(set);
        int b = options.batch(), n = set.size();
        long stepsPerEpoch = (n + b - 1) / b;
        if (schedule == null)
            schedule = new LearningRateSchedule(options.schedule(), options.learningRate(), stepsPerEpoch * options.epochs());
        int[] order = set.order(random);
        double lossSum = 0;
        long correct = 0;
        long start = System.nanoTime();
        for (int first = 0; first < n; first += b) {
            int size = Math.min(b, n - first);
            ensureBatch(size);
            int[] labels = new int[size];
            for (int i = 0; i < size; i++) {
                set.copy(order[first + i], net.input.data, i, options.augmentation(), random);
                labels[i] = set.label(order[first + i]);
            }
            double[] lc = gradients(labels, step < options.freezeBatchNormAfter());
            lossSum += lc[0] * size;
            correct += (long) lc[1];
            optimizer.step(trained, schedule.at(step));
            for (FakeQuantLayer f : net.fakeQuants.values())
                for (int i = 0; i < f.scale.data.length; i++) f.scale.data[i] = Math.max(f.scale.data[i], 1e-8f);
            step++;
            if (listener != null) listener.step(first + size, n, lc[0]);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (profile != null) profile.forEach((k, v) -> System.err.printf("%-30s %8.2f s%n", k, v / 1e9));
        return new EpochResult(epoch, lossSum / n, (double) correct / n, n / seconds, seconds);
    }

    /**
     * Forward and backward for the batch already in the input buffer: every trained parameter's {@code grad} holds
     * d(mean loss)/d(parameter) afterwards. Returns {mean loss, correct predictions}.
     */
    double[] gradients(int[] labels, boolean batchStatistics) {
        for (TrainLayer l : net.layers) {
            long t0 = System.nanoTime();
            l.forward(chunks, batchStatistics);
            if (profile != null) profile.merge(l.getClass().getSimpleName() + " forward", System.nanoTime() - t0, Long::sum);
        }
        for (TrainValue v : net.batchedValues()) v.zeroGrad();
        for (TrainValue v : net.unbatchedValues()) v.zeroGrad();
        for (FakeQuantLayer f : net.fakeQuants.values()) f.scale.zeroGrad();
        double[] lc = SoftmaxCrossEntropy.lossAndGradient(net.logits.data, net.logits.grad, labels, net.logits.perImage);
        for (int i = net.layers.size() - 1; i >= 0; i--) {
            TrainLayer l = net.layers.get(i);
            if (!l.output.batched) l.output.reduceChunks();
            long t0 = System.nanoTime();
            l.backward(chunks);
            if (profile != null) profile.merge(l.getClass().getSimpleName() + " backward", System.nanoTime() - t0, Long::sum);
        }
        for (TrainValue p : trained) p.reduceChunks();
        return lc;
    }

    /** Puts {@code images} (batch * perImage floats) into the input buffer. */
    void load(float[] images, int batch) {
        ensureBatch(batch);
        System.arraycopy(images, 0, net.input.data, 0, batch * net.input.perImage);
    }

    /** Mean loss of the batch in the input buffer, forward only. */
    double loss(int[] labels, boolean batchStatistics) {
        for (TrainLayer l : net.layers) l.forward(chunks, batchStatistics);
        return SoftmaxCrossEntropy.lossAndGradient(net.logits.data, null, labels, net.logits.perImage)[0];
    }

    /** Loss and accuracy of the current weights on {@code set}, in inference mode (batch-norm running statistics). */
    public Evaluation evaluate(TrainingSet set) {
        checkInput(set);
        int b = options.batch(), n = set.size();
        double lossSum = 0;
        long correct = 0;
        for (int first = 0; first < n; first += b) {
            int size = Math.min(b, n - first);
            ensureBatch(size);
            int[] labels = new int[size];
            for (int i = 0; i < size; i++) {
                set.copy(first + i, net.input.data, i, TrainingOptions.Augmentation.NONE, random);
                labels[i] = set.label(first + i);
            }
            for (TrainLayer l : net.layers) l.forward(chunks, false);
            double[] lc = SoftmaxCrossEntropy.lossAndGradient(net.logits.data, null, labels, net.logits.perImage);
            lossSum += lc[0] * size;
            correct += (long) lc[1];
        }
        return new Evaluation(lossSum / n, (double) correct / n);
    }

    /** The logits of the first {@code count} images of {@code set} in inference mode (for tests and checks). */
    float[] logits(TrainingSet set, int count) {
        ensureBatch(count);
        for (int i = 0; i < count; i++) set.copy(i, net.input.data, i, TrainingOptions.Augmentation.NONE, random);
        for (TrainLayer l : net.layers) l.forward(chunks, false);
        return java.util.Arrays.copyOf(net.logits.data, count * net.logits.perImage);
    }

    TrainingGraph net() { return net; }

    private void checkInput(TrainingSet set) {
        if (set.perImage() != net.input.perImage)
            throw new IllegalArgumentException("the data has " + set.perImage() + " values per example, input %"
                    + net.input.name + " takes " + net.input.perImage + " " + java.util.Arrays.toString(net.input.dims));
    }

    /** Writes the trained weights, batch-norm statistics and fake-quant scales into the graph it was made from. */
    public Graph writeBack() {
        // weight scales that follow the weights are set from the final weights (the last forward saw the previous ones)
        for (TrainLayer l : net.layers) l.refreshWeights();
        for (var e : List.of(net.parameters, net.statistics))
            for (TrainValue v : e.values())
                graph.addConstant(v.name, Tensor.ofFloats(Shape.of(v.dims), v.data.clone()),
                        graph.constant(v.name).value().type().quant());
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            FakeQuantLayer f = net.fakeQuants.get(n.name());
            nodes.add(f == null ? n : n.withOp(f.op()));
        }
        for (ConvBnLayer c : net.convBns) c.writeFactors(graph);
        graph.setNodes(nodes);
        return graph;
    }

    @Override public void close() { chunks.close(); }
}
