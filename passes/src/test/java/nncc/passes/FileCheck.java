package nncc.passes;

import java.util.ArrayList;
import java.util.List;

/**
 * A small subset of LLVM's FileCheck for pass tests: {@code // CHECK: text} lines must appear in order (each
 * as a substring of some later output line), {@code // CHECK-NEXT: text} on the line right after the previous
 * match, {@code // CHECK-SAME: text} on the line of the previous match, after it, {@code // CHECK-NOT: text} must
 * not appear between the previous match and the next one (or the end).
 */
final class FileCheck {
    private FileCheck() {}

    record Directive(String kind, String pattern, int line) {}

    static List<Directive> directives(String caseText, int firstLine) {
        List<Directive> r = new ArrayList<>();
        String[] lines = caseText.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].strip();
            for (String kind : new String[] {"CHECK-NEXT", "CHECK-SAME", "CHECK-NOT", "CHECK"}) {
                String prefix = "// " + kind + ":";
                if (t.startsWith(prefix)) {
                    r.add(new Directive(kind, t.substring(prefix.length()).strip(), firstLine + i));
                    break;
                }
            }
        }
        return r;
    }

    /** Returns null when {@code output} satisfies the directives, else a description of the first failure. */
    static String check(String output, List<Directive> directives) {
        String[] out = output.split("\n", -1);
        int pos = 0; // next output line to search from
        int lastMatch = -1, lastEnd = 0;
        List<Directive> pendingNot = new ArrayList<>();
        for (Directive d : directives) {
            switch (d.kind()) {
                case "CHECK-NOT" -> pendingNot.add(d);
                case "CHECK-SAME" -> {
                    int at = lastMatch < 0 ? -1 : out[lastMatch].indexOf(d.pattern(), lastEnd);
                    if (at < 0) return "line " + d.line() + ": CHECK-SAME '" + d.pattern() + "' not found on output line " + lastMatch;
                    lastEnd = at + d.pattern().length();
                }
                case "CHECK", "CHECK-NEXT" -> {
                    int found = -1;
                    if (d.kind().equals("CHECK-NEXT")) {
                        if (lastMatch + 1 < out.length && out[lastMatch + 1].contains(d.pattern())) found = lastMatch + 1;
                    } else {
                        for (int i = pos; i < out.length; i++) if (out[i].contains(d.pattern())) { found = i; break; }
                    }
                    if (found < 0) return "line " + d.line() + ": " + d.kind() + " '" + d.pattern() + "' not found after output line " + pos;
                    String bad = notViolation(out, pos, found, pendingNot);
                    if (bad != null) return bad;
                    pendingNot.clear();
                    lastMatch = found;
                    lastEnd = out[found].indexOf(d.pattern()) + d.pattern().length();
                    pos = found + 1;
                }
                default -> throw new AssertionError(d.kind());
            }
        }
        return notViolation(out, pos, out.length, pendingNot);
    }

    private static String notViolation(String[] out, int from, int to, List<Directive> nots) {
        for (Directive n : nots)
            for (int i = from; i < to; i++)
                if (out[i].contains(n.pattern())) return "line " + n.line() + ": CHECK-NOT '" + n.pattern() + "' found in output line " + i + ": " + out[i].strip();
        return null;
    }
}
