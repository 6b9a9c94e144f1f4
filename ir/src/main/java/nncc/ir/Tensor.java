package nncc.ir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Constant tensor data: a static shape, an element type and the elements as little-endian bytes in that
 * type's own encoding (sub-byte types packed, low nibble first). Immutable: the factories copy or take
 * ownership, and the accessors return copies decoded into Java arrays.
 */
public final class Tensor {
    private final DType dtype;
    private final Shape shape;
    private final byte[] data;

    private Tensor(DType dtype, Shape shape, byte[] data) {
        Objects.requireNonNull(dtype);
        if (!shape.isStatic()) throw new IllegalArgumentException("constant tensor needs a static shape, got " + shape);
        long need = dtype.storageBytes(shape.numElements());
        if (data.length != need)
            throw new IllegalArgumentException("tensor " + dtype.text() + shape + " needs " + need + " bytes, got " + data.length);
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /** Wraps raw little-endian bytes (copied). */
    public static Tensor ofRaw(DType dtype, Shape shape, byte[] raw) { return new Tensor(dtype, shape, raw.clone()); }

    public static Tensor ofFloats(Shape shape, float... values) { return ofFloats(DType.F32, shape, values); }

    /** Float values stored as {@code dtype} (F32, F16, BF16 or F64), rounded to nearest even where narrower. */
    public static Tensor ofFloats(DType dtype, Shape shape, float... values) {
        checkCount(shape, values.length);
        ByteBuffer b = buffer(dtype.storageBytes(values.length));
        switch (dtype) {
            case F32 -> b.asFloatBuffer().put(values); // one bulk copy (traced activations pass through here)
            case F64 -> { for (float v : values) b.putDouble(v); }
            case F16 -> { for (float v : values) b.putShort(Float.floatToFloat16(v)); }
            case BF16 -> { for (float v : values) b.putShort(FloatBits.toBf16(v)); }
            default -> throw new IllegalArgumentException("ofFloats needs a float dtype, got " + dtype.text());
        }
        return new Tensor(dtype, shape, b.array());
    }

    public static Tensor ofDoubles(Shape shape, double... values) {
        checkCount(shape, values.length);
        ByteBuffer b = buffer(8L * values.length);
        for (double v : values) b.putDouble(v);
        return new Tensor(DType.F64, shape, b.array());
    }

    /** Integer (or bool) values stored as {@code dtype}; each must be in the type's range. */
    public static Tensor ofLongs(DType dtype, Shape shape, long... values) {
        checkCount(shape, values.length);
        if (dtype.isFloat()) throw new IllegalArgumentException("ofLongs needs an integer dtype, got " + dtype.text());
        for (long v : values)
            if (v < dtype.minValue() || v > dtype.maxValue())
                throw new IllegalArgumentException("value " + v + " out of range for " + dtype.text());
        ByteBuffer b = buffer(dtype.storageBytes(values.length));
        switch (dtype) {
            case I64 -> { for (long v : values) b.putLong(v); }
            case I32 -> { for (long v : values) b.putInt((int) v); }
            case I16 -> { for (long v : values) b.putShort((short) v); }
            case I8, U8, BOOL -> { for (long v : values) b.put((byte) v); }
            case I4 -> {
                for (int i = 0; i < values.length; i += 2) {
                    int lo = (int) values[i] & 0xF;
                    int hi = i + 1 < values.length ? (int) values[i + 1] & 0xF : 0;
                    b.put((byte) (lo | hi << 4));
                }
            }
            default -> throw new AssertionError(dtype);
        }
        return new Tensor(dtype, shape, b.array());
    }

    public static Tensor ofInts(DType dtype, Shape shape, int... values) {
        return ofLongs(dtype, shape, Arrays.stream(values).asLongStream().toArray());
    }

    public static Tensor scalar(float v) { return ofFloats(Shape.SCALAR, v); }

    private static void checkCount(Shape shape, long n) {
        if (shape.numElements() != n)
            throw new IllegalArgumentException("shape " + shape + " holds " + shape.numElements() + " elements, got " + n);
    }

    private static ByteBuffer buffer(long n) {
        return ByteBuffer.allocate(Math.toIntExact(n)).order(ByteOrder.LITTLE_ENDIAN);
    }

    public DType dtype() { return dtype; }

    public Shape shape() { return shape; }

    public TensorType type() { return TensorType.of(dtype, shape); }

    public long numElements() { return shape.numElements(); }

    /** A copy of the raw little-endian bytes. */
    public byte[] rawBytes() { return data.clone(); }

    /** Size of the stored data in bytes. */
    public int byteSize() { return data.length; }

    private ByteBuffer view() { return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN); }

