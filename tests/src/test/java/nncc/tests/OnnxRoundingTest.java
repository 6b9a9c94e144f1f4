package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.OnnxArithmetic;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.io.Npy;
import nncc.ir.op.*;
import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;
import nncc.onnx.export.QdqExporter;
import nncc.passes.Quantizer;
import nncc.passes.TargetProfile;
import nncc.passes.calib.CalibrationData;
import nncc.passes.quant.QuantizationPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The onnx target's rounding ({@code onnx_float32}, ONNX Runtime's float requantization) against ONNX Runtime on
 * models where the arithmetic matters: a deep random residual network (QConv, QAdd, QLinearGlobalAveragePool, QGemm)
 * and a DenseNet-style block (Concat, 2x2 and padded 3x3 average pools, an SE-style QMul with a broadcast gate).
 * Every int8 tensor of nncc's reference must equal ORT's run of the QDQ export bit for bit; the same models
 * quantized in single rounding differ from ORT (the difference this mode removes), and the IR prints and parses back.
 */
class OnnxRoundingTest {
    @TempDir Path tmp;

    @Test
    void deepResidualNetEqualsOnnxRuntimeOnEveryLayer() throws Exception {
        Nets.Built net = Nets.residual(16, 7);
        OnnxLayerComparison.Result onnx = run(net, Rounding.ONNX_FLOAT32);
        OnnxLayerComparison.Result single = run(net, Rounding.SINGLE_ROUND);
        System.out.println("residual net, onnx_float32 vs ORT: " + onnx);
        System.out.println("residual net, single_round vs ORT: " + single);
        assertEquals(0, onnx.differing(), onnx.toString());
        assertTrue(onnx.layers().size() >= 50, "every layer compared: " + onnx);
    }

    @Test
    void denseBlockWithAveragePoolsEqualsOnnxRuntimeOnEveryLayer() throws Exception {
        Nets.Built net = Nets.dense(11);
        OnnxLayerComparison.Result onnx = run(net, Rounding.ONNX_FLOAT32);
        OnnxLayerComparison.Result single = run(net, Rounding.SINGLE_ROUND);
        System.out.println("dense block, onnx_float32 vs ORT: " + onnx);
        System.out.println("dense block, single_round vs ORT: " + single);
        assertEquals(0, onnx.differing(), onnx.toString());
        assertTrue(single.differing() > 0, "the average pools' ties make single rounding differ: " + single);
    }

    @Test
    void backendsWithoutOnnxArithmeticRefuseItNamingTheNode() throws Exception {
        Graph q = quantize(Nets.residual(1, 3), Rounding.ONNX_FLOAT32, false);
        String firstConv = q.nodes().stream().filter(n -> n.op() instanceof QConv).findFirst().orElseThrow().name();
        var tflite = org.junit.jupiter.api.Assertions.assertThrows(nncc.ir.ModelException.class, () -> nncc.tpu.TfliteWriter.write(q));
        assertTrue(tflite.getMessage().contains(firstConv) && tflite.getMessage().contains("onnx_float32"), tflite.getMessage());
        var hls = org.junit.jupiter.api.Assertions.assertThrows(nncc.ir.ModelException.class,
                () -> nncc.hls.HlsGenerator.generate(q, nncc.hls.HlsGenerator.Options.defaults()));
        assertTrue(hls.getMessage().contains(firstConv) && hls.getMessage().contains("onnx_float32"), hls.getMessage());
        // the QLinearAdd arithmetic was computed for uint8 storage; an int8 export is refused, naming the add
        String add = q.nodes().stream().filter(n -> n.op() instanceof QAdd).findFirst().orElseThrow().name();
        var onnx = org.junit.jupiter.api.Assertions.assertThrows(nncc.ir.ModelException.class,
                () -> QdqExporter.export(q, QdqExporter.Activations.AS_IS, QdqExporter.Names.IR));
        assertTrue(onnx.getMessage().contains(add) && onnx.getMessage().contains("uint8"), onnx.getMessage());
    }

