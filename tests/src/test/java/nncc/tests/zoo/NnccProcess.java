package nncc.tests.zoo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the {@code nncc} launcher of a checkout as a separate process, as a user would, optionally under
 * {@code /usr/bin/time -v} to measure wall time and peak memory (maximum resident set size).
 */
final class NnccProcess {
    private static final Pattern WALL = Pattern.compile("Elapsed \\(wall clock\\) time.*: (?:(\\d+):)?(\\d+):(\\d+(?:\\.\\d+)?)");
    private static final Pattern RSS = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");

    /** What a run printed and how it ended; {@code seconds} and {@code peakMiB} are NaN when not measured. */
    record Result(int code, String out, String err, double seconds, double peakMiB) {
        boolean ok() { return code == 0; }

        /** The error line nncc printed (its last non-empty stderr line that is not /usr/bin/time's report). */
        String errorLine() {
            String last = "exit " + code;
            for (String l : err.lines().toList()) {
                if (l.startsWith("\t") || l.startsWith("Command exited") || l.startsWith("Command terminated") || l.isBlank()
                        || l.startsWith("WARNING")) continue;
                last = l.strip();
            }
            return last;
        }
    }

    private final Path launcher;
    private final Path scratch;

    NnccProcess(Path root, Path scratch) {
        this.launcher = root.resolve("nncc");
        this.scratch = scratch;
    }

    Result run(String... args) { return run(false, args); }

    Result timed(String... args) { return run(true, args); }

    private Result run(boolean timed, String... args) {
        List<String> cmd = new ArrayList<>();
        if (timed) cmd.addAll(List.of("/usr/bin/time", "-v"));
        cmd.add(launcher.toString());
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(scratch, "out", ".txt"), err = Files.createTempFile(scratch, "err", ".txt");
            try {
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                int code = p.waitFor();
                double wall = (System.nanoTime() - t0) / 1e9;
                String o = Files.readString(out), e = Files.readString(err);
                double seconds = timed ? wallClock(e, wall) : Double.NaN;
                double peak = timed ? peakMiB(e) : Double.NaN;
                return new Result(code, o, e, seconds, peak);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static double wallClock(String timeReport, double fallback) {
        Matcher m = WALL.matcher(timeReport);
        if (!m.find()) return fallback;
        double h = m.group(1) == null ? 0 : Double.parseDouble(m.group(1));
        return 3600 * h + 60 * Double.parseDouble(m.group(2)) + Double.parseDouble(m.group(3));
    }

    private static double peakMiB(String timeReport) {
        Matcher m = RSS.matcher(timeReport);
        return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
    }
}
