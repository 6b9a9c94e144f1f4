package nncc.ir;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor shape. Each dimension is either a fixed size or a symbol (a size known only at run time,
 * typically the batch). Immutable.
 */
public final class Shape {
    private static final String[] NO_SYMBOLS = new String[0];
    private final long[] dims;
    private final String[] symbols; // same length as dims, null entries for fixed dims; or empty if none

    private Shape(long[] dims, String[] symbols) {
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            if (symbols.length > 0 && symbols[i] != null) continue;
            try {
                n = Math.multiplyExact(n, dims[i]);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has more than 2^63 elements");
            }
        }
        this.dims = dims;
        this.symbols = symbols;
    }

    public static Shape of(long... dims) {
        for (long d : dims) if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
        return new Shape(dims.clone(), NO_SYMBOLS);
    }

    public static Shape of(int... dims) {
        return of(Arrays.stream(dims).asLongStream().toArray());
    }

    public static final Shape SCALAR = new Shape(new long[0], NO_SYMBOLS);

    /** A shape whose dims are given by sizes; {@code symbols[i] != null} makes dim i symbolic (size ignored). */
    public static Shape withSymbols(long[] dims, String[] symbols) {
        if (dims.length != symbols.length) throw new IllegalArgumentException("dims/symbols length mismatch");
        boolean any = false;
        long[] d = dims.clone();
        for (int i = 0; i < d.length; i++) {
            if (symbols[i] != null) { any = true; d[i] = -1; }
            else if (d[i] < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
        }
        return new Shape(d, any ? symbols.clone() : NO_SYMBOLS);
    }

    public int rank() { return dims.length; }

    public boolean isSymbolic(int i) { return symbols.length > 0 && symbols[i] != null; }

    /** The symbol of dim i, or null when it is fixed. */
    public String symbol(int i) { return symbols.length > 0 ? symbols[i] : null; }

    /** The size of dim i; -1 when symbolic. */
    public long dim(int i) { return dims[i]; }

    public boolean isStatic() { return symbols.length == 0; }

    /** All sizes; symbolic dims are -1. */
    public long[] dims() { return dims.clone(); }

    /** Sizes as ints; the shape must be static and every dim must fit an int. */
    public int[] toIntArray() {
        if (!isStatic()) throw new IllegalStateException("shape " + this + " is not static");
        int[] r = new int[dims.length];
        for (int i = 0; i < r.length; i++) r[i] = Math.toIntExact(dims[i]);
        return r;
    }

    /** Number of elements; the shape must be static. It always fits a long (checked when the shape is made). */
    public long numElements() {
        if (!isStatic()) throw new IllegalStateException("shape " + this + " is not static");
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    /** This shape with dim i replaced by a fixed size. */
    public Shape withDim(int i, long size) {
        long[] d = dims.clone();
        String[] s = symbols.length > 0 ? symbols.clone() : new String[dims.length];
        d[i] = size;
        s[i] = null;
        return withSymbols(d, s);
    }

    /** This shape with every symbolic dim bound to {@code size}. */
    public Shape bindSymbols(long size) {
        long[] d = dims.clone();
        for (int i = 0; i < d.length; i++) if (isSymbolic(i)) d[i] = size;
        return of(d);
    }

    /** Whether a concrete shape is an instance of this (possibly symbolic) shape. */
    public boolean accepts(Shape concrete) {
        if (concrete.rank() != rank()) return false;
        for (int i = 0; i < rank(); i++) if (!isSymbolic(i) && dims[i] != concrete.dims[i]) return false;
        return true;
    }

    @Override public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims) && Arrays.equals(symbols, s.symbols);
    }

    @Override public int hashCode() { return Objects.hash(Arrays.hashCode(dims), Arrays.hashCode(symbols)); }

    /** Text form: {@code [?N,3,224,224]}. */
    @Override public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) b.append(',');
            if (isSymbolic(i)) b.append('?').append(symbols[i]);
            else b.append(dims[i]);
        }
        return b.append(']').toString();
    }
}
