package nncc.ir;

/** Element types a tensor can hold; {@code I4} is stored packed, two values per byte, low nibble first. */
public enum DType {
    F32("f32", 32, true), F16("f16", 16, true), BF16("bf16", 16, true), F64("f64", 64, true),
    I64("i64", 64, false), I32("i32", 32, false), I16("i16", 16, false), I8("i8", 8, false),
    U8("u8", 8, false), I4("i4", 4, false), BOOL("bool", 8, false);

    private final String text;
    private final int bits;
    private final boolean floating;

    DType(String text, int bits, boolean floating) {
        this.text = text;
        this.bits = bits;
        this.floating = floating;
    }

    /** The spelling in the text IR, e.g. {@code i8}. */
    public String text() { return text; }

    public int bits() { return bits; }

    public boolean isFloat() { return floating; }

    public boolean isInteger() { return !floating && this != BOOL; }

    /**
     * Bytes needed to store {@code count} elements of this type (packed for sub-byte types); an
     * ArithmeticException when that does not fit a long.
     */
    public long storageBytes(long count) { return Math.addExact(Math.multiplyExact(count, (long) bits), 7) / 8; }

    /** Smallest representable integer value (integer types only). */
    public long minValue() {
        return switch (this) {
            case I64 -> Long.MIN_VALUE; case I32 -> Integer.MIN_VALUE; case I16 -> Short.MIN_VALUE;
            case I8 -> Byte.MIN_VALUE; case U8, BOOL -> 0; case I4 -> -8;
            default -> throw new IllegalStateException(text + " is not an integer type");
        };
    }

    /** Largest representable integer value (integer types only). */
    public long maxValue() {
        return switch (this) {
            case I64 -> Long.MAX_VALUE; case I32 -> Integer.MAX_VALUE; case I16 -> Short.MAX_VALUE;
            case I8 -> Byte.MAX_VALUE; case U8 -> 255; case BOOL -> 1; case I4 -> 7;
            default -> throw new IllegalStateException(text + " is not an integer type");
        };
    }

    public static DType parse(String text) {
        for (DType t : values()) if (t.text.equals(text)) return t;
        throw new IllegalArgumentException("unknown dtype '" + text + "'");
    }
}
