package nncc.tests;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.hls.HlsGenerator;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a generated HLS project's C simulation ({@code csim.sh IN.bin OUT.bin}) on samples and nncc's integer
 * reference ({@link Interpreter}) on the same samples, for bit-exact comparisons. Needs g++ and the ap_int
 * C-simulation headers in {@code nncc.shared}/fixtures/hls-ap-types: skipped with a message without them, a failure
 * when NNCC_REQUIRE_FIXTURES=1.
 */
final class HlsCSim {
    private HlsCSim() {}

    static Path apTypes() {
        Path dir = Path.of(System.getProperty("nncc.shared", TestPaths.root().resolve("../shared").toString()), "fixtures", "hls-ap-types", "ap_types");
        boolean ok = Files.isRegularFile(dir.resolve("ap_int.h"));
        try {
            ok &= new ProcessBuilder("g++", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            ok = false;
        }
        String why = "HLS C simulation needs g++ and " + dir + "/ap_int.h";
        if (!ok && "1".equals(System.getenv("NNCC_REQUIRE_FIXTURES"))) throw new AssertionError(why + " (NNCC_REQUIRE_FIXTURES=1)");
        Assumptions.assumeTrue(ok, why);
        return dir;
    }

    /** Writes the project of {@code g} into {@code dir}, after the hls profile's passes (accumulator widths) on it. */
    static void write(Graph g, HlsGenerator.Options o, Path dir) throws IOException {
        nncc.passes.TargetProfile.HLS.finishLowered(g);
        for (Map.Entry<String, byte[]> e : HlsGenerator.generate(g, o).entrySet()) {
            Path f = dir.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.write(f, e.getValue());
        }
    }

    /** Runs {@code dir/csim.sh} on the samples; per sample, each output's integers. */
    static List<List<long[]>> run(Path dir, Graph g, List<List<Tensor>> samples) throws IOException, InterruptedException {
        Path in = dir.resolve("test_in.bin"), out = dir.resolve("test_out.bin");
        Files.write(in, nncc.ir.io.RawSamples.bytes(samples));
        ProcessBuilder pb = new ProcessBuilder("sh", dir.resolve("csim.sh").toString(), in.toString(), out.toString()).redirectErrorStream(true);
        pb.environment().put("AP_TYPES", apTypes().toString());
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new AssertionError("csim.sh failed:\n" + log);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        List<List<long[]>> result = new ArrayList<>();
        for (int s = 0; s < samples.size(); s++) {
            List<long[]> outputs = new ArrayList<>();
            for (Value v : g.outputs()) {
                long[] y = new long[sampleSize(v)];
                int bytes = v.type().dtype().bits() / 8;
                for (int i = 0; i < y.length; i++)
                    y[i] = switch (bytes) { case 1 -> v.type().dtype() == DType.U8 ? b.get() & 0xFF : b.get(); case 2 -> b.getShort(); case 4 -> b.getInt(); default -> b.getLong(); };
                outputs.add(y);
            }
            result.add(outputs);
        }
        if (b.hasRemaining()) throw new AssertionError("csim wrote " + b.remaining() + " bytes more than " + samples.size() + " samples");
        return result;
    }

    /** The reference: the interpreter on each sample. */
    static List<List<long[]>> reference(Graph g, List<List<Tensor>> samples) {
        Interpreter it = Interpreter.prepare(g);
        List<List<long[]>> result = new ArrayList<>();
        for (List<Tensor> s : samples) result.add(it.run(s).stream().map(Tensor::toLongs).toList());
        return result;
    }

    /**
     * {@code nncc compile MODEL --target hls OPTIONS -o OUT} (calibrated on examples' calib.npy), then OUT/csim.sh on the
     * first {@code images} of examples' sample.npy (quantized with the model's input parameters) against the integer
     * reference on OUT/model.nnir: every element of every sample equal. Returns the number of elements compared.
     */
    static long compileAndCompare(Path out, Path model, int images, String... options) throws Exception {
        apTypes();
        List<String> args = new ArrayList<>(List.of("compile", model.toString(), "--target", "hls",
                "--calib", TestPaths.example().resolve("calib.npy").toString()));
        args.addAll(List.of(options));
        args.addAll(List.of("-o", out.toString()));
        java.io.StringWriter o = new java.io.StringWriter(), e = new java.io.StringWriter();
        int code = nncc.cli.Main.execute(args.toArray(String[]::new), new java.io.PrintWriter(o, true), new java.io.PrintWriter(e, true));
        if (code != 0) throw new AssertionError("compile " + args + ": exit " + code + ": " + e);
        Graph g = nncc.ir.text.IrParser.parse(out.resolve("model.nnir"));
        Value input = g.inputs().get(0);
        float[] x = nncc.ir.io.Npy.read(TestPaths.example().resolve("sample.npy")).toFloats();
        int size = sampleSize(input);
        float scale = input.type().quant().scale(0);
        long zp = input.type().quant().zeroPoint(0);
        DType t = input.type().dtype();
        List<List<Tensor>> samples = new ArrayList<>();
        for (int s = 0; s < images; s++) {
            long[] q = new long[size];
            for (int i = 0; i < size; i++) q[i] = nncc.ir.FixedPoint.quantizeScaled(x[s * size + i] / scale, zp, t);
            samples.add(List.of(Tensor.ofLongs(t, input.type().shape().bindSymbols(1), q)));
        }
        return assertSame(reference(g, samples), run(out, g, samples));
    }

    /** Every element of every sample and output equal (tolerance 0); returns the number of elements. */
    static long assertSame(List<List<long[]>> expected, List<List<long[]>> actual) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.size(), actual.size(), "samples");
        long elements = 0;
        for (int s = 0; s < expected.size(); s++)
            for (int k = 0; k < expected.get(s).size(); k++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(expected.get(s).get(k), actual.get(s).get(k), "sample " + s + " output " + k);
                elements += expected.get(s).get(k).length;
            }
        System.out.println("HLS C simulation equals the reference: " + expected.size() + " samples, " + elements + " elements"
                + " (first sample " + java.util.Arrays.toString(java.util.Arrays.copyOf(expected.get(0).get(0), Math.min(10, expected.get(0).get(0).length))) + ")");
        return elements;
    }

    /** Elements of one sample: the dims after the batch dim. */
    static int sampleSize(Value v) {
        long n = 1;
        for (int i = 1; i < v.type().rank(); i++) n *= v.type().shape().dim(i);
        return Math.toIntExact(n);
    }
}
