package nncc.passes.calib;

/**
 * A closed interval {@code [min, max]} of real values: what an {@link Observer} decides a float value should
 * be able to represent, before {@link QuantChoice} turns it into quantization parameters.
 */
public record Range(double min, double max) {
    public Range {
        if (Double.isNaN(min) || Double.isNaN(max) || min > max)
            throw new IllegalArgumentException("bad range [" + min + ", " + max + "]");
    }

    public boolean isFinite() { return Double.isFinite(min) && Double.isFinite(max); }

    /** The largest magnitude in the range, {@code max(|min|, |max|)}. */
    public double absMax() { return Math.max(Math.abs(min), Math.abs(max)); }

    public double width() { return max - min; }

    @Override public String toString() { return "[" + (float) min + ", " + (float) max + "]"; }
}
