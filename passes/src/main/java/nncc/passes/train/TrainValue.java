package nncc.passes.train;

import java.util.Arrays;

/**
 * One value of a graph being trained: its data and gradient. A batched value holds {@code batch * perImage}
 * floats (image-major, each image in the graph's NCHW order); a parameter (constant) holds its elements once and
 * collects its gradient per chunk of the batch, so the sum over chunks is taken in one fixed order whatever the
 * number of threads.
 */
final class TrainValue {
    final String name;
    /** Per-image dims (without the batch dim) of a batched value, all dims of a parameter. */
    final int[] dims;
    final boolean batched;
    final int perImage;
    float[] data;
    float[] grad;
    float[][] chunkGrad;
    /** Whether this value's data is another value's (a reshape): then its gradient is too. */
    boolean aliased;

    TrainValue(String name, int[] dims, boolean batched) {
        this.name = name;
        this.dims = dims.clone();
        this.batched = batched;
        int p = 1;
        for (int d : dims) p = Math.multiplyExact(p, d);
        this.perImage = p;
    }

    static TrainValue parameter(String name, int[] dims, float[] values) {
        TrainValue v = new TrainValue(name, dims, false);
        v.data = values;
        v.grad = new float[values.length];
        return v;
    }

    /** Sizes the buffers for {@code batch} images (batched values) or {@code chunks} partial gradients. */
    void allocate(int batch, int chunks) {
        if (aliased) return;
        if (batched) {
            int n = Math.multiplyExact(batch, perImage);
            if (data == null || data.length < n) {
                data = new float[n];
                grad = new float[n];
            }
        } else {
            if (grad == null) grad = new float[perImage];
            if (chunkGrad == null || chunkGrad.length != chunks) chunkGrad = new float[chunks][perImage];
        }
    }

    /** The gradient buffer a chunk adds into: the shared gradient for batched values, the chunk's own for a parameter. */
    float[] gradFor(int chunk) { return batched ? grad : chunkGrad[chunk]; }

    void zeroGrad() {
        if (aliased) return;
        if (grad != null) Arrays.fill(grad, 0f);
        if (chunkGrad != null) for (float[] g : chunkGrad) Arrays.fill(g, 0f);
    }

    /** A parameter's gradient: its chunks' partial sums added in chunk order. */
    void reduceChunks() {
        if (batched || chunkGrad == null) return;
        System.arraycopy(chunkGrad[0], 0, grad, 0, perImage);
        for (int c = 1; c < chunkGrad.length; c++) {
            float[] g = chunkGrad[c];
            for (int i = 0; i < perImage; i++) grad[i] += g[i];
        }
    }
}
