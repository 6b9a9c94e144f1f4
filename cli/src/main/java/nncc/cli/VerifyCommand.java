package nncc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import nncc.cpu.Interpreter;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.text.IrParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nncc verify OUTDIR --input X.npy}: runs a compiled target's real engine on the samples — an HLS project's C
 * simulation ({@code OUTDIR/csim.sh}, g++), or a Java project's program compiled with the JDK's compiler and run in a
 * child JVM — and nncc's integer reference on {@code OUTDIR/model.nnir}, prints the agreement per output and, on a
 * mismatch, the first differing sample and element (for HLS, the first layer whose output differs, from the C
 * simulation's per-layer trace). Exit 0 only when every element of every sample matches, 1 otherwise.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "Check a compiled target against the integer reference (hls: its g++ C simulation; java: the program compiled with javac).")
final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "OUTDIR", description = "A folder written by nncc compile --target hls or --target java.")
    Path outDir;

    @Mixin SampleInputs sampleInputs;

    @Option(names = "--ap-types", paramLabel = "DIR", description = "Folder holding ap_int.h for the C simulation (default: $AP_TYPES, else $XILINX_HLS/include).")
    Path apTypes;

    @Spec CommandSpec spec;

    @Override public Integer call() throws IOException, InterruptedException {
        Path nnir = outDir.resolve("model.nnir");
        boolean hls = Files.isRegularFile(outDir.resolve("csim.sh"));
        String javaClass = hls ? null : JavaTargetVerifier.className(outDir);
        if (!Files.isRegularFile(nnir) || !hls && javaClass == null)
            throw new CliException(outDir + ": not a compiled HLS or Java project (model.nnir with csim.sh, or with NAME.java and NAME.bin, expected; nncc compile --target hls|java writes them)");
        Graph g = IrParser.parse(nnir);
        List<List<Tensor>> samples = sampleInputs.samples(g);
        Path work = Files.createTempDirectory("nncc-verify-");
        try {
            return verify(g, samples, work, javaClass);
        } finally {
            try (var files = Files.walk(work)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private int verify(Graph g, List<List<Tensor>> samples, Path work, String javaClass) throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Path trace = javaClass == null ? Files.createDirectory(work.resolve("trace")) : null;
        String engine = javaClass == null ? "the C simulation" : "the Java program";
        List<List<long[]>> actual = javaClass == null ? cSimulation(g, samples, work, trace)
                : JavaTargetVerifier.run(outDir, javaClass, g, samples, work);
        Interpreter ref = Interpreter.prepare(g);
        long[] agree = new long[g.outputs().size()], total = new long[g.outputs().size()];
        int firstBad = -1;
        String firstElement = null;
        for (int s = 0; s < samples.size(); s++) {
            List<Tensor> expected = ref.run(samples.get(s));
            for (int k = 0; k < g.outputs().size(); k++) {
                long[] e = expected.get(k).toLongs(), got = actual.get(s).get(k);
                if (got.length != e.length) throw new CliException(engine + " gave " + got.length + " elements for output " + g.outputs().get(k).name() + ", the reference " + e.length);
                for (int i = 0; i < e.length; i++) {
                    total[k]++;
                    if (got[i] == e[i]) agree[k]++;
                    else if (firstBad < 0) {
                        firstBad = s;
                        firstElement = "output %" + g.outputs().get(k).name() + " element " + i + ": reference " + e[i] + ", " + engine + " " + got[i];
                    }
                }
            }
        }
        for (int k = 0; k < g.outputs().size(); k++)
            out.printf("output %s: %d / %d elements agree over %d samples%n", g.outputs().get(k).name(), agree[k], total[k], samples.size());
        if (firstBad < 0) {
            out.printf("verify: %s equals the reference on every element%n", engine);
            out.flush();
            return 0;
        }
        out.printf("verify: MISMATCH; first differing sample %d: %s%n", firstBad,
                trace != null ? firstDivergence(g, samples.get(firstBad), firstBad, trace) : firstElement);
        out.flush();
        return 1;
    }

    /** Runs {@code OUTDIR/csim.sh} on the samples (tracing every layer into {@code trace}); per sample, each output's integers. */
    private List<List<long[]>> cSimulation(Graph g, List<List<Tensor>> samples, Path work, Path trace) throws IOException, InterruptedException {
        Path in = work.resolve("in.bin"), result = work.resolve("out.bin");
        try {
            Files.write(in, nncc.ir.io.RawSamples.bytes(samples));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage() + " of the model");
        }
        ProcessBuilder pb = new ProcessBuilder("sh", outDir.resolve("csim.sh").toString(), in.toString(), result.toString()).redirectErrorStream(true);
        pb.environment().put("NNCC_TRACE_DIR", trace.toString());
        if (apTypes != null) pb.environment().put("AP_TYPES", apTypes.toAbsolutePath().toString());
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new CliException(outDir + "/csim.sh failed: " + log.strip().replace('\n', ' '));
        ByteBuffer y = ByteBuffer.wrap(Files.readAllBytes(result)).order(ByteOrder.LITTLE_ENDIAN);
        List<List<long[]>> all = new ArrayList<>();
        for (int s = 0; s < samples.size(); s++) {
            List<long[]> one = new ArrayList<>();
            for (Value v : g.outputs()) {
                long[] values = new long[Math.toIntExact(v.type().shape().bindSymbols(1).numElements())];
                int bytes = v.type().dtype().bits() / 8;
                if (y.remaining() < (long) values.length * bytes) throw new CliException(outDir + "/csim.sh wrote fewer output values than the samples need");
                for (int i = 0; i < values.length; i++) values[i] = read(y, bytes, v.type().dtype() == nncc.ir.DType.U8);
                one.add(values);
            }
            all.add(one);
        }
        return all;
    }

    /** The first node (in order) whose traced C-simulation output differs from the reference's on sample {@code s}. */
    private static String firstDivergence(Graph g, List<Tensor> sample, int s, Path trace) throws IOException {
        List<Node> nodes = g.nodes();
        java.util.Map<String, long[]> reference = new java.util.HashMap<>();
        Interpreter.prepare(g).run(sample, (node, outputs) -> reference.put(node.name(), outputs.get(0).toLongs()));
        for (int i = 0; i < nodes.size(); i++) {
            long[] e = reference.get(nodes.get(i).name());
            if (e == null) continue;
            Path f = trace.resolve(i + ".bin");
            if (!Files.exists(f)) continue;
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
            b.position(s * e.length * 8);
            for (int j = 0; j < e.length; j++) {
                long got = b.getLong();
                if (got != e[j])
                    return "layer @" + nodes.get(i).name() + " (" + nodes.get(i).op().opName() + ") output %" + nodes.get(i).output().name()
                            + " element " + j + ": reference " + e[j] + ", C simulation " + got;
            }
        }
        return "no layer trace differs (the outputs differ after the last traced layer)";
    }

    private static long read(ByteBuffer b, int bytes, boolean unsigned) {
        return switch (bytes) {
            case 1 -> unsigned ? b.get() & 0xFF : b.get();
            case 2 -> b.getShort();
            case 4 -> b.getInt();
            default -> b.getLong();
        };
    }
}
