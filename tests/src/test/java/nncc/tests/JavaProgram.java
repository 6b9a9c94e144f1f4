package nncc.tests;

import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import nncc.ir.Graph;
import nncc.ir.Tensor;

/**
 * A program written by {@code compile --target java}, compiled with the JDK's own compiler (javax.tools, an empty
 * class path: JDK only) and loaded in a fresh class loader whose parent is the platform loader, so no nncc class is
 * visible to it. Runs samples through its {@code input/run/output} API or its {@code main}.
 */
final class JavaProgram {
    private final Object model;
    private final Method input, output, run, execute;

    private JavaProgram(Class<?> c) throws Exception {
        model = c.getConstructor().newInstance();
        input = c.getMethod("input", int.class);
        output = c.getMethod("output", int.class);
        run = c.getMethod("run");
        execute = c.getMethod("execute", String[].class);
    }

    /** Compiles {@code dir/CLASS.java} into {@code classes}, copies {@code CLASS.bin} beside it and loads it. */
    static JavaProgram compile(Path dir, String className, Path classes) throws Exception {
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter log = new StringWriter();
        var files = javac.getStandardFileManager(null, null, null);
        boolean ok = javac.getTask(log, files, null, List.of("-d", classes.toString(), "-classpath", "", "-Xlint:none"), null,
                files.getJavaFileObjects(dir.resolve(className + ".java"))).call();
        if (!ok) throw new AssertionError("javac failed on " + dir.resolve(className + ".java") + ":\n" + log);
        Files.copy(dir.resolve(className + ".bin"), classes.resolve(className + ".bin"));
        URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        return new JavaProgram(Class.forName(className, true, loader));
    }

    /** Every output of every sample (one list of input tensors per sample, batch 1) as longs. */
    List<List<long[]>> run(Graph g, List<List<Tensor>> samples) throws Exception {
        List<List<long[]>> result = new ArrayList<>();
        for (List<Tensor> sample : samples) {
            for (int k = 0; k < sample.size(); k++) {
                int[] buffer = (int[]) input.invoke(model, k);
                long[] x = sample.get(k).toLongs();
                if (x.length != buffer.length) throw new AssertionError("input " + k + " has " + buffer.length + " elements, sample " + x.length);
                for (int i = 0; i < x.length; i++) buffer[i] = (int) x[i];
            }
            run.invoke(model);
            List<long[]> outputs = new ArrayList<>();
            for (int k = 0; k < g.outputs().size(); k++) {
                int[] y = (int[]) output.invoke(model, k);
                long[] copy = new long[y.length];
                for (int i = 0; i < y.length; i++) copy[i] = y[i];
                outputs.add(copy);
            }
            result.add(outputs);
        }
        return result;
    }

    /** The program's command line ({@code execute(args)}, which {@code main} calls); returns its exit status. */
    int main(String... args) throws Exception {
        return (int) execute.invoke(null, (Object) args);
    }
}
