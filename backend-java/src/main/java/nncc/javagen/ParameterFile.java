package nncc.javagen;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary resource of a generated program: every constant array (weights, biases, per-channel multipliers and
 * shifts, tables, integer constants) in the order the generated class's static initializer reads them. Format
 * (big-endian, {@link java.io.DataInputStream}): int magic {@value #MAGIC}, int array count, then per array one kind
 * byte (see {@link Kind}), an int length and the elements. The generated code checks kind and length of each array.
 */
final class ParameterFile {
    static final int MAGIC = 0x4E4E4A31; // "NNJ1"

    /**
     * Element kinds, with the Java array type the generated field has. WIDE_BYTES are stored as bytes and read into an
     * int array: weights that inner loops multiply with int operands (same-type int loops are what the JIT vectorizes).
     */
    enum Kind {
        BYTES(1, "byte"), INTS(2, "int"), LONGS(3, "long"), FLOATS(4, "float"), WIDE_BYTES(5, "int");

        final int code;
        final String javaType;

        Kind(int code, String javaType) {
            this.code = code;
            this.javaType = javaType;
        }
    }

    /** One array: the generated field's name, its kind and its elements (held as longs, or floats for FLOATS). */
    record Entry(String field, Kind kind, long[] values, float[] floats) {
        int length() { return kind == Kind.FLOATS ? floats.length : values.length; }
    }

    private final List<Entry> entries = new ArrayList<>();

    /** Adds an integer array under {@code field}; returns the field name. */
    String add(String field, Kind kind, long[] values) {
        if (kind == Kind.FLOATS) throw new IllegalArgumentException("float arrays go through addFloats");
        entries.add(new Entry(field, kind, values.clone(), null));
        return field;
    }

    /** Adds an int array from a list of Integer (multipliers, shifts); returns the field name. */
    String addInts(String field, List<Integer> values) {
        long[] v = new long[values.size()];
        for (int i = 0; i < v.length; i++) v[i] = values.get(i);
        return add(field, Kind.INTS, v);
    }

    /** Adds a float array; returns the field name. */
    String addFloats(String field, float[] values) {
        entries.add(new Entry(field, Kind.FLOATS, null, values.clone()));
        return field;
    }

    List<Entry> entries() { return List.copyOf(entries); }

    /** The resource bytes. */
    byte[] bytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(entries.size());
            for (Entry e : entries) {
                out.writeByte(e.kind().code);
                out.writeInt(e.length());
                switch (e.kind()) {
                    case BYTES, WIDE_BYTES -> { for (long v : e.values()) out.writeByte((int) v); }
                    case INTS -> { for (long v : e.values()) out.writeInt((int) v); }
                    case LONGS -> { for (long v : e.values()) out.writeLong(v); }
                    case FLOATS -> { for (float v : e.floats()) out.writeFloat(v); }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
