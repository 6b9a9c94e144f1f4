package nncc.cli.report;

import java.awt.Color;
import java.util.Locale;

/**
 * The colour code for SQNR shared by the report's table and charts: red at {@value #BAD_DB} dB and below, through
 * amber, to green at {@value #GOOD_DB} dB and above (about what 8-bit quantization of a well-scaled value gives).
 */
final class SqnrScale {
    static final double BAD_DB = 12, GOOD_DB = 36;

    private SqnrScale() {}

    /** The fill colour for an SQNR; grey when not measured. */
    static Color color(double db) {
        if (Double.isNaN(db)) return new Color(0xBDBDBD);
        double t = Double.isInfinite(db) ? (db > 0 ? 1 : 0) : Math.max(0, Math.min(1, (db - BAD_DB) / (GOOD_DB - BAD_DB)));
        float hue = (float) (t * 125 / 360.0);
        return Color.getHSBColor(hue, 0.62f, 0.86f);
    }

    /** A light tint of {@link #color} for table cell backgrounds. */
    static Color tint(double db) {
        Color c = color(db);
        return new Color(mix(c.getRed()), mix(c.getGreen()), mix(c.getBlue()));
    }

    private static int mix(int channel) { return (int) Math.round(channel * 0.35 + 255 * 0.65); }

    static String css(Color c) { return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue()); }

    /** A word for an SQNR, for people who do not think in dB. */
    static String verdict(double db) {
        if (Double.isNaN(db)) return "not measured";
        if (db >= GOOD_DB) return "good";
        if (db >= (BAD_DB + GOOD_DB) / 2) return "fair";
        if (db >= BAD_DB) return "poor";
        return "bad";
    }
}
