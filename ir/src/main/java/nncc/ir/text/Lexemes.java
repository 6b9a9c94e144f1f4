package nncc.ir.text;

import java.util.regex.Pattern;

/**
 * The spelling of the .nnir form's atoms, shared by {@link IrPrinter} and {@link IrParser}: names bare or
 * quoted, quoted strings with escapes, and floats that round-trip exactly ({@code inf}, {@code -inf},
 * {@code nan}).
 */
final class Lexemes {
    private Lexemes() {}

    private static final Pattern BARE_SYMBOL = Pattern.compile("[A-Za-z0-9_]+");

    /** A value or node name after its sigil: bare when possible, otherwise quoted. */
    static String name(String name) {
        return isBareName(name) ? name : quote(name);
    }

    /**
     * Whether a name can be printed bare: ONNX-like characters, never "//" (a comment) and never a trailing '/'.
     * A loop, not a regex: java.util.regex recurses per repetition of an alternation and overflows the stack on
     * names of a few thousand characters.
     */
    static boolean isBareName(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/') {
                if (i + 1 >= name.length() || !isNameChar(name.charAt(i + 1))) return false;
            } else if (!isNameChar(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-';
    }

    /** A symbolic dimension's name after '?': bare identifier characters, otherwise quoted. */
    static String symbol(String symbol) {
        return BARE_SYMBOL.matcher(symbol).matches() ? symbol : quote(symbol);
    }

    /** A double-quoted string; escapes quote, backslash and control characters. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    /** The name in a sigil token such as {@code %"a b"} or {@code @Conv_0}: strips the sigil and unquotes. */
    static String unsigil(String token) {
        String body = token.substring(1);
        return body.startsWith("\"") ? unquote(body) : body;
    }

    /** The content of a quoted string token; throws IllegalArgumentException on a bad escape. */
    static String unquote(String quoted) {
        StringBuilder b = new StringBuilder(quoted.length());
        for (int i = 1; i < quoted.length() - 1; i++) {
            char c = quoted.charAt(i);
            if (c != '\\') { b.append(c); continue; }
            char e = quoted.charAt(++i);
            switch (e) {
                case '"', '\\' -> b.append(e);
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > quoted.length() - 2 || !quoted.substring(i + 1, i + 5).matches("[0-9a-fA-F]{4}"))
                        throw new IllegalArgumentException("bad \\u escape in " + quoted);
                    b.append((char) Integer.parseInt(quoted.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + e + " in " + quoted);
            }
        }
        return b.toString();
    }

    /** Float.toString, except infinities and NaN, which print as inf, -inf and nan. */
    static String formatFloat(float v) {
        if (Float.isNaN(v)) return "nan";
        if (Float.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return Float.toString(v);
    }

    /** Double.toString, except infinities and NaN, which print as inf, -inf and nan. */
    static String formatDouble(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return Double.toString(v);
    }

    /** Parses a number token (INT or FLOAT) as a float, exactly inverting {@link #formatFloat}. */
    static float parseFloat(String text) {
        return switch (text) {
            case "nan" -> Float.NaN;
            case "inf" -> Float.POSITIVE_INFINITY;
            case "-inf" -> Float.NEGATIVE_INFINITY;
            default -> Float.parseFloat(text);
        };
    }

    /** Parses a number token (INT or FLOAT) as a double, exactly inverting {@link #formatDouble}. */
    static double parseDouble(String text) {
        return switch (text) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }
}
