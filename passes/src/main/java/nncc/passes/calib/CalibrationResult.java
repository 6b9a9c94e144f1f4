package nncc.passes.calib;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.DType;
import nncc.ir.QuantParams;

/**
 * What a calibration found, per float value in graph order: the range seen, the range the observer chose, the
 * quantization parameters written into the graph and, when available, a coarse histogram of the value for
 * reports. Immutable.
 */
public final class CalibrationResult {
    /** Bins of the per-value summary histograms. */
    public static final int SUMMARY_BINS = 64;

    /**
     * A coarse histogram of one value over {@code [lo, hi]}, the reals its quantization parameters represent
     * without clamping, {@code scale * (qmin - zp - 1/2)} to {@code scale * (qmax - zp + 1/2)} (the grid plus the
     * half step that still rounds onto it), with the counts of values clipped below and above it. Built from the observer's fine histogram (each of its 2048 bins counted at its centre, so exact
     * to within a fine bin) or, for single-pass observers, by an extra pass over the data (exact).
     */
    public record HistogramSummary(double lo, double hi, long[] counts, long below, long above) {
        public HistogramSummary {
            counts = counts.clone();
        }

        static HistogramSummary of(Histogram h) { return new HistogramSummary(h.lo(), h.hi(), h.counts(), h.below(), h.above()); }

        @Override public long[] counts() { return counts.clone(); }

        public long total() { return Arrays.stream(counts).sum() + below + above; }

        public double binWidth() { return (hi - lo) / counts.length; }

        @Override public boolean equals(Object o) {
            return o instanceof HistogramSummary s && lo == s.lo && hi == s.hi && Arrays.equals(counts, s.counts)
                    && below == s.below && above == s.above;
        }

        @Override public int hashCode() { return Double.hashCode(lo) * 31 + Arrays.hashCode(counts); }

        @Override public String toString() {
            return "HistogramSummary[" + lo + ", " + hi + "] " + Arrays.toString(counts) + " below " + below + " above " + above;
        }
    }

    /** One calibrated value; {@code histogram} is null when none was built. */
    public record ValueCalibration(String name, Range observed, Range range, QuantParams quant, HistogramSummary histogram) {}

    private final ObserverKind observer;
    private final DType target;
    private final int samples;
    private final Map<String, ValueCalibration> values;

    public CalibrationResult(ObserverKind observer, DType target, int samples, List<ValueCalibration> values) {
        this.observer = observer;
        this.target = target;
        this.samples = samples;
        Map<String, ValueCalibration> m = new LinkedHashMap<>();
        for (ValueCalibration v : values) m.put(v.name(), v);
        this.values = Collections.unmodifiableMap(m);
    }

    public ObserverKind observer() { return observer; }

    /** The activation type the parameters were chosen for. */
    public DType target() { return target; }

    /** Calibration samples seen. */
    public int samples() { return samples; }

    /** Every calibrated value, in graph order. */
    public List<ValueCalibration> values() { return List.copyOf(values.values()); }

    /** The calibration of value {@code name}, or null when it was not calibrated. */
    public ValueCalibration value(String name) { return values.get(name); }

    /** The chosen range of every calibrated value, by name, in graph order. */
    public Map<String, Range> ranges() {
        Map<String, Range> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, v.range()));
        return Collections.unmodifiableMap(m);
    }
}
