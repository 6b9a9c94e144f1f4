package nncc.ir;

import java.util.Locale;

/**
 * What nncc will allocate for one tensor, checked by every reader (ONNX, TFLite, .npy, the verifier for declared
 * types) before it allocates: at most {@link #maxTensorBytes()} bytes (the command line's {@code --max-tensor-bytes},
 * 2 GiB by default) and at most {@link #MAX_ELEMENTS} elements (what one Java array holds). The byte limit is
 * process-wide, set once by the command line before a model is read.
 */
public final class Limits {
    /** The most elements one tensor can have: the largest Java array. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** The default byte limit: 2 GiB, larger than any single tensor of the models nncc targets. */
    public static final long DEFAULT_MAX_TENSOR_BYTES = 2L << 30;

    private static volatile long maxTensorBytes = DEFAULT_MAX_TENSOR_BYTES;

    private Limits() {}

    public static long maxTensorBytes() { return maxTensorBytes; }

    /** Sets the byte limit (at least 1). */
    public static void setMaxTensorBytes(long bytes) {
        if (bytes < 1) throw new ModelException("--max-tensor-bytes must be at least 1, got " + bytes);
        maxTensorBytes = bytes;
    }

    /** Whether a tensor of {@code elements} elements of {@code dtype} is within both limits. */
    public static boolean fits(DType dtype, long elements) {
        return elements <= MAX_ELEMENTS && dtype.storageBytes(elements) <= maxTensorBytes;
    }

    /**
     * Refuses, with an error starting with {@code what} (the file and tensor), a tensor of {@code elements} elements of
     * {@code dtype} that is over either limit.
     */
    public static void checkTensor(String what, DType dtype, long elements) {
        if (elements > MAX_ELEMENTS)
            throw new ModelException(what + ": " + elements + " elements, more than one tensor can hold (" + MAX_ELEMENTS + ")");
        long bytes = dtype.storageBytes(elements);
        long limit = maxTensorBytes;
        if (bytes > limit)
            throw new ModelException(what + ": " + dtype.text() + " tensor of " + bytes + " bytes is over --max-tensor-bytes "
                    + text(limit));
    }

    /** A byte count as the option spells it: {@code 2G}, {@code 512M}, {@code 64K} when exact, else plain bytes. */
    public static String text(long bytes) {
        String[] units = {"G", "M", "K"};
        long[] sizes = {1L << 30, 1L << 20, 1L << 10};
        for (int i = 0; i < units.length; i++) if (bytes % sizes[i] == 0) return bytes / sizes[i] + units[i];
        return Long.toString(bytes);
    }

    /** Parses {@code 123}, {@code 64K}, {@code 512M}, {@code 2G} (binary units, case-insensitive). */
    public static long parseBytes(String s) {
        String t = s.strip().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("K")) unit = 1L << 10;
        else if (t.endsWith("M")) unit = 1L << 20;
        else if (t.endsWith("G")) unit = 1L << 30;
        if (unit != 1) t = t.substring(0, t.length() - 1);
        try {
            long v = Long.parseLong(t);
            if (v < 1) throw new NumberFormatException();
            return Math.multiplyExact(v, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ModelException("not a byte size: '" + ModelException.shorten(s) + "' (use e.g. 512M or 2G)");
        }
    }
}
