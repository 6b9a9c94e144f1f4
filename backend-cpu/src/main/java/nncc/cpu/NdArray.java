package nncc.cpu;

import java.util.Arrays;
import nncc.ir.DType;
import nncc.ir.FloatBits;
import nncc.ir.Shape;
import nncc.ir.Tensor;

/**
 * The interpreter's working tensor: an element type, an int shape and row-major data in one Java array
 * chosen by the type's storage kind ({@code float[]} for f32/f16/bf16, {@code double[]} for f64,
 * {@code long[]} for integers and bool). Treated as immutable once built: kernels never write into
 * their inputs, so views such as a reshape may share the data array.
 *
 * <p>8-bit integer tensors (i8, u8) may instead hold their elements as a {@code byte[]} (u8 as the unsigned value's
 * low 8 bits), which is what the integer kernels read and write: 1 byte an element instead of 8. Either form is
 * converted to the other on first request ({@link #longs()}, {@link #int8Bytes()}) and the conversion is kept, so
 * kernels that only know {@code long[]} keep working on byte-backed tensors. Likewise i16 tensors may hold their
 * elements as a {@code short[]} ({@link #ofShorts}, {@link #int16Shorts}): 2 bytes an element.
 */
final class NdArray {
    /** Which Java array holds the elements (logically: byte-backed 8-bit tensors are LONG, see {@link #holdsBytes}). */
    enum Storage { FLOAT, DOUBLE, LONG }

    final DType dtype;
    final int[] shape;
    final float[] floats;
    final double[] doubles;
    /** Integer elements when the tensor was built from longs (a final field, so reading it in a loop costs nothing). */
    private final long[] longs;
    /** i8/u8 elements when the tensor was built from bytes. */
    private final byte[] bytes;
    /** i16 elements when the tensor was built from shorts. */
    private final short[] shorts;
    /** The other form, converted on first use (published through the volatile fields). */
    private volatile long[] convertedLongs;
    private volatile byte[] convertedBytes;
    private volatile short[] convertedShorts;
    private final boolean builtFromBytes;

    private NdArray(DType dtype, int[] shape, float[] f, double[] d, long[] l) { this(dtype, shape, f, d, l, null, null); }

    private NdArray(DType dtype, int[] shape, float[] f, double[] d, long[] l, byte[] b) { this(dtype, shape, f, d, l, b, null); }