    /** The elements as floats (float types exactly widened or narrowed from f64; integer types converted). */
    public float[] toFloats() {
        int n = Math.toIntExact(numElements());
        float[] r = new float[n];
        ByteBuffer b = view();
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(r);
            case F64 -> { for (int i = 0; i < n; i++) r[i] = (float) b.getDouble(); }
            case F16 -> { for (int i = 0; i < n; i++) r[i] = Float.float16ToFloat(b.getShort()); }
            case BF16 -> { for (int i = 0; i < n; i++) r[i] = FloatBits.fromBf16(b.getShort()); }
            default -> { long[] l = toLongs(); for (int i = 0; i < n; i++) r[i] = l[i]; }
        }
        return r;
    }

    /** The elements as doubles. */
    public double[] toDoubles() {
        int n = Math.toIntExact(numElements());
        double[] r = new double[n];
        if (dtype == DType.F64) { view().asDoubleBuffer().get(r); return r; }
        if (dtype.isFloat()) { float[] f = toFloats(); for (int i = 0; i < n; i++) r[i] = f[i]; return r; }
        long[] l = toLongs();
        for (int i = 0; i < n; i++) r[i] = l[i];
        return r;
    }

    /** The elements as longs (integer and bool types; float types truncated toward zero). */
    public long[] toLongs() {
        int n = Math.toIntExact(numElements());
        long[] r = new long[n];
        ByteBuffer b = view();
        switch (dtype) {
            case I64 -> b.asLongBuffer().get(r);
            case I32 -> { for (int i = 0; i < n; i++) r[i] = b.getInt(); }
            case I16 -> { for (int i = 0; i < n; i++) r[i] = b.getShort(); }
            case I8 -> { for (int i = 0; i < n; i++) r[i] = b.get(); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) r[i] = b.get() & 0xFF; }
            case I4 -> { for (int i = 0; i < n; i++) r[i] = ((data[i >> 1] >> ((i & 1) * 4)) << 28) >> 28; }
            default -> { double[] d = toDoubles(); for (int i = 0; i < n; i++) r[i] = (long) d[i]; }
        }
        return r;
    }

    /** The elements as ints (the values must fit). */
    public int[] toInts() {
        long[] l = toLongs();
        int[] r = new int[l.length];
        for (int i = 0; i < l.length; i++) r[i] = Math.toIntExact(l[i]);
        return r;
    }

    /** Rows {@code [from, to)} along dim 0 (byte-aligned types only). */
    public Tensor sliceBatch(int from, int to) {
        if (shape.rank() == 0 || from < 0 || to > shape.dim(0) || from > to)
            throw new IllegalArgumentException("cannot slice [" + from + "," + to + ") of " + this);
        if (dtype == DType.I4) throw new IllegalArgumentException("cannot slice packed i4 tensors");
        int row = Math.toIntExact(data.length / Math.max(1, shape.dim(0)));
        byte[] d = Arrays.copyOfRange(data, from * row, to * row);
        return new Tensor(dtype, shape.withDim(0, to - from), d);
    }

    /** Concatenates tensors of one dtype along dim 0 (other dims must agree). */
    public static Tensor concatBatch(java.util.List<Tensor> parts) {
        Tensor first = parts.get(0);
        long rows = 0;
        int bytes = 0;
        for (Tensor t : parts) {
            if (t.dtype != first.dtype || t.shape.rank() != first.shape.rank() || t.shape.rank() == 0
                    || !t.shape.withDim(0, 0).equals(first.shape.withDim(0, 0)))
                throw new IllegalArgumentException("cannot concatenate " + t + " to " + first);
            rows += t.shape.dim(0);
            bytes += t.data.length;
        }
        byte[] d = new byte[bytes];
        int at = 0;
        for (Tensor t : parts) { System.arraycopy(t.data, 0, d, at, t.data.length); at += t.data.length; }
        return new Tensor(first.dtype, first.shape.withDim(0, rows), d);
    }

    /** The same data seen with another shape of the same element count. */
    public Tensor reshape(Shape s) { return new Tensor(dtype, s, data); }

    @Override public boolean equals(Object o) {
        return o instanceof Tensor t && dtype == t.dtype && shape.equals(t.shape) && Arrays.equals(data, t.data);
    }

    @Override public int hashCode() { return Objects.hash(dtype, shape, Arrays.hashCode(data)); }

    @Override public String toString() { return "tensor<" + dtype.text() + shape + ">"; }
}
