package nncc.cli;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import nncc.ir.Graph;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;

/**
 * The real engine of a {@code compile --target java} folder for {@code nncc verify}: its source compiled with the
 * running JDK's compiler (no nncc on the class path), then its own {@code main} run in a child JVM on the samples as
 * raw integers (.npy in, .npy out per graph output), exactly as a user runs it.
 */
final class JavaTargetVerifier {
    private JavaTargetVerifier() {}

    /** The generated class in {@code outDir}: the one {@code NAME.java} with a {@code NAME.bin} beside it, or null. */
    static String className(Path outDir) throws IOException {
        if (!Files.isDirectory(outDir)) return null;
        List<String> names = new ArrayList<>();
        try (var files = Files.list(outDir)) {
            for (Path p : files.toList()) {
                String f = p.getFileName().toString();
                if (f.endsWith(".java") && Files.isRegularFile(outDir.resolve(f.substring(0, f.length() - 5) + ".bin")))
                    names.add(f.substring(0, f.length() - 5));
            }
        }
        return names.size() == 1 ? names.get(0) : null;
    }

    /** Per sample, each graph output's integers as the compiled program computes them. */
    static List<List<long[]>> run(Path outDir, String className, Graph g, List<List<Tensor>> samples, Path work)
            throws IOException, InterruptedException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new CliException("this Java runtime has no compiler (javax.tools); run nncc verify on a JDK");
        Path classes = Files.createDirectories(work.resolve("classes"));
        StringWriter log = new StringWriter();
        var fm = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
        boolean ok = javac.getTask(log, fm, null, List.of("-d", classes.toString(), "-nowarn"), null,
                fm.getJavaFileObjects(outDir.resolve(className + ".java"))).call();
        fm.close();
        if (!ok) throw new CliException(outDir.resolve(className + ".java") + ": does not compile: " + log.toString().strip().lines().findFirst().orElse(""));
        Files.copy(outDir.resolve(className + ".bin"), classes.resolve(className + ".bin"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes.toString(), className));
        for (int k = 0; k < g.inputs().size(); k++) {
            List<Tensor> parts = new ArrayList<>();
            for (List<Tensor> s : samples) parts.add(s.get(k));
            Path in = work.resolve("input" + k + ".npy");
            Npy.write(in, Tensor.concatBatch(parts));
            cmd.addAll(List.of("--input", in.toString()));
        }
        for (int k = 0; k < g.outputs().size(); k++) cmd.addAll(List.of("--output", work.resolve("output" + k + ".npy").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new CliException(outDir.resolve(className + ".java") + ": the program failed: " + out.strip().replace('\n', ' '));
        List<long[]> outputs = new ArrayList<>();
        for (int k = 0; k < g.outputs().size(); k++) outputs.add(Npy.read(work.resolve("output" + k + ".npy")).toLongs());
        List<List<long[]>> perSample = new ArrayList<>();
        for (int s = 0; s < samples.size(); s++) {
            List<long[]> one = new ArrayList<>();
            for (long[] all : outputs) {
                int size = all.length / samples.size();
                one.add(java.util.Arrays.copyOfRange(all, s * size, (s + 1) * size));
            }
            perSample.add(one);
        }
        return perSample;
    }
}
