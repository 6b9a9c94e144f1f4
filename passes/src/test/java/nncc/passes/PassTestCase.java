package nncc.passes;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One case of a text-IR pass test file ({@code passes/<pass-name>.nnir}), as ../shared/STYLE.md describes them:
 * the file's first line {@code // RUN: --passes a,b [--stage s]} (a case may override it with its own RUN line),
 * cases separated by {@code // -----}, {@code // CHECK:} / {@code // CHECK-NEXT:} / {@code // CHECK-NOT:} lines
 * matched against the printed result, {@code // expected-error: text} for a pipeline that must fail with a
 * ModelException containing the text, and {@code // RUN-INTERP: float TOL} or {@code // RUN-INTERP: exact} to run
 * the interpreter on the graph before and after the passes and compare.
 */
record PassTestCase(String file, int index, int firstLine, String text, String passes, String stage,
                    String expectedError, Interp interp, List<FileCheck.Directive> checks) {

    /** How to compare interpreter outputs before and after: within {@code tolerance}, or bit for bit. */
    record Interp(boolean exact, double tolerance) {}

    private static final Pattern SEPARATOR = Pattern.compile("^\\s*// -----\\s*$");
    private static final Pattern RUN = Pattern.compile("^\\s*// RUN:(.*)$");
    private static final Pattern RUN_INTERP = Pattern.compile("^\\s*// RUN-INTERP:(.*)$");
    private static final Pattern EXPECTED_ERROR = Pattern.compile("^\\s*// expected-error:(.*)$");

    /** A name for the test report: {@code fold-batchnorm.nnir case 3 (line 40)}. */
    String title() { return file + " case " + index + " (line " + firstLine + ")"; }

    /** Splits a test file into its cases. */
    static List<PassTestCase> parseFile(String fileName, String content) {
        String[] lines = content.split("\n", -1);
        Matcher first = RUN.matcher(lines[0]);
        if (!first.matches()) throw new IllegalArgumentException(fileName + ": the first line must be '// RUN: --passes ...'");
        String fileRun = first.group(1).strip();
        List<PassTestCase> cases = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= lines.length; i++) {
            if (i < lines.length && !SEPARATOR.matcher(lines[i]).matches()) continue;
            StringBuilder text = new StringBuilder();
            for (int k = start; k < i; k++) text.append(lines[k]).append('\n');
            cases.add(parseCase(fileName, cases.size() + 1, start + 1, text.toString(), fileRun));
            start = i + 1;
        }
        return cases;
    }

    private static PassTestCase parseCase(String file, int index, int firstLine, String text, String fileRun) {
        String run = fileRun, expected = null;
        Interp interp = null;
        for (String line : text.split("\n")) {
            Matcher m;
            if ((m = RUN.matcher(line)).matches()) run = m.group(1).strip();
            else if ((m = EXPECTED_ERROR.matcher(line)).matches()) expected = m.group(1).strip();
            else if ((m = RUN_INTERP.matcher(line)).matches()) interp = parseInterp(file, m.group(1).strip());
        }
        List<String> args = tokens(run);
        String passes = null, stage = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (i + 1 >= args.size()) throw new IllegalArgumentException(file + ": RUN option " + a + " needs a value: " + run);
            switch (a) {
                case "--passes" -> passes = args.get(++i);
                case "--stage" -> stage = args.get(++i);
                default -> throw new IllegalArgumentException(file + ": unknown RUN option " + a + " in: " + run);
            }
        }
        if (passes == null) throw new IllegalArgumentException(file + ": RUN line without --passes: " + run);
        return new PassTestCase(file, index, firstLine, text, passes, stage, expected, interp,
                FileCheck.directives(text, firstLine));
    }

    private static Interp parseInterp(String file, String spec) {
        String[] p = spec.split("\\s+");
        if (p.length == 1 && p[0].equals("exact")) return new Interp(true, 0);
        if (p.length == 2 && p[0].equals("float")) return new Interp(false, Double.parseDouble(p[1]));
        throw new IllegalArgumentException(file + ": RUN-INTERP takes 'exact' or 'float TOLERANCE', got: " + spec);
    }

    /** Whitespace-separated tokens; whitespace inside braces (pass options) stays in its token. */
    private static List<String> tokens(String s) {
        List<String> r = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        for (char c : s.toCharArray()) {
            if (c == '{') depth++;
            if (c == '}') depth--;
            if (Character.isWhitespace(c) && depth == 0) {
                if (!cur.isEmpty()) r.add(cur.toString());
                cur.setLength(0);
            } else cur.append(c);
        }
        if (!cur.isEmpty()) r.add(cur.toString());
        return r;
    }
}
