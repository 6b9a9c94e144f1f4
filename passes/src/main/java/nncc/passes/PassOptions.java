package nncc.passes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import nncc.ir.ModelException;

/**
 * The options written after a pass name in a pipeline, MLIR style: {@code fold-constants{max-elements=4096}}. A
 * pass's {@code Options.from(PassOptions)} reads the keys it knows with typed getters; the {@link PassRegistry}
 * then rejects any key nobody read, naming the pass and the keys it takes.
 */
public final class PassOptions {
    private final String pass;
    private final Map<String, String> values;
    private final Set<String> asked = new LinkedHashSet<>();

    public PassOptions(String pass, Map<String, String> values) {
        this.pass = pass;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** No options. */
    public static PassOptions none(String pass) { return new PassOptions(pass, Map.of()); }

    /**
     * Parses the text between the braces: {@code key=value} pairs separated by commas (a bare {@code key} means
     * {@code key=true}).
     */
    public static PassOptions parse(String pass, String body) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : body.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).strip(), value = eq < 0 ? "true" : p.substring(eq + 1).strip();
            if (key.isEmpty() || m.put(key, value) != null)
                throw new ModelException("pass '" + pass + "': bad or repeated option '" + p + "' in {" + body + "}");
        }
        return new PassOptions(pass, m);
    }

    public String pass() { return pass; }

    public boolean isEmpty() { return values.isEmpty(); }

    public String string(String key, String fallback) {
        asked.add(key);
        return values.getOrDefault(key, fallback);
    }

    public long integer(String key, long fallback) {
        String v = string(key, null);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(key, v, "an integer");
        }
    }

    public double number(String key, double fallback) {
        String v = string(key, null);
        if (v == null) return fallback;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw bad(key, v, "a number");
        }
    }

    public boolean flag(String key, boolean fallback) {
        String v = string(key, null);
        if (v == null) return fallback;
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(key, v, "true or false");
        };
    }

    /** Fails when an option was given that the pass did not ask for. */
    public void rejectUnknown() {
        for (String k : values.keySet())
            if (!asked.contains(k))
                throw new ModelException("pass '" + pass + "' has no option '" + k + "'"
                        + (asked.isEmpty() ? " (it takes none)" : " (it takes: " + String.join(", ", asked) + ")"));
    }

    private ModelException bad(String key, String value, String what) {
        return new ModelException("pass '" + pass + "': option " + key + "=" + value + " must be " + what);
    }

    /** The text form, {@code {a=1, b=x}}, or "" without options. */
    @Override public String toString() {
        if (values.isEmpty()) return "";
        StringBuilder b = new StringBuilder("{");
        values.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append('=').append(v));
        return b.append('}').toString();
    }
}