    private NdArray(DType dtype, int[] shape, float[] f, double[] d, long[] l, byte[] b, short[] h) {
        this.dtype = dtype;
        this.shape = shape;
        this.floats = f;
        this.doubles = d;
        this.longs = l;
        this.bytes = b;
        this.shorts = h;
        this.builtFromBytes = l == null && b != null;
        int n = sizeOf(shape);
        int have = f != null ? f.length : d != null ? d.length : l != null ? l.length : b != null ? b.length : h.length;
        if (have != n) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " elements, got " + have);
    }

    static Storage storageOf(DType t) {
        return switch (t) {
            case F32, F16, BF16 -> Storage.FLOAT;
            case F64 -> Storage.DOUBLE;
            case I64, I32, I16, I8, U8, I4, BOOL -> Storage.LONG;
        };
    }

    /** Whether {@code t} may be held as bytes (i8 and u8). */
    static boolean isByteType(DType t) { return t == DType.I8 || t == DType.U8; }

    /** i8 or u8 data held as bytes (u8 as its low 8 bits); the array becomes the tensor's (callers must not write into it later). */
    static NdArray ofBytes(DType t, int[] shape, byte[] data) {
        if (!isByteType(t)) throw new IllegalArgumentException(t.text() + " is not stored as bytes");
        return new NdArray(t, shape, null, null, null, data);
    }

    /** Whether this tensor was built from bytes, so {@link #int8Bytes} costs nothing (and {@link #longs} a conversion). */
    boolean holdsBytes() { return builtFromBytes; }

    /** i16 data held as shorts; the array becomes the tensor's (callers must not write into it later). */
    static NdArray ofShorts(DType t, int[] shape, short[] data) {
        if (t != DType.I16) throw new IllegalArgumentException(t.text() + " is not stored as shorts");
        return new NdArray(t, shape, null, null, null, null, data);
    }

    /** Whether the elements are held in a narrow form (bytes or shorts): the vector kernel set's integer tensors. */
    boolean isNarrow() { return builtFromBytes || shorts != null; }

    /** Whether this tensor was built from shorts, so {@link #int16Shorts} costs nothing (and {@link #longs} a conversion). */
    boolean holdsShorts() { return shorts != null; }

    /** The elements of an i16 tensor as shorts; callers must not write into it. */
    short[] int16Shorts() {
        if (shorts != null) return shorts;
        short[] h = convertedShorts;
        if (h != null) return h;
        if (dtype != DType.I16) throw new IllegalStateException(dtype.text() + " is not stored as shorts");
        h = new short[longs.length];
        for (int i = 0; i < h.length; i++) h[i] = (short) longs[i];
        convertedShorts = h;
        return h;
    }

    /** The integer elements as longs (callers must not write into it, except into arrays they made with {@link #zeros}). */
    long[] longs() {
        if (longs != null) return longs;
        long[] l = convertedLongs;
        if (l != null) return l;
        if (shorts != null) {
            l = new long[shorts.length];
            for (int i = 0; i < l.length; i++) l[i] = shorts[i];
            convertedLongs = l;
            return l;
        }
        byte[] b = bytes;
        if (b == null) return null;
        l = new long[b.length];
        if (dtype == DType.U8) for (int i = 0; i < l.length; i++) l[i] = b[i] & 0xFF;
        else for (int i = 0; i < l.length; i++) l[i] = b[i];
        convertedLongs = l;
        return l;
    }

    /** The elements of an i8/u8 tensor as bytes (u8 as its low 8 bits); callers must not write into it. */
    byte[] int8Bytes() {
        if (bytes != null) return bytes;
        byte[] b = convertedBytes;
        if (b != null) return b;
        if (!isByteType(dtype)) throw new IllegalStateException(dtype.text() + " is not stored as bytes");
        b = new byte[longs.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) longs[i];
        convertedBytes = b;
        return b;
    }

    /** Float data of a float32/16 type; f16 and bf16 values are rounded to the type, in place. */
    static NdArray ofFloats(DType t, int[] shape, float[] data) {
        if (storageOf(t) != Storage.FLOAT) throw new IllegalArgumentException(t.text() + " is not stored as float");
        if (t == DType.F16) for (int i = 0; i < data.length; i++) data[i] = FloatBits.roundToF16(data[i]);
        if (t == DType.BF16) for (int i = 0; i < data.length; i++) data[i] = FloatBits.fromBf16(FloatBits.toBf16(data[i]));
        return new NdArray(t, shape, data, null, null);
    }

    static NdArray ofDoubles(int[] shape, double[] data) { return new NdArray(DType.F64, shape, null, data, null); }

    /** Integer (or bool) data; the values must already be in the type's range. */
    static NdArray ofLongs(DType t, int[] shape, long[] data) {
        if (storageOf(t) != Storage.LONG) throw new IllegalArgumentException(t.text() + " is not stored as long");
        return new NdArray(t, shape, null, null, data);
    }

    /**
     * Integer results computed as longs, stored in the type's narrow form when {@code narrow} (i8/u8 as bytes, i16 as
     * shorts: what the vector kernel set keeps, 1 or 2 bytes an element) and as longs otherwise (the scalar reference).
     */
    static NdArray ofIntegers(DType t, int[] shape, long[] data, boolean narrow) {
        if (narrow && isByteType(t)) {
            byte[] b = new byte[data.length];
            for (int i = 0; i < b.length; i++) b[i] = (byte) data[i];
            return ofBytes(t, shape, b);
        }
        if (narrow && t == DType.I16) {
            short[] h = new short[data.length];
            for (int i = 0; i < h.length; i++) h[i] = (short) data[i];
            return ofShorts(t, shape, h);
        }
        return ofLongs(t, shape, data);
    }

    /** A zero-filled array of the given type and shape. */
    static NdArray zeros(DType t, int[] shape) {
        int n = sizeOf(shape);
        return switch (storageOf(t)) {
            case FLOAT -> new NdArray(t, shape, new float[n], null, null);
            case DOUBLE -> new NdArray(t, shape, null, new double[n], null);
            case LONG -> new NdArray(t, shape, null, null, new long[n]);
        };
    }

    static NdArray fromTensor(Tensor t) { return fromTensor(t, false); }

    /** The tensor's data; i8/u8 held as bytes when {@code bytes} (the fast kernels' form), else as longs. */
    static NdArray fromTensor(Tensor t, boolean bytes) {
        int[] shape = t.shape().toIntArray();
        if (bytes && isByteType(t.dtype())) return ofBytes(t.dtype(), shape, t.rawBytes());
        if (bytes && t.dtype() == DType.I16) {
            short[] h = new short[sizeOf(shape)];
            java.nio.ByteBuffer.wrap(t.rawBytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(h);
            return ofShorts(t.dtype(), shape, h);
        }
        return switch (storageOf(t.dtype())) {
            case FLOAT -> new NdArray(t.dtype(), shape, t.toFloats(), null, null);
            case DOUBLE -> new NdArray(t.dtype(), shape, null, t.toDoubles(), null);
            case LONG -> new NdArray(t.dtype(), shape, null, null, t.toLongs());
        };
    }

    Tensor toTensor() {
        Shape s = Shape.of(shape);
        if (holdsBytes()) return Tensor.ofRaw(dtype, s, bytes);
        if (holdsShorts()) {
            java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(shorts.length * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            raw.asShortBuffer().put(shorts);
            return Tensor.ofRaw(dtype, s, raw.array());
        }
        return switch (storage()) {
            case FLOAT -> Tensor.ofFloats(dtype, s, floats);
            case DOUBLE -> Tensor.ofDoubles(s, doubles);
            case LONG -> Tensor.ofLongs(dtype, s, longs());
        };
    }

    Storage storage() { return storageOf(dtype); }

    int size() { return sizeOf(shape); }

    int rank() { return shape.length; }

    int dim(int i) { return shape[i]; }

    Shape irShape() { return Shape.of(shape); }

    /** The same data with another shape of the same element count (shares the data array). */
    NdArray reshape(int[] newShape) {
        if (holdsShorts()) return new NdArray(dtype, newShape, null, null, null, null, shorts);
        return holdsBytes() ? new NdArray(dtype, newShape, null, null, null, bytes) : new NdArray(dtype, newShape, floats, doubles, longs());
    }

    /** Element i widened to double (any storage). */
    double getDouble(int i) {
        return switch (storage()) {
            case FLOAT -> floats[i];
            case DOUBLE -> doubles[i];
            case LONG -> holdsBytes() ? (dtype == DType.U8 ? bytes[i] & 0xFF : bytes[i]) : holdsShorts() ? shorts[i] : longs[i];
        };
    }

    /** All elements as floats (a copy unless the storage already is float; callers must not write into it). */
    float[] floatView() {
        if (floats != null) return floats;
        float[] r = new float[size()];
        for (int i = 0; i < r.length; i++) r[i] = (float) getDouble(i);
        return r;
    }

    /** All elements as longs (callers must not write into it); float types are truncated toward zero. */
    long[] longView() {
        if (storage() == Storage.LONG) return longs();
        long[] r = new long[size()];
        for (int i = 0; i < r.length; i++) r[i] = (long) getDouble(i);
        return r;
    }

    /**
     * A new array of this type whose element i is element {@code map[i]} of this one, or {@code fill} where
     * {@code map[i] < 0}. The generic data movement behind Transpose, Pad and friends.
     */
    NdArray gather(int[] outShape, int[] map, double fill) {
        int n = map.length;
        return switch (storage()) {
            case FLOAT -> {
                float[] r = new float[n];
                float f = dtype == DType.F16 ? FloatBits.roundToF16((float) fill)
                        : dtype == DType.BF16 ? FloatBits.fromBf16(FloatBits.toBf16((float) fill)) : (float) fill;
                for (int i = 0; i < n; i++) r[i] = map[i] < 0 ? f : floats[map[i]];
                yield new NdArray(dtype, outShape, r, null, null);
            }
            case DOUBLE -> {
                double[] r = new double[n];
                for (int i = 0; i < n; i++) r[i] = map[i] < 0 ? fill : doubles[map[i]];
                yield new NdArray(dtype, outShape, null, r, null);
            }
            case LONG -> {
                if (holdsBytes()) {
                    byte[] r = new byte[n];
                    byte f = (byte) (long) fill;
                    for (int i = 0; i < n; i++) r[i] = map[i] < 0 ? f : bytes[map[i]];
                    yield ofBytes(dtype, outShape, r);
                }
                if (holdsShorts()) {
                    short[] r = new short[n];
                    short f = (short) (long) fill;
                    for (int i = 0; i < n; i++) r[i] = map[i] < 0 ? f : shorts[map[i]];
                    yield ofShorts(dtype, outShape, r);
                }
                long[] r = new long[n];
                long[] longs = longs();
                long f = (long) fill;
                for (int i = 0; i < n; i++) r[i] = map[i] < 0 ? f : longs[map[i]];
                yield new NdArray(dtype, outShape, null, null, r);
            }
        };
    }

    /** Copies {@code len} elements from {@code src} (same storage) into this array's data. */
    void copyFrom(NdArray src, int srcPos, int dstPos, int len) {
        switch (storage()) {
            case FLOAT -> System.arraycopy(src.floats, srcPos, floats, dstPos, len);
            case DOUBLE -> System.arraycopy(src.doubles, srcPos, doubles, dstPos, len);
            case LONG -> System.arraycopy(src.longs(), srcPos, longs(), dstPos, len);
        }
    }

    static int sizeOf(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " is too large");
        return (int) n;
    }

    /** Row-major strides of a shape. */
    static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    /** Product of dims in [from, to). */
    static int product(int[] shape, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) p *= shape[i];
        return p;
    }

    @Override public String toString() { return dtype.text() + Arrays.toString(shape); }
}
