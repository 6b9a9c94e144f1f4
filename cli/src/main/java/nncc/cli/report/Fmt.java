package nncc.cli.report;

import java.util.Locale;
import nncc.passes.calib.Range;

/** Number formatting shared by the HTML report and the terminal summary (locale-independent). */
final class Fmt {
    private Fmt() {}

    static String bytes(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        return String.format(Locale.ROOT, "%.2f MiB", b / (1024.0 * 1024));
    }

    /** An SQNR: one decimal, "exact" for +infinity, "-" when not measured. */
    static String db(double v) {
        if (Double.isNaN(v)) return "-";
        if (v == Double.POSITIVE_INFINITY) return "exact";
        if (v == Double.NEGATIVE_INFINITY) return "-inf dB";
        return String.format(Locale.ROOT, "%.1f dB", v);
    }

    /** Four significant digits. */
    static String num(double v) {
        if (Double.isNaN(v)) return "-";
        if (v == 0) return "0";
        return String.format(Locale.ROOT, "%.4g", v);
    }

    static String range(Range r) { return r == null ? "-" : "[" + num(r.min()) + ", " + num(r.max()) + "]"; }

    /** A fraction as a percentage with two decimals. */
    static String percent(double f) { return Double.isNaN(f) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * f); }

    static String ratio(double r) { return String.format(Locale.ROOT, "%.2f\u00d7", r); }

    static String millis(long nanos) { return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6); }
}
