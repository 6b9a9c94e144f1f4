package nncc.passes.train;

import java.util.Random;

/**
 * Labelled examples in memory: {@code count} images of {@code dims} (per image, NCHW order without N) as one float
 * array, and their class labels. Batches are drawn in a seeded random order, optionally augmented (random crop
 * after zero padding, horizontal flip), all random numbers drawn from the seed in one thread.
 */
public final class TrainingSet {
    private final float[] images;
    private final int[] labels;
    private final int[] dims;
    private final int perImage;

    public TrainingSet(float[] images, int[] labels, int[] dims) {
        int p = 1;
        for (int d : dims) p = Math.multiplyExact(p, d);
        if (p == 0 || images.length % p != 0 || images.length / p != labels.length)
            throw new IllegalArgumentException(labels.length + " labels for " + (p == 0 ? 0 : images.length / p)
                    + " images of " + java.util.Arrays.toString(dims));
        this.images = images;
        this.labels = labels;
        this.dims = dims.clone();
        this.perImage = p;
    }

    public int size() { return labels.length; }

    public int[] dims() { return dims.clone(); }

    public int perImage() { return perImage; }

    public int label(int i) { return labels[i]; }

    public float[] images() { return images; }

    /** The examples {@code from..to} (exclusive) as a set of their own (shares no arrays). */
    public TrainingSet slice(int from, int to) {
        return new TrainingSet(java.util.Arrays.copyOfRange(images, from * perImage, to * perImage),
                java.util.Arrays.copyOfRange(labels, from, to), dims);
    }

    /** A seeded permutation of the example indices (Fisher-Yates). */
    int[] order(Random random) {
        int[] o = new int[labels.length];
        for (int i = 0; i < o.length; i++) o[i] = i;
        for (int i = o.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    /** Copies example {@code index} into {@code dst} at image slot {@code slot}, augmented when asked. */
    void copy(int index, float[] dst, int slot, TrainingOptions.Augmentation aug, Random random) {
        int src = index * perImage, out = slot * perImage;
        if (aug.cropPad() == 0 && !aug.horizontalFlip() || dims.length != 3) {
            System.arraycopy(images, src, dst, out, perImage);
            return;
        }
        int c = dims[0], h = dims[1], w = dims[2], pad = aug.cropPad();
        int oy = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad, ox = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
        boolean flip = aug.horizontalFlip() && random.nextBoolean();
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int sy = y + oy, sx0 = x + ox, sx = flip ? w - 1 - sx0 : sx0;
                    boolean in = sy >= 0 && sy < h && sx0 >= 0 && sx0 < w;
                    dst[out + (ch * h + y) * w + x] = in ? images[src + (ch * h + sy) * w + sx] : 0f;
                }
    }
}