    @Test
    void quantizeForTheOnnxTargetFromTheCommandLine() throws Exception {
        Path q = tmp.resolve("q.nnir");
        String model = TestPaths.example().resolve("fashion_cnn.onnx").toString(), calib = TestPaths.example().resolve("calib.npy").toString();
        CliTest.Result r = CliTest.nncc("quantize", model, "--calib", calib, "--target", "onnx", "-o", q.toString());
        assertEquals(0, r.code(), r.err());
        String ir = java.nio.file.Files.readString(q);
        assertTrue(ir.contains("rounding = onnx_float32") && ir.contains("onnxScales = ["), "the onnx target's arithmetic in the IR");
        assertTrue(!ir.contains("single_round") && !ir.contains("double_round"), "every requantization in ORT's arithmetic");
        CliTest.Result hls = CliTest.nncc("compile", q.toString(), "--target", "hls", "-o", tmp.resolve("hls").toString());
        assertEquals(2, hls.code(), hls.err());
        assertTrue(hls.err().contains("onnx_float32") && hls.err().lines().count() == 1, hls.err());
        CliTest.Result javaTarget = CliTest.nncc("compile", q.toString(), "--target", "java", "-o", tmp.resolve("java").toString());
        assertEquals(2, javaTarget.code(), javaTarget.err());
        assertTrue(javaTarget.err().contains("onnx_float32") && javaTarget.err().lines().count() == 1, javaTarget.err());
        assertTrue(!java.nio.file.Files.exists(tmp.resolve("java")), "nothing left behind");
        CliTest.Result tpuTarget = CliTest.nncc("quantize", model, "--calib", calib, "--target", "tpu", "--rounding", "onnx", "-o",
                tmp.resolve("t.nnir").toString());
        assertEquals(0, tpuTarget.code(), "--rounding overrides the target's default: " + tpuTarget.err());
    }

    private Graph quantize(Nets.Built net, Rounding rounding, boolean floatInterface) throws Exception {
        Path calib = tmp.resolve("calib.npy");
        Npy.write(calib, net.calibration());
        QuantizationPipeline.Options o = new QuantizationPipeline.Options(8, false, Set.of(), rounding, floatInterface);
        return Quantizer.quantize(net.graph(), CalibrationData.fromNpy(net.graph(), calib),
                Quantizer.Config.of(QuantizationPipeline.Scheme.INT8).withOptions(o)).quantized();
    }

    /** Quantizes {@code net} for the onnx target in {@code rounding}, checks the IR's text round trip, compares with ORT. */
    private OnnxLayerComparison.Result run(Nets.Built net, Rounding rounding) throws Exception {
        Graph q = quantize(net, rounding, true);
        long onnxOps = q.nodes().stream().filter(n -> OnnxArithmetic.uses(n.op())).count();
        if (rounding == Rounding.ONNX_FLOAT32) {
            assertTrue(onnxOps > 0, "ops in onnx_float32");
            for (Node n : q.nodes())
                if (n.op() instanceof QConv || n.op() instanceof QAveragePool || n.op() instanceof QMul)
                    assertTrue(OnnxArithmetic.uses(n.op()), n + " is in ONNX Runtime's arithmetic");
            String text = IrPrinter.print(q);
            assertEquals(text, IrPrinter.print(IrParser.parse(text, "q.nnir")), "print, parse, print");
        } else {
            assertEquals(0, onnxOps);
        }
        byte[] model = QdqExporter.export(q, QdqExporter.Activations.UINT8, QdqExporter.Names.IR).model();
        return OnnxLayerComparison.compare(q, model, List.of(net.input()));
    }

    /** Random float networks built in code (seeded), with calibration and evaluation inputs. */
    static final class Nets {
        record Built(Graph graph, Tensor calibration, Tensor input) {}

        private final Graph g;
        private final Random rnd;
        private int count;

