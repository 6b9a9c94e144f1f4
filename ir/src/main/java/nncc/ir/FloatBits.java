package nncc.ir;

/** Conversions between float32 and the 16-bit float formats not covered by {@link Float}. */
public final class FloatBits {
    private FloatBits() {}

    /** float32 to bfloat16 bits, rounding to nearest even (NaN stays NaN). */
    public static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public static float fromBf16(short b) { return Float.intBitsToFloat((b & 0xFFFF) << 16); }

    /** Rounds a float32 to the nearest float16 value (as float32). */
    public static float roundToF16(float v) { return Float.float16ToFloat(Float.floatToFloat16(v)); }
}
