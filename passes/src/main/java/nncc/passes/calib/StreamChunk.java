package nncc.passes.calib;

import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Value;

/**
 * How many calibration samples one interpreter call takes, for a model with a symbolic batch: as many as keep its
 * largest intermediate tensor within {@value #TARGET_BYTES} bytes (at least 1, at most the calibration batch), which
 * bounds the memory calibration and bias correction hold: a model of 3.2 MB per sample in its largest feature map runs
 * 5 samples at a time instead of 32; small models keep whole batches. A CNN the interpreter runs image by image takes
 * one image at a time ({@link #forRuns}).
 */
public final class StreamChunk {
    private StreamChunk() {}

    /** The byte size the largest intermediate tensor of one chunk should stay under. */
    public static final long TARGET_BYTES = 16L << 20;

    /** Samples per interpreter call for batches of {@code batch} samples through {@code graph}. */
    public static int of(Graph graph, int batch) {
        long largest = 1;
        for (Node n : graph.nodes())
            for (Value v : n.outputs()) largest = Math.max(largest, bytesPerSample(v));
        return (int) Math.max(1, Math.min(batch, TARGET_BYTES / largest));
    }

    /**
     * Samples per chunk when {@code total} samples, in chunks of at most {@code max}, are shared out to {@code threads}
     * threads: as many chunks as chunks of {@code max} would make, rounded up to a multiple of {@code threads}, of
     * nearly equal size, so no thread is left running a last chunk alone while the others wait (32 samples, at most 5
     * a chunk, 2 threads: 8 chunks of 4 instead of 6 of 5 and one of 2). The results do not depend on the chunks.
     */
    public static int balanced(int max, int total, int threads) {
        if (max < 1 || threads < 1) throw new IllegalArgumentException("chunk size and threads must be positive");
        int chunks = Math.max(1, ceilDiv(total, max));
        chunks = ceilDiv(chunks, threads) * threads;
        return Math.max(1, Math.min(max, ceilDiv(total, chunks)));
    }

    /**
     * Samples per interpreter call when {@code interpreter} runs {@code total} samples of a symbolic batch, in batches
     * of {@code batch}, on {@code threads} threads: one when the interpreter would run a batch image by image anyway
     * ({@link Interpreter#runsImageByImage}: a traced run of one image takes the same batch-1 paths as a plain run,
     * which are faster than the batched ones and keep one image's tensors in cache from layer to layer), else
     * {@link #balanced} chunks of {@link #of}. The results do not depend on the chunks.
     */
    public static int forRuns(Interpreter interpreter, Graph graph, int batch, int total, int threads) {
        return interpreter.runsImageByImage() ? 1 : balanced(of(graph, batch), total, threads);
    }

    private static int ceilDiv(int a, int b) { return (a + b - 1) / b; }

    /** Bytes of one sample of {@code v}: its elements with symbolic dims taken as 1, times the element width. */
    private static long bytesPerSample(Value v) {
        long elements = 1;
        var s = v.type().shape();
        for (int i = 0; i < s.rank(); i++) if (!s.isSymbolic(i)) elements = Math.multiplyExact(elements, s.dim(i));
        return Math.max(1, v.type().dtype().storageBytes(elements));
    }
}
