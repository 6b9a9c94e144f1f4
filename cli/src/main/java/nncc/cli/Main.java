package nncc.cli;

import java.io.PrintWriter;
import nncc.ir.ModelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code nncc} command line. Exit codes: 0 success; 2 bad input, unsupported model or option (one line on
 * stderr, no stack trace unless {@code --debug}); 1 internal error, with a hint to report it.
 */
@Command(name = "nncc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "nncc: a neural-network quantization compiler (ONNX / .nnir -> integer models).",
        subcommands = {ImportCommand.class, InspectCommand.class, OptCommand.class, RunCommand.class, EvalCommand.class,
                QuantizeCommand.class, CompileCommand.class, QatCommand.class, BenchCommand.class, GoldenCommand.class, VerifyCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces on errors.")
    static boolean debug;

    @Option(names = "--max-tensor-bytes", scope = CommandLine.ScopeType.INHERIT, defaultValue = "2G", paramLabel = "SIZE", converter = Main.ByteSize.class,
            description = "Refuse any tensor a file declares larger than this (bytes, or with K, M, G), before allocating "
                    + "it; default: ${DEFAULT-VALUE}.")
    void maxTensorBytes(long size) { nncc.ir.Limits.setMaxTensorBytes(size); }

    /** Byte sizes as {@code --max-tensor-bytes} takes them: 123, 64K, 512M, 2G. */
    static final class ByteSize implements CommandLine.ITypeConverter<Long> {
        @Override public Long convert(String s) {
            try {
                return nncc.ir.Limits.parseBytes(s);
            } catch (ModelException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Override public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit code (used by tests too). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> handle(ex, err));
        cl.setParameterExceptionHandler((ex, args2) -> {
            String help = "nncc " + (ex.getCommandLine().getCommandName().equals("nncc") ? "" : ex.getCommandLine().getCommandName() + " ")
                    + "--help";
            err.println(ModelException.clip("nncc: " + ex.getMessage().replace('\n', ' ') + " (see '" + help + "')"));
            err.flush();
            return 2;
        });
        return cl.execute(args);
    }

    static int handle(Throwable ex, PrintWriter err) {
        if (ex instanceof ModelException || ex instanceof CliException) {
            err.println(ModelException.clip("nncc: " + ex.getMessage()));
            if (debug) ex.printStackTrace(err);
            err.flush();
            return 2;
        }
        if (ex instanceof OutOfMemoryError) {
            err.println("nncc: out of memory (the model or data is too large for the heap; raise it with NNCC_JAVA_OPTS=-Xmx...)");
            err.flush();
            return 2;
        }
        err.println("nncc: internal error: " + ex);
        if (debug) ex.printStackTrace(err);
        else err.println("This is a bug in nncc; rerun with --debug and report the output.");
        err.flush();
        return 1;
    }

    /** Version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"nncc " + (v == null ? "0.1.0-dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