        private Nets(String name, long seed) {
            g = new Graph(name);
            rnd = new Random(seed);
        }

        /** Stem conv, {@code blocks} residual blocks (conv-relu-conv, add, relu), global pool, linear layer. */
        static Built residual(int blocks, long seed) {
            Nets b = new Nets("residual", seed);
            Value x = b.input(8, 12);
            Value h = b.relu(b.conv(x, 8, 16, 3, 1));
            for (int i = 0; i < blocks; i++) {
                Value y = b.relu(b.conv(h, 16, 16, 3, 1));
                y = b.conv(y, 16, 16, 3, 1);
                h = b.relu(b.op(new Add(), h, y));
            }
            Value p = b.op(new Flatten(1), b.op(new GlobalAveragePool(), h));
            return b.finish(b.gemm(p, 16, 10), 8, 12);
        }

        /** A DenseNet-style block with an SE gate, a 2x2 transition pool and a padded 3x3 pool. */
        static Built dense(long seed) {
            Nets b = new Nets("dense", seed);
            Value x = b.input(8, 16);
            Value h = b.relu(b.conv(x, 8, 16, 3, 1));
            int channels = 16;
            for (int i = 0; i < 4; i++) {
                Value y = b.relu(b.conv(h, channels, 8, 3, 1));
                h = b.op(new Concat(1), h, y);
                channels += 8;
            }
            Value gate = b.op(new Sigmoid(), b.conv(b.op(new GlobalAveragePool(), h), channels, channels, 1, 0));
            h = b.op(new Mul(), h, gate);
            h = b.relu(b.conv(h, channels, 16, 1, 0));
            h = b.op(new AveragePool(List.of(2, 2), List.of(2, 2), List.of(0, 0, 0, 0), false, false), h);
            h = b.op(new AveragePool(List.of(3, 3), List.of(1, 1), List.of(1, 1, 1, 1), false, false), h);
            Value p = b.op(new Flatten(1), b.op(new GlobalAveragePool(), h));
            return b.finish(b.gemm(p, 16, 10), 8, 16);
        }

        private Value input(int channels, int size) {
            Shape s = Shape.withSymbols(new long[] {1, channels, size, size}, new String[] {"N", null, null, null});
            Value v = new Value("x", TensorType.of(DType.F32, s));
            g.addInput(v);
            return v;
        }

        private Value op(Op op, Value... in) {
            String name = op.opName().toLowerCase() + "_" + count++;
            TensorType t = op.inferTypes(java.util.Arrays.stream(in).map(Value::type).toList()).get(0);
            Value out = new Value(name + "_out", t);
            g.addNode(new Node(name, op, List.of(in), List.of(out)));
            return out;
        }

        private Value relu(Value x) { return op(new Relu(), x); }

        private Value conv(Value x, int cin, int cout, int k, int pad) {
            Value w = g.addConstant("w" + count, random(Shape.of(cout, cin, k, k), Math.sqrt(2.0 / (cin * k * k))));
            Value bias = g.addConstant("b" + count, random(Shape.of(cout), 0.1));
            return op(new Conv(List.of(1, 1), List.of(pad, pad, pad, pad), List.of(1, 1), 1), x, w, bias);
        }

        private Value gemm(Value x, int in, int out) {
            Value w = g.addConstant("fc_w", random(Shape.of(out, in), Math.sqrt(1.0 / in)));
            Value bias = g.addConstant("fc_b", random(Shape.of(out), 0.1));
            return op(new Gemm(1f, 1f, false, true), x, w, bias);
        }

        private Tensor random(Shape s, double std) {
            float[] v = new float[Math.toIntExact(s.numElements())];
            for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * std);
            return Tensor.ofFloats(s, v);
        }

        private Built finish(Value out, int channels, int size) {
            g.addOutput(out);
            Tensor calib = random(Shape.of(16, channels, size, size), 1);
            Tensor x = random(Shape.of(2, channels, size, size), 1);
            return new Built(g, calib, x);
        }
    }
}
