package nncc.passes.train;

/**
 * How to train: epochs, batch size, the optimizer and its learning-rate schedule, weight decay (on conv and dense
 * weights only), the seed of shuffling and augmentation, threads, learned step sizes (LSQ) and when batch-norm
 * statistics freeze. {@code chunks} fixes how each batch is split for the threads; results depend on it, not on
 * {@code threads}.
 */
public record TrainingOptions(int epochs, int batch, double learningRate, Optimizer.Kind optimizer,
                              LearningRateSchedule.Kind schedule, double weightDecay, double momentum, long seed,
                              int threads, int chunks, boolean lsq, int freezeBatchNormAfter, Augmentation augmentation) {
    public TrainingOptions {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (!(learningRate > 0) || Double.isInfinite(learningRate))
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        if (threads < 1 || chunks < 1) throw new IllegalArgumentException("threads and chunks must be >= 1");
        java.util.Objects.requireNonNull(optimizer);
        java.util.Objects.requireNonNull(schedule);
        java.util.Objects.requireNonNull(augmentation);
    }

    /** One epoch of batch 64, SGD with momentum 0.9 at 0.01 under a cosine schedule, no decay, seed 0, two threads. */
    public static TrainingOptions defaults() {
        return new TrainingOptions(1, 64, 0.01, Optimizer.Kind.SGD, LearningRateSchedule.Kind.COSINE, 0, 0.9, 0,
                2, 2, false, Integer.MAX_VALUE, Augmentation.NONE);
    }

    public TrainingOptions withThreads(int t) {
        return new TrainingOptions(epochs, batch, learningRate, optimizer, schedule, weightDecay, momentum, seed, t, chunks,
                lsq, freezeBatchNormAfter, augmentation);
    }

    public TrainingOptions withEpochs(int e) {
        return new TrainingOptions(e, batch, learningRate, optimizer, schedule, weightDecay, momentum, seed, threads, chunks,
                lsq, freezeBatchNormAfter, augmentation);
    }

    /** Random crop after zero padding by {@code cropPad} pixels, and random horizontal flips. */
    public record Augmentation(int cropPad, boolean horizontalFlip) {
        public static final Augmentation NONE = new Augmentation(0, false);

        public Augmentation {
            if (cropPad < 0) throw new IllegalArgumentException("crop padding must be >= 0, got " + cropPad);
        }
    }
}
