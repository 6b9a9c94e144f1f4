package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nncc.cli.Main;
import nncc.hls.HlsGenerator;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.io.Npy;
import nncc.ir.text.IrPrinter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nncc verify}: agreement on an intact project (exit 0); after one emitted weight constant is patched, exit 1
 * naming the layer that holds it as the first to diverge.
 */
class HlsVerifyTest {
    @TempDir Path dir;

    @Test void goldenWritesEveryLayerAsNpyHexAndCWithAManifest() throws Exception {
        LoweredGraphs b = new LoweredGraphs("golden", 6);
        Value x = b.input("x", 0.05f, 7, 1, 2, 6, 6);
        Value c = b.conv("conv", x, 3, 3, 1, 1, -3, -128, 127);
        b.output(b.gemm("fc", b.node("flat", new nncc.ir.op.Flatten(1), c), 4, 0, -128, 127));
        Path model = dir.resolve("g.nnir");
        Files.writeString(model, IrPrinter.print(b.g));
        Tensor data = b.randomInt8(1, 2, 6, 6), data2 = b.randomInt8(1, 2, 6, 6);
        Path input = dir.resolve("x.npy");
        Npy.write(input, Tensor.concatBatch(List.of(data, data2)));
        Path out = dir.resolve("golden");
        StringWriter o = new StringWriter(), e = new StringWriter();
        assertEquals(0, Main.execute(new String[] {"golden", model.toString(), "--input", input.toString(), "-o", out.toString()},
                new PrintWriter(o, true), new PrintWriter(e, true)), o + " " + e);
        String manifest = Files.readString(out.resolve("manifest.json"));
        for (String layer : List.of("\"layer\": \"conv\"", "\"layer\": \"flat\"", "\"layer\": \"fc\"", "\"op\": \"input\""))
            assertTrue(manifest.contains(layer), manifest);
        // the conv output of sample 1 equals the interpreter's, and the hex file holds the same values
        java.util.Map<String, Tensor> trace = new java.util.HashMap<>();
        nncc.cpu.Interpreter.prepare(b.g).run(List.of(data2), (node, outs) -> trace.put(node.name(), outs.get(0)));
        long[] conv = Npy.read(out.resolve("001_conv_out.npy")).toLongs(), want = trace.get("conv").toLongs();
        assertEquals(2 * want.length, conv.length);
        assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(java.util.Arrays.copyOfRange(conv, want.length, conv.length)));
        List<String> hex = Files.readAllLines(out.resolve("001_conv_out.hex"));
        assertEquals(conv.length, hex.size());
        for (int i = 0; i < conv.length; i++) assertEquals(conv[i], (long) (byte) Integer.parseInt(hex.get(i), 16), "hex line " + i);
        assertTrue(Files.readString(out.resolve("003_fc_out.h")).contains("static const signed char golden_003_fc_out[8]"));
    }

    @Test void verifyPassesThenNamesTheLayerOfACorruptedConstant() throws Exception {
        corruptedConstantIsNamed(HlsGenerator.Options.defaults());
    }

    /** The same through --io stream's DATAFLOW processes and the resource kernels (per-layer dumps from inside the processes). */
    @Test void verifyNamesTheCorruptedLayerInAStreamProject() throws Exception {
        corruptedConstantIsNamed(new HlsGenerator.Options(HlsGenerator.Io.STREAM, 2, HlsGenerator.Strategy.RESOURCE));
    }

    private void corruptedConstantIsNamed(HlsGenerator.Options options) throws Exception {
        Path ap = HlsCSim.apTypes();
        LoweredGraphs b = new LoweredGraphs("verify", 5);
        Value x = b.input("x", 0.05f, 7, 1, 4, 8, 8);
        Value c1 = b.conv("first", x, 6, 3, 1, 1, 0, -128, 127);
        Value c2 = b.conv("second", c1, 6, 3, 2, 1, -3, -128, 127);
        Value flat = b.node("flat", new nncc.ir.op.Flatten(1), c2);
        b.output(b.gemm("fc", flat, 5, 0, -128, 127));
        Graph g = b.g;
        Path out = dir.resolve("out");
        HlsCSim.write(g, options, out);
        Files.writeString(out.resolve("model.nnir"), IrPrinter.print(g));
        long[] data = new long[12 * 4 * 8 * 8];
        Tensor one = b.randomInt8(12, 4, 8, 8);
        System.arraycopy(one.toLongs(), 0, data, 0, data.length);
        Path input = dir.resolve("x.npy");
        Npy.write(input, Tensor.ofLongs(DType.I8, Shape.of(12, 4, 8, 8), data));

        String[] verify = {"verify", out.toString(), "--input", input.toString(), "--ap-types", ap.toString()};
        StringWriter o = new StringWriter(), e = new StringWriter();
        assertEquals(0, Main.execute(verify, new PrintWriter(o, true), new PrintWriter(e, true)), o + " " + e);
        assertTrue(o.toString().contains("60 / 60 elements agree over 12 samples"), o.toString());

        // patch the first weight of the second conv (layer l1) to a value it does not have
        Path weights = out.resolve("firmware/weights/l1.h");
        List<String> lines = Files.readAllLines(weights);
        int row = 0;
        while (!lines.get(row).contains("w_l1[")) row++;
        String first = lines.get(row + 1).trim().split(",")[0];
        lines.set(row + 1, lines.get(row + 1).replaceFirst(java.util.regex.Pattern.quote(first) + ",", first.equals("100") ? "-100," : "100,"));
        Files.write(weights, lines);
        StringWriter o2 = new StringWriter(), e2 = new StringWriter();
        assertEquals(1, Main.execute(verify, new PrintWriter(o2, true), new PrintWriter(e2, true)), o2 + " " + e2);
        assertTrue(o2.toString().contains("MISMATCH") && o2.toString().contains("layer @second (QConv)"), o2.toString());
    }
}
