package nncc.cli;

import java.io.Console;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on stderr when it is a terminal; silent when piped or redirected. */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) { this.bar = bar; }

    static Progress start(String task, long total, String unit) {
        if (!interactive()) return new Progress(null);
        ProgressBar b = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, 1)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .showSpeed().build();
        return new Progress(b);
    }

    /** True when stderr goes to a terminal (NNCC_PROGRESS=0/1 overrides). */
    static boolean interactive() {
        String env = System.getenv("NNCC_PROGRESS");
        if (env != null) return env.equals("1");
        Console c = System.console();
        if (c == null) return false;
        try { // JDK 22+: System.console() is non-null even when redirected; ask isTerminal()
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    synchronized void step(long n) { if (bar != null) bar.stepBy(n); }

    @Override public void close() { if (bar != null) bar.close(); }

    /** A terminal bar counted in {@code unit}s, as the library's progress callback (one bar per task begun). */
    static nncc.passes.Quantizer.Progress forQuantizer(String unit) {
        return new nncc.passes.Quantizer.Progress() {
            private Progress bar;

            @Override public void begin(String task, long total) { bar = Progress.start(task, total, unit); }

            @Override public void step(long n) { if (bar != null) bar.step(n); }

            @Override public void end() { if (bar != null) { bar.close(); bar = null; } }
        };
    }
}
