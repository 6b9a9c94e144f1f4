package nncc.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import nncc.hls.HlsGenerator;

/**
 * {@code --layer-config FILE.json} of {@code compile --target hls}: per-layer reuse factor and strategy by IR node
 * name, {@code {"layers": {"conv1": {"reuse_factor": 4, "strategy": "resource"}, "fc": {"reuse_factor": 16}}}}
 * (hls4ml's spellings {@code LayerName}, {@code ReuseFactor} and {@code Strategy} are accepted too). Read by a
 * small strict parser of that JSON subset (objects, strings, integers); anything else, an unknown key or a bad
 * value is a one-line error naming the file and the place.
 */
record HlsLayerConfig(Map<String, Integer> reuse, Map<String, HlsGenerator.Strategy> strategy) {
    static HlsLayerConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(file + ": cannot read the layer config (" + e.getMessage() + ")");
        }
        Parser p = new Parser(file, text);
        Map<String, Integer> reuse = new TreeMap<>();
        Map<String, HlsGenerator.Strategy> strategy = new TreeMap<>();
        p.object(top -> {
            if (!top.equals("layers") && !top.equals("LayerName")) throw p.fail("unknown key '" + top + "' (layers)");
            p.object(node -> p.object(key -> {
                switch (key) {
                    case "reuse_factor", "ReuseFactor" -> {
                        long n = p.integer();
                        if (n < 1 || n > Integer.MAX_VALUE) throw p.fail("reuse factor of " + node + " must be at least 1, got " + n);
                        reuse.put(node, (int) n);
                    }
                    case "strategy", "Strategy" -> {
                        String s = p.string();
                        switch (s.toLowerCase(Locale.ROOT)) {
                            case "latency" -> strategy.put(node, HlsGenerator.Strategy.LATENCY);
                            case "resource" -> strategy.put(node, HlsGenerator.Strategy.RESOURCE);
                            default -> throw p.fail("strategy of " + node + " must be latency or resource, got '" + s + "'");
                        }
                    }
                    default -> throw p.fail("unknown key '" + key + "' of layer " + node + " (reuse_factor, strategy)");
                }
            }));
        });
        p.end();
        return new HlsLayerConfig(reuse, strategy);
    }

    /** Every node name the file mentions. */
    java.util.Set<String> names() {
        java.util.Set<String> s = new java.util.TreeSet<>(reuse.keySet());
        s.addAll(strategy.keySet());
        return s;
    }

    /** A strict reader of the subset: objects with string keys, string and integer values, JSON whitespace. */
    private static final class Parser {
        private final Path file;
        private final String s;
        private int i;

        Parser(Path file, String s) { this.file = file; this.s = s; }

        interface Member { void read(String key); }

        void object(Member m) {
            expect('{');
            java.util.Set<String> seen = new java.util.HashSet<>();
            if (peek() == '}') { i++; return; }
            while (true) {
                String key = string();
                if (!seen.add(key)) throw fail("key '" + key + "' appears twice");
                expect(':');
                m.read(key);
                char c = next();
                if (c == '}') return;
                if (c != ',') throw fail("expected ',' or '}'");
            }
        }

        String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (i < s.length() && s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') throw fail("escapes are not supported in names");
                b.append(c);
            }
            if (i >= s.length()) throw fail("unterminated string");
            i++;
            return b.toString();
        }

        long integer() {
            skip();
            int start = i;
            if (i < s.length() && s.charAt(i) == '-') i++;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            if (start == i || (i == start + 1 && s.charAt(start) == '-')) throw fail("expected an integer");
            try {
                return Long.parseLong(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw fail("integer out of range");
            }
        }

        void end() {
            skip();
            if (i != s.length()) throw fail("unexpected text after the object");
        }

        private void expect(char c) { if (next() != c) throw fail("expected '" + c + "'"); }

        private char next() {
            skip();
            if (i >= s.length()) throw fail("unexpected end of file");
            return s.charAt(i++);
        }

        private char peek() {
            skip();
            return i < s.length() ? s.charAt(i) : 0;
        }

        private void skip() { while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++; }

        CliException fail(String why) {
            int line = 1;
            for (int k = 0; k < Math.min(i, s.length()); k++) if (s.charAt(k) == '\n') line++;
            return new CliException(file + ":" + line + ": layer config: " + why);
        }
    }
}
